import type { MikroORM } from '@mikro-orm/postgresql';
import { prepareDocument, type PreparedDocument } from '../edfi/document-identity.js';
import { isEdfiFailure } from '../edfi/edfi-problem.js';
import { upsertDocuments } from '../records/batch-upsert.js';
import { autocommitRows, boundRows, inPgTransaction, TEXT_ARRAY } from '../storage/bound-statements.js';
import type { SifJsonObject } from '../sif/json-mapping.js';
import { relatedKeyValue } from '../sis-mapping/map-support.js';
import { textOf } from '../sis-mapping/sif-object.js';
import { mapSifObject, sisMapper, type ObjectKey } from '../sis-mapping/sis-mapping.js';
import { applySifObject, type ApplyOutcome, type SyncContext } from './apply-sif.js';

/**
 * SIF_Event Adds of one object type applied many at a time (the node
 * agent's fast path, issue 5 bench): the objects are mapped and prepared in
 * memory, then ONE transaction upserts their documents level by level with
 * multi-row statements (every object's first document, then every second
 * one, …: an object's later documents may reference its earlier ones) and
 * records their ref-map rows in one more statement.
 *
 * The batch is all or nothing: an object whose mapping or validation fails,
 * or one the batch cannot take (it references other SIF objects, needs
 * helper documents, shares an identity with another object of the batch,
 * maps to no document, or its RefId is already stored so it replaces an object),
 * goes through the one-object path (`applySifObject`), and so does every
 * object of a batch the store refuses in part — so each object still lands
 * whole or not at all, and failures come back as the same category 9
 * errors as one by one.
 */

/** One object of the batch, mapped and prepared. */
interface Ready {
  index: number;
  refId: string;
  key: ObjectKey;
  object: SifJsonObject;
  /** The Ed-Fi resource (path segment) of each document. */
  resources: string[];
  documents: PreparedDocument[];
}

/** Options of applySifAdds. */
export interface ApplyAddsOptions {
  /** How many objects that take the one-object path are applied at a time (default 4). */
  concurrency?: number;
  /** The batch may commit without waiting for the WAL flush (PgTransactionOptions): the caller commits synchronously after it. */
  flushedLater?: boolean;
}

/**
 * Applies Add events of `objectName` with distinct RefIds (their order does
 * not matter); outcomes in input order.
 */
export async function applySifAdds(orm: MikroORM, sync: SyncContext, objectName: string, objects: SifJsonObject[], options: ApplyAddsOptions = {}): Promise<ApplyOutcome[]> {
  const { concurrency = 4, flushedLater = false } = options;
  const outcomes = new Array<ApplyOutcome | undefined>(objects.length);
  const { ready: prepared, single } = prepareBatch(sync, objectName, objects);
  // An Add for a RefId already stored replaces the object: what it no longer maps to goes, which only the one-object path does.
  const known = prepared.length > 0 ? await knownRefIds(orm, sync, objectName, prepared.map((r) => r.refId)) : new Set<string>();
  const ready = prepared.filter((r) => !known.has(r.refId));
  single.push(...prepared.filter((r) => known.has(r.refId)).map((r) => r.index));
  const ids = ready.length > 0 ? await writeBatch(orm, sync, objectName, ready, flushedLater) : undefined;
  if (ids) {
    for (const r of ready) {
      const documents = r.resources.map((resource, i) => ({ resource, id: ids.get(r.index)![i]! }));
      outcomes[r.index] = { kind: 'applied', objectName, refId: r.refId, documents };
    }
  } else {
    single.push(...ready.map((r) => r.index));
  }
  const queue = single.sort((a, b) => a - b);
  const worker = async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) outcomes[i] = await applySifObject(orm, sync, objectName, 'Add', objects[i]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  return outcomes as ApplyOutcome[];
}

/** The RefIds among `refIds` the zone already has rows for (one primary-key lookup). */
async function knownRefIds(orm: MikroORM, sync: SyncContext, objectName: string, refIds: string[]): Promise<Set<string>> {
  const rows = await autocommitRows<{ ref_id: string }>(
    orm.em,
    `SELECT DISTINCT ref_id FROM sif_ref_map WHERE zone_id = ? AND object_name = ? AND ref_id = ANY(${TEXT_ARRAY})`,
    [sync.zoneId, objectName, JSON.stringify(refIds)],
  );
  return new Set(rows.map((r) => r.ref_id));
}

/** Maps and prepares what the batch can take; the indexes of the rest go the one-object way. */
function prepareBatch(sync: SyncContext, objectName: string, objects: SifJsonObject[]): { ready: Ready[]; single: number[] } {
  const mapper = sisMapper(objectName);
  const single: number[] = [];
  const ready: Ready[] = [];
  const identities = new Set<string>();
  const context = { codes: sync.codes, localEducationAgencyId: sync.localEducationAgencyId, keyOf: () => undefined };
  objects.forEach((object, index) => {
    const item = mapper && !mapper.related && mapper.references(object).length === 0 ? prepareOne(sync, objectName, object, index, context) : undefined;
    const keys = item?.documents.map((d) => `${d.key} ${d.identityHash}`) ?? [];
    if (!item || keys.some((k) => identities.has(k))) {
      single.push(index);
      return;
    }
    for (const k of keys) identities.add(k);
    ready.push(item);
  });
  return { ready, single };
}

