import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACADEMIC_RECORD_XML, ACADEMIC_REF, FINAL_MARKS_XML, GRADE_XML, MARKS_XML, PARTICIPATION_504_XML, PARTICIPATION_XML } from '../support/sis-academic-samples.js';
import { SIS_REF } from '../support/sis-samples.js';
import { startSisSyncApp, type SisSyncApp } from '../support/sis-sync-app.js';

/**
 * Marks, grades, academic records and programs from SIF into the Ed-Fi store
 * (issue 5), over the zone endpoint and real PostgreSQL. Each test starts
 * from its own database and publishes the Adds it builds on itself.
 */

const STUDENT = 'studentUniqueId=708000001';
let sis: SisSyncApp;
const publish: SisSyncApp['publish'] = (...args) => sis.publish(...args);
const drain = () => sis.drain();
const get: SisSyncApp['get'] = (...args) => sis.get(...args);
const failures: SisSyncApp['failures'] = (id) => sis.failures(id);

beforeEach(async () => {
  sis = await startSisSyncApp(['StudentSectionMarks', 'StudentGrade', 'StudentParticipation', 'StudentAcademicRecord']);
});

afterEach(async () => {
  await sis?.close();
});

/** Publishes the Adds of two marks, a grade and two participations, each applied without failure. */
async function addAll(): Promise<void> {
  for (const [name, xml] of [['StudentSectionMarks', MARKS_XML], ['StudentSectionMarks', FINAL_MARKS_XML], ['StudentGrade', GRADE_XML], ['StudentParticipation', PARTICIPATION_XML], ['StudentParticipation', PARTICIPATION_504_XML]] as const) {
    const id = await publish(name, 'Add', xml);
    await drain();
    expect(await failures(id), name).toEqual([]);
  }
}

describe('SIF marks, records and programs into the Ed-Fi store', () => {
  it('applies Adds: grades, a course transcript entry, and program associations appear through the Ed-Fi API', async () => {
    await addAll();
    const grades = await get('grades', STUDENT);
    expect(grades.map((g) => [g['gradeTypeDescriptor'], g['letterGradeEarned']]).sort()).toEqual([
      ['uri://ed-fi.org/GradeTypeDescriptor#Final', 'A-'],
      ['uri://ed-fi.org/GradeTypeDescriptor#Grading Period', 'B+'],
      ['uri://ed-fi.org/GradeTypeDescriptor#Progress Report', 'B'],
    ]);
    expect(await get('courseTranscripts', STUDENT)).toMatchObject([{ courseAttemptResultDescriptor: 'uri://ed-fi.org/CourseAttemptResultDescriptor#Pass', finalLetterGradeEarned: 'A-', courseReference: { courseCode: 'SPAN1' } }]);
    expect(await get('studentAcademicRecords', STUDENT)).toHaveLength(1);
    expect(await get('gradingPeriods', 'schoolId=49990100001')).toHaveLength(3);
    expect(await get('studentSpecialEducationProgramAssociations', STUDENT)).toMatchObject([{ programReference: { programName: 'Special Education' }, iepReviewDate: '2026-09-01' }]);
    expect(await get('studentProgramAssociations', STUDENT)).toMatchObject([{ programReference: { programName: 'Section 504 Placement' }, endDate: '2026-01-30' }]);
    expect(await get('programs', 'limit=10')).toHaveLength(2);
  });

  it('applies partial Changes: the mark and the review date change, the rest stays', async () => {
    await addAll();
    const [before] = (await get('grades', STUDENT)).filter((g) => g['letterGradeEarned'] === 'B+');
    const marks = MARKS_XML.replace('<IsFinal>false</IsFinal>', '').replace(/<MarkList>.*<\/MarkList>/, `<MarkList><Mark MarkInfoRefId="${ACADEMIC_REF.markInfo}"><Percentage>79</Percentage><Letter>C+</Letter></Mark></MarkList>`);
    await publish('StudentSectionMarks', 'Change', marks);
    await publish('StudentParticipation', 'Change', `<StudentParticipation RefId="${ACADEMIC_REF.participation}" StudentPersonalRefId="${SIS_REF.student}"><ProgramReviewDate>2026-03-01</ProgramReviewDate></StudentParticipation>`);
    await drain();
    const [after] = (await get('grades', STUDENT)).filter((g) => g['id'] === before!['id']);
    expect(after).toMatchObject({ letterGradeEarned: 'C+', numericGradeEarned: 79, gradeTypeDescriptor: 'uri://ed-fi.org/GradeTypeDescriptor#Grading Period', diagnosticStatement: 'Strong oral work.' });
    const [program] = await get('studentSpecialEducationProgramAssociations', STUDENT);
    expect(program).toMatchObject({ iepReviewDate: '2026-03-01', iepBeginDate: '2025-09-02', lastEvaluationDate: '2025-08-20' });
    expect(program!['disabilities']).toHaveLength(2);
  });

  it('loads StudentAcademicRecord from the SIF_Response of an initial sync (it has no SIF_Events)', async () => {
    expect(await sis.initialSync('StudentAcademicRecord', [ACADEMIC_RECORD_XML])).toMatchObject({ objects: 1, failures: 0, complete: true });
    expect(await get('studentAcademicRecords', `${STUDENT}&educationOrganizationId=499901`)).toMatchObject([
      { cumulativeEarnedCredits: 9, gradePointAverages: [{ gradePointAverageValue: 3.42, isCumulative: true }], classRanking: { classRank: 41, totalNumberInClass: 402 } },
    ]);
  });

  it('answers marks it cannot map with category 9 and writes nothing of them', async () => {
    const unknownTerm = MARKS_XML.replace(ACADEMIC_REF.secondNineWeeks, 'FF000000000000000000000000000099').replace('B+', 'D');
    const bad = await publish('StudentSectionMarks', 'Add', unknownTerm);
    await drain();
    expect(await failures(bad)).toMatchObject([{ object_name: 'StudentSectionMarks', category: 9, code: 3 }]);
    expect((await get('grades', STUDENT)).filter((g) => g['letterGradeEarned'] === 'D')).toEqual([]);
  });

  it('applies Deletes: grades, the transcript entry and the program association go, shared programs stay', async () => {
    await addAll();
    const attributes = (xml: string) => xml.slice(0, xml.indexOf('>')) + '/>';
    await publish('StudentGrade', 'Delete', `<StudentGrade RefId="${ACADEMIC_REF.grade}"/>`);
    await publish('StudentSectionMarks', 'Delete', attributes(FINAL_MARKS_XML));
    await publish('StudentParticipation', 'Delete', `<StudentParticipation RefId="${ACADEMIC_REF.participation}" StudentPersonalRefId="${SIS_REF.student}"/>`);
    await drain();
    expect((await get('grades', STUDENT)).map((g) => g['letterGradeEarned'])).toEqual(['B+']);
    expect(await get('courseTranscripts', STUDENT)).toEqual([]);
    expect(await get('studentSpecialEducationProgramAssociations', STUDENT)).toEqual([]);
    expect(await get('studentProgramAssociations', STUDENT)).toHaveLength(1);
    expect(await get('programs', 'limit=10')).toHaveLength(2);
  });
});
