import {
  attribute,
  decimalOf,
  defined,
  descriptor,
  fail,
  fullDate,
  keyOf,
  need,
  nonEmpty,
  relatedKey,
  schoolYearDocument,
  schoolYearOf,
  schoolYearOfDate,
  type MappedDocument,
  type MappingContext,
  type ObjectKey,
  type RelatedObject,
  type SifObjectMapper,
} from './map-support.js';
import { child, childText, isElement, listItems, type SifObject } from './sif-object.js';

/**
 * Academic records and grades (issue 5):
 * - StudentSectionMarks (SIF 2.4 US name of "SectionMarks": a student's
 *   marks in a section for a term) → grades; a final mark (`IsFinal`) also
 *   → courseTranscripts, on the student's academic record at the school.
 * - StudentGrade (the gradebook's current grade of a student in a section)
 *   → grades of type Progress Report.
 * - StudentAcademicRecord (the cumulative record) → the district-level
 *   studentAcademicRecords document: cumulative credits, GPA, class rank.
 *
 * An Ed-Fi grade refers to the studentSectionAssociation, whose key holds
 * the enrollment's begin date, which marks do not carry: the mapper asks
 * for the StudentSectionEnrollment of the student in the section
 * ({@link RelatedObject}). The zone does not carry TermInfo (see
 * yearRoundSession), so a term becomes a grading period through the
 * `gradingPeriod` code set (TermInfo RefId → GradingPeriodDescriptor) and
 * spans the school year.
 */

const GRADE_TYPE = 'uri://ed-fi.org/GradeTypeDescriptor#';
const TERM = 'uri://ed-fi.org/TermDescriptor#';

/** A section's key as SectionInfo records it (see sectionInfoMapper). */
interface SectionKey {
  sectionIdentifier: string;
  localCourseCode: string;
  schoolId: number;
  schoolYear: number;
  sessionName: string;
}

function sectionKeyOf(key: ObjectKey): SectionKey {
  return {
    sectionIdentifier: String(key['sectionIdentifier']),
    localCourseCode: String(key['localCourseCode']),
    schoolId: Number(key['schoolId']),
    schoolYear: Number(key['schoolYear']),
    sessionName: String(key['sessionName']),
  };
}

/** The StudentSectionEnrollment of a student in a section (by the two RefIds it carries). */
function sectionEnrollment(studentRefId: string, sectionRefId: string): RelatedObject {
  return { objectName: 'StudentSectionEnrollment', attributes: { '@StudentPersonalRefId': studentRefId, '@SectionInfoRefId': sectionRefId } };
}

/** The studentSectionAssociationReference of a student in a section: student, section and the enrollment's begin date. */
function studentSectionReference(context: MappingContext, studentRefId: string | undefined, sectionRefId: string | undefined, at: string) {
  const student = keyOf(context, 'StudentPersonal', studentRefId, `${at}StudentPersonalRefId`);
  const section = sectionKeyOf(keyOf(context, 'SectionInfo', sectionRefId, `${at}SectionInfoRefId`));
  const enrollment = relatedKey(context, sectionEnrollment(studentRefId!, sectionRefId!), `the StudentSectionEnrollment of ${at}StudentPersonalRefId in ${at}SectionInfoRefId`);
  return {
    section,
    studentUniqueId: String(student['studentUniqueId']),
    reference: { ...section, studentUniqueId: String(student['studentUniqueId']), beginDate: String(enrollment['beginDate']) },
  };
}

/** A grading period of a school year (created when missing), spanning the year as its TermInfo dates are not carried. */
function gradingPeriod(schoolId: number, schoolYear: number, descriptorUri: string): { reference: Record<string, unknown>; documents: MappedDocument[] } {
  const gradingPeriodName = `${schoolYear - 1}-${schoolYear} ${descriptorUri.slice(descriptorUri.indexOf('#') + 1)}`;
  return {
    reference: { gradingPeriodDescriptor: descriptorUri, gradingPeriodName, schoolId, schoolYear },
    documents: [
      schoolYearDocument(schoolYear),
      {
        resource: 'gradingPeriods',
        ensure: true,
        document: {
          gradingPeriodDescriptor: descriptorUri,
          gradingPeriodName,
          schoolReference: { schoolId },
          schoolYearTypeReference: { schoolYear },
          beginDate: `${schoolYear - 1}-07-01`,
          endDate: `${schoolYear}-06-30`,
          totalInstructionalDays: 180,
        },
      },
    ],
  };
}

/** The mark values of a SIF mark (Mark or Grade): the first letter, percentage or numeric value and narrative. */
interface MarkValues {
  letter?: string;
  numeric?: number;
  narrative?: string;
}

function markValues(marks: SifObject[]): MarkValues {
  const first = (name: string) => marks.map((m) => childText(m, name)).find((v) => v !== undefined);
  return defined({
    letter: first('Letter'),
    numeric: decimalOf(first('Percentage') ?? first('Numeric')),
    narrative: first('Narrative'),
  }) as MarkValues;
}

