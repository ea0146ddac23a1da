/**
 * Reading one student's records from the node's Ed-Fi document store for a
 * transfer: the demographics a request carries, and the records packet a
 * release sends (DESIGN §6.6; seeds/000 lists what the receiving district
 * gets). Documents are read by the store's student index, one query for
 * every resource that names the student, then contacts and discipline
 * incidents by the keys those documents hold.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { demographicsFromEdfi, type EdfiStudentDistrictAssociation, type EdfiStudentNames } from '../matching/edfi-demographics.js';
import type { RequestDemographics } from './transfer-entity.js';
import { boundRows, TEXT_ARRAY } from '../storage/bound-statements.js';

/**
 * The sections of a records packet: a record type (as the FERPA log and the
 * PDF name it) and the Ed-Fi resources (`project/resource`) that hold it.
 */
export const PACKET_SECTIONS: ReadonlyArray<{ recordType: string; resources: readonly string[] }> = [
  { recordType: 'demographics', resources: ['ed-fi/students', 'ed-fi/studentEducationOrganizationAssociations'] },
  { recordType: 'contacts', resources: ['ed-fi/studentContactAssociations', 'ed-fi/contacts'] },
  { recordType: 'enrollment-history', resources: ['ed-fi/studentSchoolAssociations'] },
  { recordType: 'transcripts', resources: ['ed-fi/studentAcademicRecords', 'ed-fi/courseTranscripts'] },
  { recordType: 'assessments', resources: ['ed-fi/studentAssessments'] },
  { recordType: 'immunizations-and-health', resources: ['ed-fi/studentHealths'] },
  { recordType: 'health-conditions-and-screenings', resources: ['rex/studentHealthConditions'] },
  { recordType: 'schedules', resources: ['ed-fi/studentSectionAssociations'] },
  { recordType: 'attendance', resources: ['ed-fi/studentSchoolAttendanceEvents', 'ed-fi/studentSectionAttendanceEvents'] },
  { recordType: 'behavior', resources: ['ed-fi/studentDisciplineIncidentBehaviorAssociations', 'ed-fi/disciplineIncidents'] },
  { recordType: 'grades-and-report-cards', resources: ['ed-fi/grades', 'ed-fi/reportCards'] },
  { recordType: 'special-education', resources: ['ed-fi/studentSpecialEducationProgramAssociations'] },
];

/** Resources whose identity names the student directly (read in one query). */
const STUDENT_RESOURCES = PACKET_SECTIONS.flatMap((s) => s.resources).filter((r) => r !== 'ed-fi/contacts' && r !== 'ed-fi/disciplineIncidents');

/** A student's Ed-Fi documents, by `project/resource`, each list in store order. */
export type StudentDocuments = Record<string, Array<Record<string, unknown>>>;

/** The demographics of a student of this district, or undefined when the store has no such student. */
export async function studentDemographics(em: EntityManager, studentUniqueId: string): Promise<RequestDemographics | undefined> {
  const rows = await boundRows<{ resource: string; body: Record<string, unknown> }>(
    em,
    `SELECT resource, body FROM edfi_document
     WHERE identity->>'studentUniqueId' = ? AND resource IN ('ed-fi/students', 'ed-fi/studentEducationOrganizationAssociations')
     ORDER BY (resource = 'ed-fi/students') DESC, (body->>'sexDescriptor' IS NOT NULL) DESC, last_modified DESC`,
    [studentUniqueId],
  );
  const student = rows.find((r) => r.resource === 'ed-fi/students');
  if (!student) return undefined;
  const seoa = rows.find((r) => r.resource !== 'ed-fi/students');
  return demographicsFromEdfi(student.body as unknown as EdfiStudentNames, seoa?.body as EdfiStudentDistrictAssociation | undefined);
}

/**
 * Every document of the packet's sections about one student: the documents
 * that name the student, the contacts their associations point to, and the
 * discipline incidents their behaviors belong to.
 */
export async function studentDocuments(em: EntityManager, studentUniqueId: string): Promise<StudentDocuments> {
  const rows = await boundRows<{ resource: string; body: Record<string, unknown> }>(
    em,
    `SELECT resource, body FROM edfi_document WHERE identity->>'studentUniqueId' = ? AND resource = ANY(${TEXT_ARRAY}) ORDER BY seq`,
    [studentUniqueId, JSON.stringify(STUDENT_RESOURCES)],
  );
  const documents: StudentDocuments = {};
  for (const row of rows) (documents[row.resource] ??= []).push(row.body);
  const contactIds = (documents['ed-fi/studentContactAssociations'] ?? []).map((d) => (d.contactReference as { contactUniqueId?: string } | undefined)?.contactUniqueId).filter(isString);
  if (contactIds.length > 0) documents['ed-fi/contacts'] = await documentsByIdentity(em, 'ed-fi/contacts', `identity->>'contactUniqueId' = ANY(${TEXT_ARRAY})`, [JSON.stringify(contactIds)]);
  const incidents = (documents['ed-fi/studentDisciplineIncidentBehaviorAssociations'] ?? [])
    .map((d) => d.disciplineIncidentReference as { incidentIdentifier?: string; schoolId?: number } | undefined)
    .filter((r): r is { incidentIdentifier: string; schoolId: number } => Boolean(r?.incidentIdentifier && r.schoolId !== undefined));
  if (incidents.length > 0) {
    const keys = [...new Set(incidents.map((i) => `${i.schoolId}|${i.incidentIdentifier}`))];
    documents['ed-fi/disciplineIncidents'] = await documentsByIdentity(em, 'ed-fi/disciplineIncidents', `(identity->>'schoolId') || '|' || (identity->>'incidentIdentifier') = ANY(${TEXT_ARRAY})`, [JSON.stringify(keys)]);
  }
  return documents;
}

async function documentsByIdentity(em: EntityManager, resource: string, condition: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
  const rows = await boundRows<{ body: Record<string, unknown> }>(em, `SELECT body FROM edfi_document WHERE resource = ? AND ${condition} ORDER BY seq`, [resource, ...params]);
  return rows.map((r) => r.body);
}

/** The record types (PACKET_SECTIONS) the documents hold something of. */
export function recordTypesOf(documents: StudentDocuments): string[] {
  return PACKET_SECTIONS.filter((s) => s.resources.some((r) => (documents[r]?.length ?? 0) > 0)).map((s) => s.recordType);
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
