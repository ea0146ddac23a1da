/**
 * The Ed-Fi document store on PostgreSQL (tables in records-migration.ts).
 *
 * Every write is one SQL statement: a CTE checks the references and upserts
 * the document with its reference keys, so a write costs one round trip.
 * Behaviour follows the Ed-Fi ODS/API 7.x: POST upserts by natural key, PUT by
 * id refuses identity changes unless the resource allows them, DELETE refuses
 * while another document references the target, an unresolved reference is a
 * conflict and an unknown descriptor a validation failure. The change version
 * (one sequence for every change) doubles as the ETag.
 *
 * Known gap: references are checked without locking the targets (locking the
 * same school or descriptor row from every concurrent write serializes them
 * through MultiXacts), so a DELETE racing a write that references the deleted
 * document can leave one dangling reference.
 */
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { boundRows, isUniqueViolation } from '../storage/bound-statements.js';
import { edfiFailure, type EdfiFailure } from '../edfi/edfi-problem.js';
import { newDocumentId, referenceKey, type PreparedDocument, type ResolvableReference } from '../edfi/document-identity.js';
import { resourceKey, type ResourceModel } from '../edfi/resource-model.js';

/** A stored document's version information. */
export interface DocumentVersion {
  readonly id: string;
  /** The ETag (without quotes): the change version as a decimal string. */
  readonly etag: string;
  readonly changeVersion: number;
  readonly lastModified: Date;
}

/** Outcome of an upsert (POST). */
export type UpsertResult = ({ kind: 'created' } & DocumentVersion) | ({ kind: 'updated' } & DocumentVersion) | { kind: 'failed'; failure: EdfiFailure };

/** Outcome of an update by id (PUT). */
export type UpdateResult = ({ kind: 'updated' } & DocumentVersion) | { kind: 'failed'; failure: EdfiFailure };

/** Outcome of a delete. */
export type DeleteResult = { kind: 'deleted'; changeVersion: number } | { kind: 'failed'; failure: EdfiFailure };

interface WriteRow {
  missing: Array<[string, string]> | null;
  id: string | null;
  created: boolean | null;
  change_version: string | null;
  last_modified: Date | null;
}

/**
 * Creates or updates a document by its natural key (Ed-Fi POST semantics).
 * The document must come from `prepareDocument` (validated).
 */
export async function upsertDocument(em: EntityManager, document: PreparedDocument): Promise<UpsertResult> {
  const references = referenceKeysJson(document.references);
  const [row] = await boundRows<WriteRow>(
    em,
    `WITH ${REFERENCE_CHECK},
     written AS (
       INSERT INTO edfi_document AS d (id, resource, identity_hash, identity, alias_resource, alias_hash, body, education_organization_ids, reference_keys, change_version)
       SELECT ?::text, ?::text, ?::text, ?::jsonb, ?::text, ?::text, ?::jsonb, ?::bigint[], ${REFERENCE_KEYS}, nextval('edfi_change_version')
       WHERE NOT EXISTS (SELECT 1 FROM missing)
       ON CONFLICT (resource, identity_hash) DO UPDATE SET
         body = excluded.body, identity = excluded.identity, education_organization_ids = excluded.education_organization_ids,
         reference_keys = excluded.reference_keys, change_version = excluded.change_version, last_modified = now()
       RETURNING d.id, (d.xmax = 0) AS created, d.change_version, d.last_modified
     )
     SELECT (SELECT json_agg(json_build_array(res, hash)) FROM missing) AS missing, w.id, w.created, w.change_version, w.last_modified
     FROM (SELECT 1) AS one LEFT JOIN written w ON true`,
    [
      references,
      newDocumentId(),
      document.key,
      document.identityHash,
      JSON.stringify(document.identity),
      document.alias?.target ?? null,
      document.alias?.hash ?? null,
      JSON.stringify(document.body),
      pgArray(document.educationOrganizationIds),
    ],
  );
  if (row!.missing) return { kind: 'failed', failure: missingFailure(document.references, row!.missing) };
  return { kind: row!.created ? 'created' : 'updated', ...version(row!) };
}

/**
 * Replaces the document `id` (Ed-Fi PUT semantics). `ifMatch` (an ETag
 * without quotes) makes the update conditional: a concurrent change in
 * between is refused with `optimistic-lock-failed`, never lost.
 */
export async function updateDocument(em: EntityManager, id: string, document: PreparedDocument, ifMatch?: string): Promise<UpdateResult> {
  try {
    return await updateById(em, id, document, ifMatch);
  } catch (error) {
    // Changing the identity to one another document has is Ed-Fi's non-unique-identity conflict.
    if (error instanceof UniqueConstraintViolationException || isUniqueViolation(error)) {
      return { kind: 'failed', failure: edfiFailure('non-unique-identity', 'A resource with the same identifying values already exists.') };
    }
    throw error;
  }
}

