/**
 * Reading the Ed-Fi document store: by id, by property values with
 * offset/limit paging, change queries (`minChangeVersion`/`maxChangeVersion`,
 * `/deletes`, available change versions), and the education organizations a
 * student relates to (for the access helper's scoping).
 *
 * Documents come back as JSON text, assembled by PostgreSQL from the stored
 * body without parsing it: a page of 500 is one query returning one row.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { identityHash } from '../edfi/document-identity.js';
import { boundRows } from '../storage/bound-statements.js';
import { resourceKey, type ResourceModel } from '../edfi/resource-model.js';

/** A document as the API returns it: JSON text with `id`, `_etag` and `_lastModifiedDate`. */
export interface StoredDocument {
  readonly id: string;
  readonly etag: string;
  readonly changeVersion: number;
  readonly json: string;
}

/** Filters and paging of a resource query. */
export interface DocumentQuery {
  /** Property values in reference form (identity fields) or top-level scalars, already typed. */
  readonly where?: Readonly<Record<string, string | number | boolean>>;
  readonly offset: number;
  readonly limit: number;
  readonly minChangeVersion?: number;
  readonly maxChangeVersion?: number;
  readonly totalCount?: boolean;
  /** Only documents naming one of these education organizations (for authorization scoping). */
  readonly educationOrganizationIds?: readonly number[];
  /** An SQL condition over `edfi_document` (no alias) from the access layer (src/clients/record-scope.ts). */
  readonly condition?: { readonly sql: string; readonly params: readonly unknown[] };
}

/** A page of documents as the JSON array the API returns, and, when asked, the total count. */
export interface DocumentPage {
  /** The documents as one JSON array text (`[…]`), in insertion order. */
  readonly json: string;
  readonly count: number;
  readonly totalCount?: number;
}

/** A tombstone of the change queries' `/deletes`. */
export interface DeletedDocument {
  id: string;
  changeVersion: number;
  keyValues: Record<string, unknown>;
}

interface DocumentRow {
  id: string;
  seq: string;
  change_version: string;
  last_modified: Date;
  body: string;
}

const SELECT_DOCUMENT = `SELECT id, seq, change_version, last_modified, body::text AS body FROM edfi_document`;

/** One document of a resource by id, or undefined. */
export async function getDocument(em: EntityManager, resource: ResourceModel, id: string): Promise<StoredDocument | undefined> {
  const [row] = await boundRows<DocumentRow>(em, `${SELECT_DOCUMENT} WHERE id = ? AND resource = ?`, [id, resourceKey(resource.project, resource.name)]);
  return row ? { id: row.id, etag: row.change_version, changeVersion: Number(row.change_version), json: documentJson(row) } : undefined;
}

/** The education organization ids stored with a document (see `prepareDocument`). */
export async function documentEducationOrganizationIds(em: EntityManager, id: string): Promise<number[]> {
  const [row] = await boundRows<{ ids: string[] }>(em, `SELECT education_organization_ids AS ids FROM edfi_document WHERE id = ?`, [id]);
  return (row?.ids ?? []).map(Number);
}

