import { Migration } from '@mikro-orm/migrations';
import { documentReferences, referenceKey } from '../edfi/document-identity.js';
import { edfiSpec } from '../edfi/edfi-spec.js';
import { resourceKey } from '../edfi/resource-model.js';

/** Documents read per round while back-filling. */
const PAGE = 2000;

/**
 * A document's references move from rows of `edfi_reference` into an array
 * column of the document itself, `reference_keys` (`project/resource hash`
 * per target, see `referenceKey`), with a GIN index for "who refers to this
 * one?" (DELETE's 409 and identity changes ask `edfi_document_referenced`).
 * A row per reference with two B-tree indexes cost more PostgreSQL time than
 * the document row itself: a studentSchoolAssociation names seven targets. GIN's pending list takes new
 * keys in bulk, and replacing a document's references is now part of
 * writing it.
 *
 * The keys are derived from the stored bodies by the same engine code as new
 * writes (`documentReferences`), so old and new documents are alike. Safe to
 * run again: it recomputes every document's keys.
 */
export class Migration20261125EdfiReferenceKeys extends Migration {
  override async up(): Promise<void> {
    await this.execute(`ALTER TABLE edfi_document ADD COLUMN IF NOT EXISTS reference_keys text[] NOT NULL DEFAULT '{}'`);
    await this.backfill();
    await this.execute(`CREATE INDEX IF NOT EXISTS edfi_document_referenced ON edfi_document USING gin (reference_keys)`);
    // The planner cannot see the keys a statement computes from the target row, so it guesses that
    // 0.5% of all documents match and prefers a sequential scan: 80 ms per DELETE at 100,000
    // documents, not the index probe's 1–6 ms. A function with its own setting keeps the index.
    await this.execute(`
      CREATE OR REPLACE FUNCTION edfi_document_referenced(keys text[], self text) RETURNS boolean
      LANGUAGE sql STABLE STRICT SET enable_seqscan = off
      AS $$ SELECT EXISTS (SELECT 1 FROM edfi_document x WHERE x.reference_keys && keys AND x.id <> self) $$`);
    await this.execute(`DROP TABLE IF EXISTS edfi_reference`);
  }

  private async backfill(): Promise<void> {
    const spec = edfiSpec();
    const referring = spec.resources().filter((r) => r.references.length > 0 || r.descriptors.length > 0);
    const byKey = new Map(referring.map((r) => [resourceKey(r.project, r.name), r]));
    const resources = `{${[...byKey.keys()].map((k) => `"${k}"`).join(',')}}`;
    for (let last = 0; ; ) {
      const rows = (await this.execute(
        `SELECT id, seq, resource, body FROM edfi_document WHERE seq > ? AND resource = ANY(?::text[]) ORDER BY seq LIMIT ${PAGE}`,
        [last, resources],
      )) as Array<{ id: string; seq: string | number; resource: string; body: Record<string, unknown> }>;
      if (rows.length === 0) return;
      const keys = rows.map((row) => ({ id: row.id, keys: documentReferences(byKey.get(row.resource)!, row.body).map(referenceKey) }));
      await this.execute(
        `UPDATE edfi_document d SET reference_keys = k.keys
         FROM jsonb_to_recordset(?::jsonb) AS k(id text, keys text[]) WHERE d.id = k.id`,
        [JSON.stringify(keys)],
      );
      last = Number(rows.at(-1)!.seq);
    }
  }
}