async function updateById(em: EntityManager, id: string, document: PreparedDocument, ifMatch?: string): Promise<UpdateResult> {
  const references = referenceKeysJson(document.references);
  const [row] = await boundRows<WriteRow & { found: boolean; old_hash: string | null; stale: boolean; dependents: boolean }>(
    em,
    `WITH ${REFERENCE_CHECK},
     old AS (SELECT id, resource, identity_hash, alias_resource, alias_hash, change_version FROM edfi_document WHERE id = ? AND resource = ?),
     dependents AS (SELECT 1 FROM old o WHERE o.identity_hash <> ? AND edfi_document_referenced(${keysNamingTarget('o')}, o.id)),
     written AS (
       UPDATE edfi_document d SET body = ?::jsonb, identity = ?::jsonb, identity_hash = ?, alias_hash = ?,
         education_organization_ids = ?::bigint[], reference_keys = ${REFERENCE_KEYS},
         change_version = nextval('edfi_change_version'), last_modified = now()
       FROM old o
       WHERE d.id = o.id AND NOT EXISTS (SELECT 1 FROM missing) AND NOT EXISTS (SELECT 1 FROM dependents)
         AND (?::bigint IS NULL OR d.change_version = ?::bigint)
         AND (d.identity_hash = ? OR ?::boolean)
       RETURNING d.id, false AS created, d.change_version, d.last_modified
     )
     SELECT EXISTS (SELECT 1 FROM old) AS found, (SELECT identity_hash FROM old) AS old_hash,
       (SELECT ?::bigint IS NOT NULL AND change_version <> ?::bigint FROM old) AS stale,
       EXISTS (SELECT 1 FROM dependents) AS dependents,
       (SELECT json_agg(json_build_array(res, hash)) FROM missing) AS missing, w.id, w.created, w.change_version, w.last_modified
     FROM (SELECT 1) AS one LEFT JOIN written w ON true`,
    [
      references,
      id,
      document.key,
      document.identityHash,
      JSON.stringify(document.body),
      JSON.stringify(document.identity),
      document.identityHash,
      document.alias?.hash ?? null,
      pgArray(document.educationOrganizationIds),
      ifMatch ?? null,
      ifMatch ?? null,
      document.identityHash,
      document.resource.allowIdentityUpdate,
      ifMatch ?? null,
      ifMatch ?? null,
    ],
  );
  const result = row!;
  if (result.id) return { kind: 'updated', ...version(result) };
  if (!result.found) return { kind: 'failed', failure: edfiFailure('not-found', 'Resource to update was not found.') };
  if (result.stale) return { kind: 'failed', failure: edfiFailure('optimistic-lock-failed', 'The resource item has been modified by another user.') };
  if (result.old_hash !== document.identityHash && !document.resource.allowIdentityUpdate) {
    return { kind: 'failed', failure: edfiFailure('key-change-not-supported', 'Identifying values for the resource cannot be changed.') };
  }
  if (result.missing) return { kind: 'failed', failure: missingFailure(document.references, result.missing) };
  if (result.dependents) {
    return { kind: 'failed', failure: edfiFailure('dependent-item-exists', 'The identifying values cannot be changed while other resources refer to this one.') };
  }
  return { kind: 'failed', failure: edfiFailure('optimistic-lock-failed', 'The resource item has been modified by another user.') };
}

/** Deletes document `id` of a resource, leaving a tombstone for `/deletes`. */
export async function deleteDocument(em: EntityManager, resource: ResourceModel, id: string, ifMatch?: string): Promise<DeleteResult> {
  const [row] = await boundRows<{ found: boolean; stale: boolean; dependents: boolean; change_version: string | null }>(
    em,
    `WITH target AS (
       SELECT id, resource, identity_hash, alias_resource, alias_hash, identity, change_version FROM edfi_document
       WHERE id = ? AND resource = ? FOR UPDATE
     ),
     dependents AS (SELECT 1 FROM target t WHERE edfi_document_referenced(${keysNamingTarget('t')}, t.id)),
     gone AS (
       DELETE FROM edfi_document d USING target t
       WHERE d.id = t.id AND NOT EXISTS (SELECT 1 FROM dependents) AND (?::bigint IS NULL OR t.change_version = ?::bigint)
       RETURNING d.id, d.resource, d.identity, d.education_organization_ids
     ),
     tomb AS (
       INSERT INTO edfi_deleted (id, resource, identity, education_organization_ids, change_version)
       SELECT id, resource, identity, education_organization_ids, nextval('edfi_change_version') FROM gone RETURNING change_version
     )
     SELECT EXISTS (SELECT 1 FROM target) AS found, EXISTS (SELECT 1 FROM dependents) AS dependents,
       (SELECT ?::bigint IS NOT NULL AND change_version <> ?::bigint FROM target) AS stale,
       (SELECT change_version FROM tomb) AS change_version`,
    [id, resourceKey(resource.project, resource.name), ifMatch ?? null, ifMatch ?? null, ifMatch ?? null, ifMatch ?? null],
  );
  if (row!.change_version) return { kind: 'deleted', changeVersion: Number(row!.change_version) };
  if (!row!.found) return { kind: 'failed', failure: edfiFailure('not-found', 'Resource to delete was not found.') };
  if (row!.stale) return { kind: 'failed', failure: edfiFailure('optimistic-lock-failed', 'The resource item has been modified by another user.') };
  return {
    kind: 'failed',
    failure: edfiFailure('dependent-item-exists', 'The requested action cannot be performed because this item is referenced by an existing item.'),
  };
}

