import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/load-config.js';
import { buildNodeApp } from '../../src/http/node-app.js';
import { zoneDeliveryFor } from '../../src/http/zone-routes.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { decodeSif } from '../../src/sif/sif-codec.js';
import { startInitialSync, syncProgress } from '../../src/sis-sync/initial-sync.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from '../support/database.js';
import { ACADEMIC_RECORD_XML, ACADEMIC_REF, FINAL_MARKS_XML, GRADE_XML, MARKS_XML, PARTICIPATION_504_XML, PARTICIPATION_XML } from '../support/sis-academic-samples.js';
import { eventXml, msgId, SIS_REF, SIS_SAMPLES } from '../support/sis-samples.js';

/** Marks, grades, academic records and programs from SIF into the Ed-Fi store (issue 5), over the zone endpoint and real PostgreSQL. */

const ZONE = 'district-sis';
const STUDENT = 'studentUniqueId=708000001';
const PROVIDED = [...new Set([...SIS_SAMPLES.map(([n]) => n), 'StudentSectionMarks', 'StudentGrade', 'StudentParticipation', 'StudentAcademicRecord'])];
let orm: MikroORM;
let app: FastifyInstance;

async function post(xml: string) {
  const response = await app.inject({ method: 'POST', url: `/zones/${ZONE}`, headers: { 'content-type': 'application/xml' }, payload: xml });
  const decoded = decodeSif(response.body, 'xml');
  if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error(response.body);
  return decoded.message;
}

function header(id = msgId()) {
  return `<SIF_Header><SIF_MsgId>${id}</SIF_MsgId><SIF_Timestamp>2026-01-15T10:00:00Z</SIF_Timestamp><SIF_SourceId>SIS-AGENT</SIF_SourceId></SIF_Header>`;
}

async function publish(objectName: string, action: 'Add' | 'Change' | 'Delete', xml: string): Promise<string> {
  const id = msgId();
  const ack = await post(eventXml(objectName, action, xml, id));
  expect(ack.status?.code, JSON.stringify(ack.error)).toBe(0);
  return id;
}

async function drain(): Promise<void> {
  const worker = zoneDeliveryFor(orm)!;
  while ((await worker.drain()) > 0);
}

async function get(resource: string, query: string): Promise<Array<Record<string, unknown>>> {
  const response = await app.inject({ method: 'GET', url: `/data/v3/ed-fi/${resource}?${query}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as Array<Record<string, unknown>>;
}

async function failures(id: string) {
  return orm.em.fork().execute<Array<{ object_name: string; category: number; code: number; reason: string }>>('SELECT object_name, category, code, reason FROM sif_sync_failure WHERE msg_id = ?', [id]);
}

beforeAll(async () => {
  const url = await createTestDatabase('node');
  orm = await openDatabase(url, nodeSchema, 10);
  const config = checkConfig({
    dataDir: mkdtempSync(join(tmpdir(), 'rex-sis-academic-')),
    databaseUrl: url,
    logLevel: 'silent',
    node: { routerUrl: 'http://127.0.0.1:9', district: { ncesId: '0499901', name: 'Saguaro Unified', state: 'AZ' }, edfi: { requireToken: false } },
  });
  app = await buildNodeApp({ config, orm });
  const register = await post(
    `<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x" Version="2.4"><SIF_Register>${header()}<SIF_Name>SIS</SIF_Name><SIF_Version>2.4</SIF_Version><SIF_MaxBufferSize>1048576</SIF_MaxBufferSize><SIF_Mode>Pull</SIF_Mode></SIF_Register></SIF_Message>`,
  );
  expect(register.status?.code).toBe(0);
  const provide = await post(`<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x" Version="2.4"><SIF_Provide>${header()}${PROVIDED.map((n) => `<SIF_Object ObjectName="${n}"/>`).join('')}</SIF_Provide></SIF_Message>`);
  expect(provide.status?.code, JSON.stringify(provide.error)).toBe(0);
  for (const [name, xml] of SIS_SAMPLES) await publish(name, 'Add', xml);
  await drain();
});

afterAll(async () => {
  await app?.close();
  await orm?.close(true);
});

describe('SIF marks, records and programs into the Ed-Fi store', () => {
  it('applies Adds: grades, a course transcript entry, and program associations appear through the Ed-Fi API', async () => {
    for (const [name, xml] of [['StudentSectionMarks', MARKS_XML], ['StudentSectionMarks', FINAL_MARKS_XML], ['StudentGrade', GRADE_XML], ['StudentParticipation', PARTICIPATION_XML], ['StudentParticipation', PARTICIPATION_504_XML]] as const) {
      const id = await publish(name, 'Add', xml);
      await drain();
      expect(await failures(id), name).toEqual([]);
    }
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
    const started = await startInitialSync(orm.em.fork(), ZONE, 'StudentAcademicRecord');
    if (started.kind !== 'sent') throw new Error(JSON.stringify(started));
    const response = `<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x" Version="2.4"><SIF_Response>${header()}<SIF_RequestMsgId>${started.msgId}</SIF_RequestMsgId><SIF_PacketNumber>1</SIF_PacketNumber><SIF_MorePackets>No</SIF_MorePackets><SIF_ObjectData>${ACADEMIC_RECORD_XML}</SIF_ObjectData></SIF_Response></SIF_Message>`;
    expect((await post(response)).status?.code).toBe(0);
    await drain();
    expect(await syncProgress(orm.em.fork(), ZONE, started.msgId)).toMatchObject({ objects: 1, failures: 0, complete: true });
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
    const attributes = (xml: string) => xml.slice(0, xml.indexOf('>')) + '/>';
    await publish('StudentGrade', 'Delete', `<StudentGrade RefId="${ACADEMIC_REF.grade}"/>`);
    await publish('StudentSectionMarks', 'Delete', attributes(FINAL_MARKS_XML));
    await publish('StudentParticipation', 'Delete', `<StudentParticipation RefId="${ACADEMIC_REF.participation}" StudentPersonalRefId="${SIS_REF.student}"/>`);
    await drain();
    expect((await get('grades', STUDENT)).map((g) => g['letterGradeEarned'])).toEqual(['C+']);
    expect(await get('courseTranscripts', STUDENT)).toEqual([]);
    expect(await get('studentSpecialEducationProgramAssociations', STUDENT)).toEqual([]);
    expect(await get('studentProgramAssociations', STUDENT)).toHaveLength(1);
    expect(await get('programs', 'limit=10')).toHaveLength(2);
  });
});
