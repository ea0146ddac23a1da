import type { EntityManager } from '@mikro-orm/postgresql';
import type { PreparedDocument } from '../edfi/document-identity.js';
import { boundRows } from '../storage/bound-statements.js';

/**
 * Which Ed-Fi records a client may touch, decided from the education
 * organizations it was created for, as the ODS/API's relationship-based
 * authorization does (RelationshipsWithEdOrgsAndPeople):
 *
 * - an LEA id covers the LEA and every school whose `localEducationAgencyReference` names it;
 * - a record that names education organizations (its `education_organization_ids`: school,
 *   LEA, `educationOrganizationId` …) is in scope when one of them is covered;
 * - a record about a student (its identity has `studentUniqueId`) also needs the student to
 *   be enrolled (a studentSchoolAssociation) at a covered school, except the associations
 *   that establish that relationship (studentSchoolAssociations,
 *   studentEducationOrganizationAssociations), which need only their education organization;
 * - a contact is in scope through a studentContactAssociation with a student in scope;
 * - a new student or contact may be created by any client (ODS: it becomes reachable once
 *   associated), but not read, changed or deleted until it is in scope;
 * - records with neither (descriptors, school years …) are open to every client.
 *
 * Queries use {@link RecordScope.listCondition}, so lists return only records in scope
 * with a correct `Total-Count`; single records use {@link RecordScope.permits}. When the
 * client covers every organization the node holds (the usual LEA-wide client of a district
 * node), no filter is applied: every stored record is then in scope, students not yet
 * enrolled included.
 */

/** What the scope needs to know of a record: the store's derived columns. */
export interface ScopedRecord {
  /** `project/resource`, e.g. `ed-fi/studentSchoolAssociations`. */
  readonly resource: string;
  /** Identity in reference form. */
  readonly identity: Readonly<Record<string, unknown>>;
  readonly educationOrganizationIds: readonly number[];
}

/** An SQL condition over `edfi_document` rows, with its bindings (knex `?` placeholders). */
export interface SqlCondition {
  readonly sql: string;
  readonly params: readonly unknown[];
}

const ENROLLMENT = 'ed-fi/studentSchoolAssociations';
const CONTACT_LINK = 'ed-fi/studentContactAssociations';
/** Associations that establish a person's relationship: their education organization suffices. */
const RELATIONSHIP_RESOURCES = new Set([ENROLLMENT, 'ed-fi/studentEducationOrganizationAssociations']);

/** The records one client may touch. */
export class RecordScope {
  private readonly covered: ReadonlySet<number>;
  private readonly literal: string;

  /**
   * @param educationOrganizationIds the covered organizations (the client's, plus the schools of its LEAs)
   * @param everything whether they cover every organization the node holds, so no filter is needed
   */
  constructor(
    readonly educationOrganizationIds: readonly number[],
    readonly everything: boolean,
  ) {
    this.covered = new Set(educationOrganizationIds);
    this.literal = `{${educationOrganizationIds.join(',')}}`;
  }

  /**
   * The condition restricting rows of `edfi_document` (named `alias` in the
   * query: the table name itself when it has no alias) to this scope, or null
   * when nothing is out of scope.
   */
  listCondition(alias = 'edfi_document'): SqlCondition | null {
    if (this.everything) return null;
    const d = alias;
    const sql = `(
      (cardinality(${d}.education_organization_ids) = 0 OR ${d}.education_organization_ids && ?::bigint[])
      AND (${d}.identity->>'studentUniqueId' IS NULL OR ${d}.resource IN ('${ENROLLMENT}', 'ed-fi/studentEducationOrganizationAssociations')
           OR EXISTS (SELECT 1 FROM edfi_document rex_s WHERE rex_s.identity->>'studentUniqueId' = ${d}.identity->>'studentUniqueId'
                      AND rex_s.resource = '${ENROLLMENT}' AND rex_s.education_organization_ids && ?::bigint[]))
      AND (${d}.identity->>'contactUniqueId' IS NULL OR ${d}.identity->>'studentUniqueId' IS NOT NULL
           OR EXISTS (SELECT 1 FROM edfi_document rex_c JOIN edfi_document rex_e
                        ON rex_e.identity->>'studentUniqueId' = rex_c.identity->>'studentUniqueId' AND rex_e.resource = '${ENROLLMENT}'
                      WHERE rex_c.resource = '${CONTACT_LINK}' AND rex_c.identity->>'contactUniqueId' = ${d}.identity->>'contactUniqueId'
                        AND rex_e.education_organization_ids && ?::bigint[]))
    )`;
    return { sql, params: [this.literal, this.literal, this.literal] };
  }