function prepareOne(sync: SyncContext, objectName: string, object: SifJsonObject, index: number, context: Parameters<typeof mapSifObject>[2]): Ready | undefined {
  const mapped = mapSifObject(objectName, object, context);
  if (mapped.kind !== 'mapped' || !mapped.refId || mapped.documents.length === 0 || mapped.documents.some((d) => d.ensure)) return undefined;
  const documents: PreparedDocument[] = [];
  for (const doc of mapped.documents) {
    const model = sync.spec.resource('ed-fi', doc.resource);
    if (!model) return undefined;
    // Not cloned as the one-object path does: this mapping is fresh and read by nothing else, and
    // prepareDocument copies the top level and only drops `link`s and nulls below it.
    const prepared = prepareDocument(sync.spec, model, doc.document);
    if (isEdfiFailure(prepared)) return undefined;
    documents.push(prepared);
  }
  return { index, refId: mapped.refId, key: mapped.key, object, resources: mapped.documents.map((d) => d.resource), documents };
}

/**
 * Writes the batch in one transaction; resolves with each object's document
 * ids by input index, or undefined when the store refused any document (the
 * transaction is rolled back).
 */
async function writeBatch(orm: MikroORM, sync: SyncContext, objectName: string, ready: Ready[], flushedLater: boolean): Promise<Map<number, string[]> | undefined> {
  const levels = Math.max(...ready.map((r) => r.documents.length));
  // A document that references another of its own level cannot be written in the same statement.
  for (let level = 0; level < levels; level += 1) {
    const identities = new Set(ready.map((r) => r.documents[level]).filter((d) => d !== undefined).map((d) => `${d.key} ${d.identityHash}`));
    if (ready.some((r) => r.documents[level]?.references.some((ref) => identities.has(`${ref.target} ${ref.hash}`)))) return undefined;
  }
  const refused = Symbol('refused');
  try {
    // On a pooled pg connection (inPgTransaction): MikroORM's and knex's transactions cost far more per batch.
    return await inPgTransaction(orm.em, async (tx) => {
      const ids = new Map<number, string[]>(ready.map((r) => [r.index, []]));
      for (let level = 0; level < levels; level += 1) {
        const at = ready.filter((r) => r.documents[level]);
        const results = await upsertDocuments(tx, at.map((r) => r.documents[level]!));
        results.forEach((result, i) => {
          if (result.kind === 'failed') throw refused;
          ids.get(at[i]!.index)!.push(result.id);
        });
      }
      await saveRefRows(tx, sync, objectName, ready, ids);
      return ids;
    }, { flushedLater });
  } catch (error) {
    if (error === refused) return undefined;
    throw error;
  }
}

/** The ref-map rows of every object of the batch, in one statement (same rows as the one-object path). */
async function saveRefRows(tx: Parameters<typeof boundRows>[0], sync: SyncContext, objectName: string, ready: Ready[], ids: Map<number, string[]>): Promise<void> {
  const findBy = sisMapper(objectName)?.findBy;
  const rows = ready.flatMap((r) =>
    r.documents.map((d, position) => ({
      ref_id: r.refId,
      resource: r.resources[position],
      position,
      edfi_id: ids.get(r.index)![position],
      natural_key: d.identity,
      object_key: r.key,
      sif_object: position === 0 ? r.object : null,
      related_key: position === 0 && findBy ? relatedKeyValue(findBy, (name) => textOf(r.object[name])) : null,
    })),
  );
  await boundRows(
    tx,
    `INSERT INTO sif_ref_map (zone_id, object_name, ref_id, resource, position, edfi_id, natural_key, object_key, sif_object, related_key)
     SELECT ?, ?, r.ref_id, r.resource, r.position, r.edfi_id, r.natural_key, r.object_key, r.sif_object, r.related_key
       FROM jsonb_to_recordset(?::jsonb) AS r(ref_id text, resource text, position smallint, edfi_id text, natural_key jsonb, object_key jsonb, sif_object jsonb, related_key text)
     ON CONFLICT (zone_id, object_name, ref_id, position) DO UPDATE SET resource = EXCLUDED.resource, edfi_id = EXCLUDED.edfi_id,
       natural_key = EXCLUDED.natural_key, object_key = EXCLUDED.object_key, sif_object = EXCLUDED.sif_object,
       related_key = EXCLUDED.related_key, updated_at = now()`,
    [sync.zoneId, objectName, JSON.stringify(rows)],
  );
}
