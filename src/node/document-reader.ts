import type { MikroORM } from '@mikro-orm/postgresql';
import { resourceKey } from '../edfi/resource-model.js';
import type { DocumentReader } from './district-places.js';

/** Documents read per round trip: small enough to keep memory flat, large enough to be quick. */
const BATCH = 1000;

/**
 * Reads the node's stored Ed-Fi core documents of one resource (e.g.
 * `schools`) from its document store, in storage order, in batches by
 * keyset so a large district streams without being held in memory.
 */
export function readNodeDocuments(orm: MikroORM): DocumentReader {
  return async function* read(resource: string) {
    const em = orm.em.fork();
    let after = 0;
    for (;;) {
      const rows: Array<{ seq: string; body: Record<string, unknown> }> = await em.execute(
        'SELECT seq, body FROM edfi_document WHERE resource = ? AND seq > ? ORDER BY seq LIMIT ?',
        [resourceKey('ed-fi', resource), after, BATCH],
      );
      for (const row of rows) yield row.body;
      if (rows.length < BATCH) return;
      after = Number(rows[rows.length - 1]!.seq);
    }
  };
}