  /**
   * Whether one record is in scope. `isNew` is true when the request would
   * create it (a new student or contact may be created by any client).
   */
  async permits(em: EntityManager, record: ScopedRecord, isNew = false): Promise<boolean> {
    // Checked even when the scope covers everything: a record may name a new organization (a school of another LEA).
    const orgs = record.educationOrganizationIds;
    if (orgs.length > 0 && !orgs.some((id) => this.covered.has(id)) && !(await this.newSchoolInScope(em, orgs))) return false;
    if (this.everything || RELATIONSHIP_RESOURCES.has(record.resource)) return true;
    const student = record.identity.studentUniqueId;
    if (typeof student === 'string') return (isNew && record.resource === 'ed-fi/students') || (await this.studentInScope(em, student));
    const contact = record.identity.contactUniqueId;
    if (typeof contact === 'string') return (isNew && record.resource === 'ed-fi/contacts') || (await this.contactInScope(em, contact));
    return true;
  }

  /** Whether a stored document is in scope; undefined when there is no document `id`. */
  async permitsStored(em: EntityManager, id: string): Promise<boolean | undefined> {
    const [row] = await boundRows<{ resource: string; identity: Record<string, unknown>; ids: Array<string | number> }>(
      em,
      'SELECT resource, identity, education_organization_ids AS ids FROM edfi_document WHERE id = ?',
      [id],
    );
    if (!row) return undefined;
    return this.permits(em, { resource: row.resource, identity: row.identity, educationOrganizationIds: row.ids.map(Number) });
  }

  /**
   * Whether a document may be written by natural key (POST, bulk): a new
   * student or contact may be created; an existing one must be in scope.
   */
  async permitsWrite(em: EntityManager, record: ScopedRecord & { identityHash: string }): Promise<boolean> {
    if (this.everything || (record.resource !== 'ed-fi/students' && record.resource !== 'ed-fi/contacts')) return this.permits(em, record);
    const existing = await boundRows(em, 'SELECT 1 FROM edfi_document WHERE resource = ? AND identity_hash = ?', [record.resource, record.identityHash]);
    return this.permits(em, record, existing.length === 0);
  }

  /** A school added since the scope was resolved is covered when its LEA is (scopes are cached for seconds). */
  private async newSchoolInScope(em: EntityManager, orgs: readonly number[]): Promise<boolean> {
    const rows = await boundRows(
      em,
      `SELECT 1 FROM edfi_document WHERE resource = 'ed-fi/schools' AND (identity->>'schoolId')::bigint = ANY(?::bigint[])
         AND education_organization_ids && ?::bigint[] LIMIT 1`,
      [`{${orgs.join(',')}}`, this.literal],
    );
    return rows.length > 0;
  }

  private async studentInScope(em: EntityManager, studentUniqueId: string): Promise<boolean> {
    const rows = await boundRows(
      em,
      `SELECT 1 FROM edfi_document WHERE identity->>'studentUniqueId' = ? AND resource = ? AND education_organization_ids && ?::bigint[] LIMIT 1`,
      [studentUniqueId, ENROLLMENT, this.literal],
    );
    return rows.length > 0;
  }

  private async contactInScope(em: EntityManager, contactUniqueId: string): Promise<boolean> {
    const rows = await boundRows(
      em,
      `SELECT 1 FROM edfi_document c JOIN edfi_document e ON e.identity->>'studentUniqueId' = c.identity->>'studentUniqueId' AND e.resource = ?
        WHERE c.resource = ? AND c.identity->>'contactUniqueId' = ? AND e.education_organization_ids && ?::bigint[] LIMIT 1`,
      [ENROLLMENT, CONTACT_LINK, contactUniqueId, this.literal],
    );
    return rows.length > 0;
  }
}

/**
 * Expands a client's organizations into a {@link RecordScope}: adds the
 * schools of its LEAs, and notes whether that covers every school and LEA the
 * node holds (then lists need no filter at all).
 */
export async function resolveScope(em: EntityManager, educationOrganizationIds: readonly number[]): Promise<RecordScope> {
  const literal = `{${educationOrganizationIds.join(',')}}`;
  const schools = await em.execute<Array<{ id: string | number }>>(
    `SELECT (identity->>'schoolId')::bigint AS id FROM edfi_document WHERE resource = 'ed-fi/schools' AND education_organization_ids && ?::bigint[]`,
    [literal],
  );
  const covered = new Set([...educationOrganizationIds, ...schools.map((row) => Number(row.id))]);
  const [outside] = await em.execute<Array<{ n: string | number }>>(
    `SELECT count(*) AS n FROM edfi_document
      WHERE resource IN ('ed-fi/schools', 'ed-fi/localEducationAgencies', 'ed-fi/stateEducationAgencies', 'ed-fi/educationServiceCenters',
                         'ed-fi/postSecondaryInstitutions', 'ed-fi/educationOrganizationNetworks', 'ed-fi/communityOrganizations', 'ed-fi/communityProviders',
                         'ed-fi/organizationDepartments')
        AND NOT (education_organization_ids && ?::bigint[])`,
    [`{${[...covered].join(',')}}`],
  );
  return new RecordScope([...covered].sort((a, b) => a - b), Number(outside?.n ?? 0) === 0);
}

/** The scope view of a prepared (validated) document. */
export function scopedRecordOf(document: PreparedDocument): ScopedRecord & { identityHash: string } {
  return { resource: document.key, identity: document.identity, identityHash: document.identityHash, educationOrganizationIds: document.educationOrganizationIds };
}
