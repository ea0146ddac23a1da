import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACADEMIC_REF, FINAL_MARKS_XML, PARTICIPATION_XML } from '../support/sis-academic-samples.js';
import { SIS_REF, STUDENT_XML } from '../support/sis-samples.js';
import { startSisSyncApp, type SisSyncApp } from '../support/sis-sync-app.js';

/**
 * A SIF Change (or a repeated Add) that makes an object map to a different
 * set of Ed-Fi documents removes the ones it no longer maps to, in the
 * object's one transaction (issue 5), over the zone endpoint and real PostgreSQL.
 */

const STUDENT = 'studentUniqueId=708000001';
const NIL = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"';
/** A second student nothing else refers to. */
const LONE_REF = '5C000000000000000000000000000020';
const LONE_XML = STUDENT_XML.replace(SIS_REF.student, LONE_REF).replace('<LocalId>708000001</LocalId>', '<LocalId>708000002</LocalId>').replace('123-45-6789', '987-65-4321');
let sis: SisSyncApp;

beforeAll(async () => {
  sis = await startSisSyncApp(['StudentSectionMarks', 'StudentParticipation']);
});

afterAll(async () => {
  await sis?.close();
});

async function rowCount(objectName: string, refId: string): Promise<number> {
  const [row] = await sis.orm.em.fork().execute<Array<{ n: string }>>('SELECT count(*) AS n FROM sif_ref_map WHERE object_name = ? AND ref_id = ?', [objectName, refId]);
  return Number(row!.n);
}

describe('related objects are found through an index', () => {
  it('files a section enrollment under its student and section, keeps it filed across a Change, and the lookup can use the index', async () => {
    await sis.publish('StudentSectionEnrollment', 'Change', `<StudentSectionEnrollment RefId="${SIS_REF.sectionEnrollment}" StudentPersonalRefId="${SIS_REF.student}" SectionInfoRefId="${SIS_REF.section}" SchoolYear="2026"><ExitDate>2025-12-20</ExitDate></StudentSectionEnrollment>`);
    await sis.drain();
    const em = sis.orm.em.fork();
    const [row] = await em.execute<Array<{ related_key: string }>>(`SELECT related_key FROM sif_ref_map WHERE object_name = 'StudentSectionEnrollment' AND ref_id = ?`, [SIS_REF.sectionEnrollment]);
    expect(row!.related_key).toBe(`${SIS_REF.student}\u001f${SIS_REF.section}`);
    const plan = await em.transactional(async (tx) => {
      await tx.execute('SET LOCAL enable_seqscan = off');
      return tx.execute<Array<{ 'QUERY PLAN': string }>>(
        `EXPLAIN SELECT object_key FROM sif_ref_map WHERE zone_id = 'district-sis' AND object_name = 'StudentSectionEnrollment' AND related_key = 'x' ORDER BY updated_at DESC LIMIT 1`,
      );
    });
    expect(plan.map((p) => p['QUERY PLAN']).join('\n')).toContain('sif_ref_map_related');
  });
});