/** The schools and other education organizations a student is enrolled in or associated with. */
export async function studentEducationOrganizationIds(em: EntityManager, studentUniqueId: string): Promise<number[]> {
  const rows = await boundRows<{ id: string }>(
    em,
    `SELECT DISTINCT unnest(education_organization_ids) AS id FROM edfi_document
     WHERE identity->>'studentUniqueId' = ? AND resource IN ('ed-fi/studentSchoolAssociations', 'ed-fi/studentEducationOrganizationAssociations')`,
    [studentUniqueId],
  );
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/**
 * Remembers where sequential paging left off, so `offset=N` right after the
 * page ending at N continues by key (`seq > last`) instead of skipping N rows:
 * a full read of a resource stays linear. Keyed by resource, filters and offset.
 */
const pageCursors = new Map<string, number>();
const MAX_CURSORS = 2000;

/**
 * Documents of a resource matching the query, in insertion order, as the
 * JSON array the API returns. Assembled here from each stored body's text
 * (measured: string concatenation in Node is cheaper than in PostgreSQL).
 */
export async function queryDocuments(em: EntityManager, resource: ResourceModel, query: DocumentQuery): Promise<DocumentPage> {
  const { conditions, params } = whereClause(resource, query);
  const signature = `${resourceKey(resource.project, resource.name)} ${JSON.stringify(params)}`;
  const cursor = query.offset > 0 ? pageCursors.get(`${signature} ${query.offset}`) : undefined;
  const pageConditions = cursor === undefined ? conditions : [...conditions, 'seq > ?'];
  const pageParams = cursor === undefined ? [...params, query.limit, query.offset] : [...params, cursor, query.limit, 0];
  const rows = await boundRows<DocumentRow>(em, `${SELECT_DOCUMENT} WHERE ${pageConditions.join(' AND ')} ORDER BY seq LIMIT ? OFFSET ?`, pageParams);
  if (rows.length === query.limit && rows.length > 0) rememberCursor(`${signature} ${query.offset + query.limit}`, Number(rows.at(-1)!.seq));
  let json = '[';
  for (let i = 0; i < rows.length; i++) json += i === 0 ? documentJson(rows[i]!) : `,${documentJson(rows[i]!)}`;
  json += ']';
  if (!query.totalCount) return { json, count: rows.length };
  const [total] = await boundRows<{ count: string }>(em, `SELECT count(*) AS count FROM edfi_document WHERE ${conditions.join(' AND ')}`, params);
  return { json, count: rows.length, totalCount: Number(total!.count) };
}

/** An SQL condition from the access layer over a table with the document columns (knex `?` placeholders). */
export interface ScopeCondition {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * Deleted documents of a resource (the change queries' `/deletes`).
 * `scope(alias)` gives the access layer's condition over the tombstone table
 * (same columns as `edfi_document`): a client learns only of deletions in its
 * scope, as with every other read.
 */
export async function deletedDocuments(
  em: EntityManager,
  resource: ResourceModel,
  query: Pick<DocumentQuery, 'offset' | 'limit' | 'minChangeVersion' | 'maxChangeVersion'>,
  scope?: (alias: string) => ScopeCondition | null,
): Promise<DeletedDocument[]> {
  const condition = scope?.('edfi_deleted');
  const rows = await boundRows<{ id: string; change_version: string; identity: Record<string, unknown> }>(
    em,
    `SELECT id, change_version, identity FROM edfi_deleted
     WHERE resource = ? AND change_version >= ? AND change_version <= ?${condition ? ` AND ${condition.sql}` : ''}
     ORDER BY change_version LIMIT ? OFFSET ?`,
    [
      resourceKey(resource.project, resource.name),
      query.minChangeVersion ?? 0,
      query.maxChangeVersion ?? Number.MAX_SAFE_INTEGER,
      ...(condition?.params ?? []),
      query.limit,
      query.offset,
    ],
  );
  return rows.map((r) => ({ id: r.id, changeVersion: Number(r.change_version), keyValues: r.identity }));
}

/**
 * The oldest and newest change versions (Ed-Fi change queries
 * `availableChangeVersions`). Without a scope: the sequence's last value. With
 * one: the newest change among the documents and tombstones in scope, so a
 * client cannot watch changes outside its scope happen.
 */
export async function availableChangeVersions(
  em: EntityManager,
  scope?: (alias: string) => ScopeCondition | null,
): Promise<{ oldestChangeVersion: number; newestChangeVersion: number }> {
  const documents = scope?.('edfi_document');
  const deleted = scope?.('edfi_deleted');
  if (!documents || !deleted) {
    const [row] = await boundRows<{ newest: string }>(em, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS newest FROM edfi_change_version`, []);
    return { oldestChangeVersion: 0, newestChangeVersion: Number(row!.newest) };
  }
  const [row] = await boundRows<{ newest: string | null }>(
    em,
    `SELECT GREATEST((SELECT max(change_version) FROM edfi_document WHERE ${documents.sql}),
                     (SELECT max(change_version) FROM edfi_deleted WHERE ${deleted.sql})) AS newest`,
    [...documents.params, ...deleted.params],
  );
  return { oldestChangeVersion: 0, newestChangeVersion: Number(row?.newest ?? 0) };
}

function whereClause(resource: ResourceModel, query: DocumentQuery): { conditions: string[]; params: unknown[] } {
  const conditions = ['resource = ?'];
  const params: unknown[] = [resourceKey(resource.project, resource.name)];
  const where = query.where ?? {};
  const identityNames = resource.identity.map((f) => f.name);
  if (!resource.isDescriptor && identityNames.length > 0 && identityNames.every((name) => name in where)) {
    conditions.push('identity_hash = ?');
    params.push(identityHash(Object.fromEntries(identityNames.map((name) => [name, where[name]]))));
  }
  const onIdentity: Record<string, unknown> = {};
  const onBody: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(where)) {
    if (identityNames.includes(name)) onIdentity[name] = value;
    else onBody[name] = value;
  }
  if (Object.keys(onIdentity).length > 0) {
    conditions.push('identity @> ?::jsonb');
    params.push(JSON.stringify(onIdentity));
  }
  if (Object.keys(onBody).length > 0) {
    conditions.push('body @> ?::jsonb');
    params.push(JSON.stringify(onBody));
  }
  if (query.minChangeVersion !== undefined) {
    conditions.push('change_version >= ?');
    params.push(query.minChangeVersion);
  }
  if (query.maxChangeVersion !== undefined) {
    conditions.push('change_version <= ?');
    params.push(query.maxChangeVersion);
  }
  if (query.educationOrganizationIds) {
    conditions.push('education_organization_ids && ?::bigint[]');
    params.push(`{${query.educationOrganizationIds.join(',')}}`);
  }
  if (query.condition) {
    conditions.push(query.condition.sql);
    params.push(...query.condition.params);
  }
  return { conditions, params };
}

function rememberCursor(key: string, seq: number): void {
  if (pageCursors.size >= MAX_CURSORS) pageCursors.delete(pageCursors.keys().next().value!);
  pageCursors.set(key, seq);
}

/** The API form of a stored document: `id` first, the body's members, then `_etag` and `_lastModifiedDate`. */
function documentJson(row: DocumentRow): string {
  const body = row.body.length > 2 ? `,${row.body.slice(1, -1)}` : '';
  return `{"id":"${row.id}"${body},"_etag":"${row.change_version}","_lastModifiedDate":"${new Date(row.last_modified).toISOString()}"}`;
}
