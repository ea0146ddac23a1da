import { SIS_REF } from './sis-samples.js';

/**
 * SIF US 2.4 samples of academic records, marks and program participation
 * (issue 5), referring to the objects of test/support/sis-samples.ts. Every
 * sample validates against the 2.4 XSD (test/unit/sis-mapping-academic.test.ts
 * checks it).
 */
export const ACADEMIC_REF = {
  grade: '5C000000000000000000000000000011',
  record: '5C000000000000000000000000000012',
  participation: '5C000000000000000000000000000013',
  /** A TermInfo RefId of the default `gradingPeriod` code set (Second Nine Weeks). */
  secondNineWeeks: 'AE000000000000000000000000000005',
  /** A TermInfo RefId of the default `gradingPeriod` code set (First Semester). */
  firstSemester: 'AE000000000000000000000000000001',
  markInfo: '5C000000000000000000000000000014',
} as const;

/** An interim mark: 88.5% / B+ in the Spanish section for the second nine weeks. */
export const MARKS_XML = `<StudentSectionMarks StudentPersonalRefId="${SIS_REF.student}" SectionInfoRefId="${SIS_REF.section}" TermInfoRefId="${ACADEMIC_REF.secondNineWeeks}" SchoolInfoRefId="${SIS_REF.school}"><IsFinal>false</IsFinal><MarkList><Mark MarkInfoRefId="${ACADEMIC_REF.markInfo}"><Percentage>88.5</Percentage><Letter>B+</Letter><Narrative>Strong oral work.</Narrative></Mark></MarkList></StudentSectionMarks>`;

/** The final first-semester mark of the same section: a grade and a course transcript entry. */
export const FINAL_MARKS_XML = `<StudentSectionMarks StudentPersonalRefId="${SIS_REF.student}" SectionInfoRefId="${SIS_REF.section}" TermInfoRefId="${ACADEMIC_REF.firstSemester}" SchoolInfoRefId="${SIS_REF.school}"><IsFinal>true</IsFinal><MarkList><Mark MarkInfoRefId="${ACADEMIC_REF.markInfo}"><Percentage>91</Percentage><Letter>A-</Letter></Mark></MarkList></StudentSectionMarks>`;

export const GRADE_XML = `<StudentGrade RefId="${ACADEMIC_REF.grade}"><StudentPersonalRefId>${SIS_REF.student}</StudentPersonalRefId><SectionInfoRefId>${SIS_REF.section}</SectionInfoRefId><SchoolInfoRefId>${SIS_REF.school}</SchoolInfoRefId><SchoolYear>2026</SchoolYear><Grade><Percentage>84</Percentage><Letter>B</Letter></Grade></StudentGrade>`;

export const ACADEMIC_RECORD_XML = `<StudentAcademicRecord RefId="${ACADEMIC_REF.record}" SIF_RefId="${SIS_REF.student}" SIF_RefObject="StudentPersonal"><ReportingDate>2026-02-13</ReportingDate><AcademicPerformanceHistory><TermPerformance><TermInfoData><SchoolYear>2025</SchoolYear></TermInfoData><CreditsAttempted>6</CreditsAttempted><CreditsEarned>6</CreditsEarned></TermPerformance><TermPerformance><TermInfoData><SchoolYear>2026</SchoolYear></TermInfoData><CreditsAttempted>3.5</CreditsAttempted><CreditsEarned>3</CreditsEarned></TermPerformance></AcademicPerformanceHistory><AcademicPerformanceSummary><TotalCreditsAttempted>9.5</TotalCreditsAttempted><TotalCreditsEarned>9</TotalCreditsEarned><CumulativeGPA>3.42</CumulativeGPA><ClassRank>41</ClassRank><ClassTotalNumber>402</ClassTotalNumber><ProjectedGraduationDate>2029-05-30</ProjectedGraduationDate></AcademicPerformanceSummary></StudentAcademicRecord>`;

export const PARTICIPATION_XML = `<StudentParticipation RefId="${ACADEMIC_REF.participation}" StudentPersonalRefId="${SIS_REF.student}"><StudentParticipationAsOfDate>2025-09-02</StudentParticipationAsOfDate><ProgramType><Code>0270</Code></ProgramType><ManagingSchool SIF_RefObject="SchoolInfo">${SIS_REF.school}</ManagingSchool><EvaluationDate>2025-08-20</EvaluationDate><ExceptionalityCategories><ExceptionalityCategory><Code>2128</Code><ExceptionalityPriority>Primary</ExceptionalityPriority></ExceptionalityCategory><ExceptionalityCategory><Code>2129</Code><ExceptionalityPriority>Secondary</ExceptionalityPriority></ExceptionalityCategory></ExceptionalityCategories><ProgramPlanEffectiveDate>2025-09-02</ProgramPlanEffectiveDate><ProgramPlacementDate>2025-09-02</ProgramPlacementDate><ProgramReviewDate>2026-09-01</ProgramReviewDate></StudentParticipation>`;

/** A participation in a program that is not special education (Section 504), managed by the district. */
export const PARTICIPATION_504_XML = `<StudentParticipation RefId="5C000000000000000000000000000015" StudentPersonalRefId="${SIS_REF.student}"><StudentParticipationAsOfDate>2025-10-01</StudentParticipationAsOfDate><ProgramType><Code>3200</Code></ProgramType><ProgramExitDate>2026-01-30</ProgramExitDate><ProgramExitReason><Code>2214</Code></ProgramExitReason></StudentParticipation>`;

/**
 * A StudentSnapshot of the student in October: Title I, English learner and
 * reduced-price meals (Yes), the other program flags No or Unknown. Like
 * StudentAcademicRecord it has no SIF_Events in SIF 2.4 (the XSD's event
 * object names leave it out): it only travels in SIF_Responses.
 */
export const SNAPSHOT_XML = `<StudentSnapshot SnapDate="2025-10-01" StudentPersonalRefId="${SIS_REF.student}" SchoolYear="2026"><Name Type="04"><LastName>Blackwell</LastName><FirstName>Owen</FirstName></Name><LocalId>708000001</LocalId><BirthDate>2010-02-04</BirthDate><HomeEnrollment><SchoolInfoRefId>${SIS_REF.school}</SchoolInfoRefId><Status>Active</Status><GradeLevel><Code>09</Code></GradeLevel></HomeEnrollment><IDEA>No</IDEA><Migrant>No</Migrant><Title1>Yes</Title1><GiftedTalented>Unknown</GiftedTalented><ELL>Yes</ELL><Homeless>No</Homeless><Section504>No</Section504><FreeAndReducedStatus>Reduced</FreeAndReducedStatus></StudentSnapshot>`;

/** Every sample with SIF_Events, in dependency order after the SIS_SAMPLES: [object name, object XML]. */
export const ACADEMIC_EVENT_SAMPLES: Array<[string, string]> = [
  ['StudentSectionMarks', MARKS_XML],
  ['StudentSectionMarks', FINAL_MARKS_XML],
  ['StudentGrade', GRADE_XML],
  ['StudentParticipation', PARTICIPATION_XML],
  ['StudentParticipation', PARTICIPATION_504_XML],
];
