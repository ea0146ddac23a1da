import { Migration } from '@mikro-orm/migrations';
import { documentReferences } from '../edfi/document-identity.js';
import { edfiSpec } from '../edfi/edfi-spec.js';
import { resourceKey } from '../edfi/resource-model.js';

/** Documents read per round while back-filling. */
const PAGE = 2000;

/**
 * Descriptor references in `edfi_reference`: stores written before this
 * migration recorded only references to documents, so a descriptor still in
 * use could be deleted. This back-fills, for every stored document whose
 * resource has descriptor fields, one reference row per descriptor value it
 * names — derived by the same engine code as new writes
 * (`documentReferences`), so old and new rows are identical.
 */
export class Migration20261124EdfiDescriptorReferences extends Migration {
  override async up(): Promise<void> {
    const spec = edfiSpec();
    const withDescriptors = spec.resources().filter((r) => r.descriptors.length > 0);
    const byKey = new Map(withDescriptors.map((r) => [resourceKey(r.project, r.name), r]));
    for (let last = 0; ; ) {
      const rows = (await this.execute(
        `SELECT id, seq, resource, body FROM edfi_document WHERE seq > ? AND resource = ANY(?::text[]) ORDER BY seq LIMIT ${PAGE}`,
        [last, `{${[...byKey.keys()].map((k) => `"${k}"`).join(',')}}`],
      )) as Array<{ id: string; seq: string | number; resource: string; body: Record<string, unknown> }>;
      if (rows.length === 0) return;
      const references = rows.flatMap((row) =>
        documentReferences(byKey.get(row.resource)!, row.body)
          .filter((r) => r.isDescriptor)
          .map((r) => ({ from: row.id, res: r.target, hash: r.hash })),
      );
      if (references.length > 0) {
        await this.execute(
          `INSERT INTO edfi_reference (from_id, to_resource, to_hash)
           SELECT r."from", r.res, r.hash FROM jsonb_to_recordset(?::jsonb) AS r("from" text, res text, hash text)
           WHERE NOT EXISTS (SELECT 1 FROM edfi_reference x WHERE x.from_id = r."from" AND x.to_resource = r.res AND x.to_hash = r.hash)`,
          [JSON.stringify(references)],
        );
      }
      last = Number(rows.at(-1)!.seq);
    }
  }
}