/** The Ed-Fi term a final mark's transcript entry belongs to, by its grading period. */
function termOfGradingPeriod(gradingPeriodUri: string): string {
  if (gradingPeriodUri.endsWith('#First Semester')) return `${TERM}Fall Semester`;
  if (gradingPeriodUri.endsWith('#Second Semester')) return `${TERM}Spring Semester`;
  return `${TERM}Year Round`;
}

/** StudentSectionMarks has no RefId (SIF 2.4): its key is student, section and term. */
function sectionMarksRefId(object: SifObject): string | undefined {
  const parts = ['StudentPersonalRefId', 'SectionInfoRefId', 'TermInfoRefId'].map((name) => attribute(object, name));
  return parts.every((p) => p !== undefined) ? parts.join(':') : undefined;
}

/** The course transcript entry of a final mark, on the student's record at the school for the term (created when missing). */
function transcriptDocuments(context: MappingContext, section: SectionKey, studentUniqueId: string, gradingPeriodUri: string, marks: MarkValues): MappedDocument[] {
  const letter = need(marks.letter, 'MarkList/Mark/Letter (a final mark needs a letter to decide the course attempt result)');
  const record = { educationOrganizationId: section.schoolId, schoolYear: section.schoolYear, studentUniqueId, termDescriptor: termOfGradingPeriod(gradingPeriodUri) };
  return [
    {
      resource: 'studentAcademicRecords',
      ensure: true,
      document: {
        educationOrganizationReference: { educationOrganizationId: section.schoolId },
        schoolYearTypeReference: { schoolYear: section.schoolYear },
        studentReference: { studentUniqueId },
        termDescriptor: record.termDescriptor,
      },
    },
    {
      resource: 'courseTranscripts',
      document: defined({
        courseAttemptResultDescriptor: descriptor(context, 'courseAttemptResult', letter, 'MarkList/Mark/Letter'),
        courseReference: { courseCode: section.localCourseCode, educationOrganizationId: section.schoolId },
        studentAcademicRecordReference: record,
        finalLetterGradeEarned: letter,
        finalNumericGradeEarned: marks.numeric,
      }),
    },
  ];
}

/** StudentSectionMarks: grades (and a course transcript entry for a final mark). */
export const studentSectionMarksMapper: SifObjectMapper = {
  objectName: 'StudentSectionMarks',
  refIdOf: sectionMarksRefId,
  references: (object) => [
    ['StudentPersonal', attribute(object, 'StudentPersonalRefId') ?? ''],
    ['SectionInfo', attribute(object, 'SectionInfoRefId') ?? ''],
  ],
  related: (object) => [sectionEnrollment(attribute(object, 'StudentPersonalRefId') ?? '', attribute(object, 'SectionInfoRefId') ?? '')],
  map(object, _refId, context) {
    const { section, studentUniqueId, reference } = studentSectionReference(context, attribute(object, 'StudentPersonalRefId'), attribute(object, 'SectionInfoRefId'), '@');
    const term = need(attribute(object, 'TermInfoRefId'), '@TermInfoRefId');
    const periodUri = descriptor(context, 'gradingPeriod', term, '@TermInfoRefId');
    const period = gradingPeriod(section.schoolId, section.schoolYear, periodUri);
    const markList = listItems(object, 'MarkList', 'Mark').filter(isElement);
    if (markList.length === 0) fail('MarkList/Mark is missing; a grade needs at least one mark');
    const marks = markValues(markList);
    const isFinal = ['true', '1'].includes(childText(object, 'IsFinal') ?? '');
    const gradeTypeDescriptor = `${GRADE_TYPE}${isFinal ? 'Final' : 'Grading Period'}`;
    const grade = gradeDocument(reference, period.reference, gradeTypeDescriptor, marks);
    return {
      key: { ...reference, gradeTypeDescriptor, gradingPeriodDescriptor: periodUri },
      documents: [
        ...period.documents,
        { resource: 'grades', document: grade },
        ...(isFinal ? transcriptDocuments(context, section, studentUniqueId, periodUri, marks) : []),
      ],
    };
  },
};

/** An Ed-Fi grade of a student in a section for a grading period. */
function gradeDocument(reference: object, gradingPeriodReference: object, gradeTypeDescriptor: string, marks: ReturnType<typeof markValues>) {
  return defined({
    studentSectionAssociationReference: reference,
    gradingPeriodReference,
    gradeTypeDescriptor,
    letterGradeEarned: marks.letter,
    numericGradeEarned: marks.numeric,
    diagnosticStatement: marks.narrative,
  });
}