describe('a Change removes the documents its mapping no longer produces', () => {
  it('a final mark that stops being final loses its course transcript entry, keeps its grade and the shared academic record', async () => {
    const add = await sis.publish('StudentSectionMarks', 'Add', FINAL_MARKS_XML);
    await sis.drain();
    expect(await sis.failures(add)).toEqual([]);
    expect(await sis.get('courseTranscripts', STUDENT)).toHaveLength(1);
    const key = FINAL_MARKS_XML.slice(0, FINAL_MARKS_XML.indexOf('>'));
    const change = await sis.publish('StudentSectionMarks', 'Change', `${key}><IsFinal>false</IsFinal></StudentSectionMarks>`);
    await sis.drain();
    expect(await sis.failures(change)).toEqual([]);
    expect(await sis.get('courseTranscripts', STUDENT)).toEqual([]);
    expect((await sis.get('grades', STUDENT)).map((g) => [g['gradeTypeDescriptor'], g['letterGradeEarned']])).toEqual([['uri://ed-fi.org/GradeTypeDescriptor#Grading Period', 'A-']]);
    // The term's academic record is an "ensure" document (shared by every final mark of the term): it stays.
    expect(await sis.get('studentAcademicRecords', STUDENT)).toHaveLength(1);
    const refId = `${SIS_REF.student}:${SIS_REF.section}:${ACADEMIC_REF.firstSemester}`;
    expect(await rowCount('StudentSectionMarks', refId)).toBe(1);
  });

  it('a repeated Add of the whole object replaces it the same way', async () => {
    await sis.publish('StudentSectionMarks', 'Add', FINAL_MARKS_XML);
    await sis.drain();
    expect(await sis.get('courseTranscripts', STUDENT)).toHaveLength(1);
    await sis.publish('StudentSectionMarks', 'Add', FINAL_MARKS_XML.replace('<IsFinal>true</IsFinal>', '<IsFinal>false</IsFinal>'));
    await sis.drain();
    expect(await sis.get('courseTranscripts', STUDENT)).toEqual([]);
    expect(await sis.get('grades', STUDENT)).toHaveLength(1);
  });

  it('a participation moved from special education to another program swaps the association, and shared programs stay', async () => {
    await sis.publish('StudentParticipation', 'Add', PARTICIPATION_XML);
    await sis.drain();
    expect(await sis.get('studentSpecialEducationProgramAssociations', STUDENT)).toHaveLength(1);
    const change = await sis.publish(
      'StudentParticipation',
      'Change',
      `<StudentParticipation RefId="${ACADEMIC_REF.participation}" StudentPersonalRefId="${SIS_REF.student}"><ProgramType><Code>3200</Code></ProgramType></StudentParticipation>`,
    );
    await sis.drain();
    expect(await sis.failures(change)).toEqual([]);
    expect(await sis.get('studentSpecialEducationProgramAssociations', STUDENT)).toEqual([]);
    expect(await sis.get('studentProgramAssociations', STUDENT)).toMatchObject([{ beginDate: '2025-09-02', programReference: { programName: 'Section 504 Placement', educationOrganizationId: 49990100001 } }]);
    expect((await sis.get('programs', 'limit=10')).map((p) => p['programName']).sort()).toEqual(['Section 504 Placement', 'Special Education']);
  });

  it('a student change that drops an identifier: a dropped other id leaves the association, a dropped local id re-keys the student', async () => {
    await sis.publish('StudentPersonal', 'Add', LONE_XML);
    await sis.drain();
    await sis.publish('StudentPersonal', 'Change', `<StudentPersonal RefId="${LONE_REF}"><OtherIdList><OtherId Type="0004" SIF_Action="Delete">987-65-4321</OtherId></OtherIdList></StudentPersonal>`);
    await sis.drain();
    const [association] = await sis.get('studentEducationOrganizationAssociations', 'studentUniqueId=708000002');
    expect((association!['studentIdentificationCodes'] as Array<Record<string, unknown>>).map((c) => c['identificationCode']).sort()).toEqual(['708000002', 'AZ12345']);
    // Without LocalId the RefId is the student's unique id (see studentPersonalMapper): new documents, the old ones go.
    const change = await sis.publish('StudentPersonal', 'Change', `<StudentPersonal RefId="${LONE_REF}"><LocalId ${NIL}/></StudentPersonal>`);
    await sis.drain();
    expect(await sis.failures(change)).toEqual([]);
    expect(await sis.get('students', 'studentUniqueId=708000002')).toEqual([]);
    expect(await sis.get('studentEducationOrganizationAssociations', 'studentUniqueId=708000002')).toEqual([]);
    expect(await sis.get('students', `studentUniqueId=${LONE_REF}`)).toMatchObject([{ firstName: 'Owen', lastSurname: 'Blackwell' }]);
    expect(await sis.get('studentEducationOrganizationAssociations', `studentUniqueId=${LONE_REF}`)).toHaveLength(1);
    expect(await rowCount('StudentPersonal', LONE_REF)).toBe(2);
  });

  it('refuses with category 9 and rolls the whole object back when a document to remove is still referenced', async () => {
    const change = await sis.publish('StudentPersonal', 'Change', `<StudentPersonal RefId="${SIS_REF.student}"><LocalId ${NIL}/><Name Type="04"><LastName>Renamed</LastName><FirstName>Owen</FirstName></Name></StudentPersonal>`);
    await sis.drain();
    const [failure] = await sis.failures(change);
    expect(failure).toMatchObject({ object_name: 'StudentPersonal', category: 9, code: 1 });
    expect(failure!.reason).toContain('dependent-item-exists');
    // Nothing of the Change landed: no new student, the old one and its association unchanged.
    expect(await sis.get('students', `studentUniqueId=${SIS_REF.student}`)).toEqual([]);
    expect(await sis.get('students', STUDENT)).toMatchObject([{ lastSurname: 'Blackwell' }]);
    expect(await sis.get('studentEducationOrganizationAssociations', STUDENT)).toHaveLength(1);
    expect(await sis.get('studentSchoolAssociations', STUDENT)).toHaveLength(1);
  });
});
