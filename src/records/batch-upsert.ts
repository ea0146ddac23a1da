import type { EntityManager } from '@mikro-orm/postgresql';
import { newDocumentId, referenceKey, type PreparedDocument } from '../edfi/document-identity.js';
import { boundRows, type PgTransaction } from '../storage/bound-statements.js';
import { missingFailure, referenceKeyParts, type UpsertResult } from './document-store.js';

/**
 * Upserts many prepared documents in ONE statement: the same semantics as
 * the store's `upsertDocument` (POST by natural key, references checked,
 * unknown descriptors 400, unresolved references 409, reference keys
 * replaced), but one round trip and one plan for the whole batch instead of
 * one per document — the bulk paths' bottleneck was the per-statement cost
 * in PostgreSQL, not the work on each row.
 *
 * The caller guarantees that no document of the batch references another
 * one of the same batch (the writer batches one dependency level at a time)
 * and that no identity appears twice (ON CONFLICT cannot touch a row twice).
 *
 * Part of the document store (tables in records-migration.ts), used by the
 * bulk paths (src/loading).
 */
export async function upsertDocuments(em: EntityManager | PgTransaction, documents: readonly PreparedDocument[]): Promise<UpsertResult[]> {
  if (documents.length === 0) return [];
  const input = documents.map((d, n) => ({
    n,
    id: newDocumentId(),
    resource: d.key,
    hash: d.identityHash,
    identity: d.identity,
    alias_resource: d.alias?.target ?? null,
    alias_hash: d.alias?.hash ?? null,
    body: d.body,
    orgs: d.educationOrganizationIds,
    keys: d.references.map(referenceKey),
  }));
  const rows = await boundRows<BatchRow>(
    em,
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset(?::jsonb) AS i(n int, id text, resource text, hash text, identity jsonb, alias_resource text, alias_hash text, body jsonb, orgs bigint[], keys text[])
     ),
     refs AS (SELECT i.n, ${referenceKeyParts('k')} FROM input i, unnest(i.keys) AS k),
     -- Each distinct target is looked up once per batch: a batch's records mostly name the same
     -- schools and descriptor values. Correlated scalar subqueries, not NOT EXISTS: the planner cannot
     -- estimate a JSON batch and would otherwise turn the check into an anti-join that scans and sorts
     -- the whole document table per batch. COALESCE keeps the order: by identity first, then (abstract
     -- targets such as educationOrganizations) by superclass alias.
     absent AS (
       SELECT t.res, t.hash FROM (SELECT DISTINCT res, hash FROM refs) t
       WHERE COALESCE((SELECT true FROM edfi_document d WHERE d.resource = t.res AND d.identity_hash = t.hash LIMIT 1),
                      (SELECT true FROM edfi_document d WHERE d.alias_resource = t.res AND d.alias_hash = t.hash LIMIT 1)) IS NULL
     ),
     missing AS (SELECT r.n, r.res, r.hash FROM refs r JOIN absent a ON a.res = r.res AND a.hash = r.hash),
     written AS (
       INSERT INTO edfi_document AS d (id, resource, identity_hash, identity, alias_resource, alias_hash, body, education_organization_ids, reference_keys, change_version)
       SELECT i.id, i.resource, i.hash, i.identity, i.alias_resource, i.alias_hash, i.body, i.orgs, i.keys, nextval('edfi_change_version')
       FROM input i WHERE NOT EXISTS (SELECT 1 FROM missing m WHERE m.n = i.n)
       ORDER BY i.n
       ON CONFLICT (resource, identity_hash) DO UPDATE SET
         body = excluded.body, identity = excluded.identity, education_organization_ids = excluded.education_organization_ids,
         reference_keys = excluded.reference_keys, change_version = excluded.change_version, last_modified = now()
       RETURNING d.id, d.resource, d.identity_hash, (d.xmax = 0) AS created, d.change_version, d.last_modified
     )
     SELECT i.n, w.id, w.created, w.change_version, w.last_modified,
       (SELECT json_agg(json_build_array(m.res, m.hash)) FROM missing m WHERE m.n = i.n) AS missing
     FROM input i LEFT JOIN written w ON w.resource = i.resource AND w.identity_hash = i.hash
     ORDER BY i.n`,
    [JSON.stringify(input)],
    // Named (prepared once per connection): the plan cannot depend on the batch, as PostgreSQL
    // estimates jsonb_to_recordset at 100 rows whatever the JSON holds, so a generic plan is the
    // same plan, and planning this CTE (about 1 ms) is no longer paid per batch. Auto-analyze of
    // edfi_document invalidates it, so it follows the table's growth.
  );
  return rows.map((row): UpsertResult => {
    if (row.id && row.change_version) {
      const version = { id: row.id, etag: String(row.change_version), changeVersion: Number(row.change_version), lastModified: new Date(row.last_modified!) };
      return { kind: row.created ? 'created' : 'updated', ...version };
    }
    return { kind: 'failed', failure: missingFailure(documents[row.n]!.references, row.missing ?? []) };
  });
}

interface BatchRow {
  n: number;
  id: string | null;
  created: boolean | null;
  change_version: string | null;
  last_modified: string | Date | null;
  missing: Array<[string, string]> | null;
}