/**
 * Every reference of the document (a JSON array of its reference keys, as
 * the batch upsert takes them too), checked against documents and
 * superclass aliases.
 */
const REFERENCE_CHECK = `
  refs AS (SELECT k AS key, ${referenceKeyParts('k')} FROM jsonb_array_elements_text(?::jsonb) AS k),
  missing AS (
    SELECT r.res, r.hash FROM refs r
    -- By identity first; by superclass alias (abstract targets such as educationOrganizations) only when not found.
    WHERE COALESCE((SELECT true FROM edfi_document d WHERE d.resource = r.res AND d.identity_hash = r.hash LIMIT 1),
                   (SELECT true FROM edfi_document d WHERE d.alias_resource = r.res AND d.alias_hash = r.hash LIMIT 1)) IS NULL
  )`;

/**
 * The written document's reference keys (`referenceKey`): references to
 * documents and to descriptor values alike, so DELETE of either answers 409
 * while it is still used (ODS/API enforces both with foreign keys).
 */
const REFERENCE_KEYS = `ARRAY(SELECT r.key FROM refs r)`;

/** SQL: the target resource (`res`) and identity hash (`hash`) of the reference key in column `key` (see `referenceKey`). */
export function referenceKeyParts(key: string): string {
  return `split_part(${key}, ' ', 1) AS res, split_part(${key}, ' ', 2) AS hash`;
}

/**
 * The keys under which other documents name the document `alias` (a row of
 * edfi_document): by its own identity and, for subclasses such as schools,
 * by its superclass identity. `edfi_document_referenced` (a function, see
 * reference-keys-migration.ts) looks them up in the GIN index on reference_keys.
 */
function keysNamingTarget(alias: string): string {
  return `array_remove(ARRAY[${alias}.resource || ' ' || ${alias}.identity_hash, ${alias}.alias_resource || ' ' || ${alias}.alias_hash], NULL)`;
}

function referenceKeysJson(references: readonly ResolvableReference[]): string {
  return JSON.stringify(references.map(referenceKey));
}

function pgArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

function version(row: WriteRow): DocumentVersion {
  return { id: row.id!, etag: String(row.change_version), changeVersion: Number(row.change_version), lastModified: new Date(row.last_modified!) };
}

/**
 * The failure for a write whose references `missing` (`[resource, hash]`
 * pairs) were not found: unknown descriptors are validation failures (400),
 * other missing targets unresolved references (409), as the ODS/API answers.
 */
export function missingFailure(references: readonly ResolvableReference[], missing: Array<[string, string]>): EdfiFailure {
  const keys = new Set(missing.map(([target, hash]) => referenceKey({ target, hash })));
  const unresolved = references.filter((r) => keys.has(referenceKey(r)));
  const descriptors = unresolved.filter((r) => r.isDescriptor);
  if (descriptors.length > 0) {
    const validationErrors: Record<string, string[]> = {};
    for (const d of descriptors) (validationErrors[d.path] ??= []).push(`${descriptorName(d.target)} value does not exist.`);
    return edfiFailure('data-validation-failed', 'Data validation failed. See validationErrors for details.', { validationErrors });
  }
  return edfiFailure('unresolved-reference', 'One or more references could not be resolved. See errors for details.', {
    errors: unresolved.map((r) => `The referenced '${referencedName(r.path)}' resource at ${r.path} does not exist.`),
  });
}

function descriptorName(target: string): string {
  const name = target.split('/')[1]!.replace(/s$/, '');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * 'Student' for `$.studentReference`, 'ClassPeriod' for `$.classPeriods[0].classPeriodReference`:
 * the reference's own property names the resource in the singular, where the target's path segment
 * would need English plurals undone (`people`, `localEducationAgencies`).
 */
function referencedName(path: string): string {
  const property = path.slice(path.lastIndexOf('.') + 1).replace(/Reference$/, '');
  return property.charAt(0).toUpperCase() + property.slice(1);
}