/** StudentGrade: the current (gradebook) grade, a Progress Report grade of the school year. */
export const studentGradeMapper: SifObjectMapper = {
  objectName: 'StudentGrade',
  refIdOf: (object) => attribute(object, 'RefId'),
  references: (object) => [
    ['StudentPersonal', childText(object, 'StudentPersonalRefId') ?? ''],
    ['SectionInfo', childText(object, 'SectionInfoRefId') ?? ''],
  ],
  related: (object) => [sectionEnrollment(childText(object, 'StudentPersonalRefId') ?? '', childText(object, 'SectionInfoRefId') ?? '')],
  map(object, _refId, context) {
    const { section, reference } = studentSectionReference(context, childText(object, 'StudentPersonalRefId'), childText(object, 'SectionInfoRefId'), '');
    const period = gradingPeriod(section.schoolId, section.schoolYear, 'uri://ed-fi.org/GradingPeriodDescriptor#End of Year');
    const marks = markValues([need(child(object, 'Grade'), 'Grade')]);
    const gradeTypeDescriptor = `${GRADE_TYPE}Progress Report`;
    const grade = { ...gradeDocument(reference, period.reference, gradeTypeDescriptor, marks), currentGradeIndicator: true };
    return {
      key: { ...reference, gradeTypeDescriptor },
      documents: [...period.documents, { resource: 'grades', document: grade }],
    };
  },
};

/** The latest TermPerformance of the academic performance history (by school year), if any. */
function latestTerm(object: SifObject): SifObject | undefined {
  const terms = listItems(object, 'AcademicPerformanceHistory', 'TermPerformance').filter(isElement);
  const yearOf = (t: SifObject) => Number(childText(child(t, 'TermInfoData'), 'SchoolYear') ?? 0);
  return terms.reduce<SifObject | undefined>((latest, t) => (latest === undefined || yearOf(t) >= yearOf(latest) ? t : latest), undefined);
}

/** The school year a record is for: its latest term's, else the one its reporting date falls in. */
function recordSchoolYear(object: SifObject, term: SifObject | undefined): number {
  const termYear = childText(child(term, 'TermInfoData'), 'SchoolYear');
  if (termYear !== undefined) return schoolYearOf(termYear, 'AcademicPerformanceHistory/TermPerformance/TermInfoData/SchoolYear');
  const reported = fullDate(childText(object, 'ReportingDate'));
  if (reported === undefined) fail('ReportingDate (or a TermPerformance with a SchoolYear) is missing; Ed-Fi needs the school year of the record');
  return schoolYearOfDate(reported);
}

function classRanking(summary: SifObject | undefined): Record<string, unknown> | undefined {
  const rank = childText(summary, 'ClassRank');
  const total = childText(summary, 'ClassTotalNumber');
  if (rank === undefined || total === undefined) return undefined;
  return defined({ classRank: Number(rank), totalNumberInClass: Number(total), classRankingDate: fullDate(childText(summary, 'ClassRankingDate')) });
}

/** StudentAcademicRecord: the district's cumulative studentAcademicRecords document for the student. */
export const studentAcademicRecordMapper: SifObjectMapper = {
  objectName: 'StudentAcademicRecord',
  refIdOf: (object) => attribute(object, 'RefId'),
  references: (object) => [['StudentPersonal', attribute(object, 'SIF_RefId') ?? '']],
  map(object, _refId, context) {
    const refObject = attribute(object, 'SIF_RefObject');
    if (refObject !== 'StudentPersonal') fail(`@SIF_RefObject "${refObject ?? ''}" is not supported: the record must refer to a StudentPersonal`);
    const student = keyOf(context, 'StudentPersonal', attribute(object, 'SIF_RefId'), '@SIF_RefId');
    const term = latestTerm(object);
    const schoolYear = recordSchoolYear(object, term);
    const summary = child(object, 'AcademicPerformanceSummary');
    const gpa = decimalOf(childText(summary, 'CumulativeGPA'));
    const record = defined({
      educationOrganizationReference: { educationOrganizationId: context.localEducationAgencyId },
      schoolYearTypeReference: { schoolYear },
      studentReference: { studentUniqueId: student['studentUniqueId'] },
      termDescriptor: `${TERM}Year Round`,
      cumulativeAttemptedCredits: decimalOf(childText(summary, 'TotalCreditsAttempted')),
      cumulativeEarnedCredits: decimalOf(childText(summary, 'TotalCreditsEarned')),
      sessionAttemptedCredits: decimalOf(childText(term, 'CreditsAttempted')),
      sessionEarnedCredits: decimalOf(childText(term, 'CreditsEarned')),
      gradePointAverages: nonEmpty(gpa === undefined ? [] : [{ gradePointAverageTypeDescriptor: 'uri://ed-fi.org/GradePointAverageTypeDescriptor#Unweighted', gradePointAverageValue: gpa, isCumulative: true }]),
      classRanking: classRanking(summary),
      projectedGraduationDate: fullDate(childText(summary, 'ProjectedGraduationDate')),
    });
    return {
      key: { studentUniqueId: String(student['studentUniqueId']), educationOrganizationId: context.localEducationAgencyId, schoolYear },
      documents: [schoolYearDocument(schoolYear), { resource: 'studentAcademicRecords', document: record }],
    };
  },
};

