import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { prepareDocument, type PreparedDocument } from '../edfi/document-identity.js';
import { isEdfiFailure, type EdfiFailure } from '../edfi/edfi-problem.js';
import type { EdfiSpec } from '../edfi/edfi-spec.js';
import { deleteDocument, updateDocument, upsertDocument } from '../records/document-store.js';
import { getDocument } from '../records/document-queries.js';
import type { SifJsonObject } from '../sif/json-mapping.js';
import { sifError, type SifError } from '../sif/sif-error.js';
import type { SifEventAction } from '../sif/sif-message.js';
import type { CodeSets } from '../sis-mapping/code-sets.js';
import { mergeSifChange } from '../sis-mapping/merge-sif.js';
import { mapSifObject, sisMapper, type MappedDocument, type MappingContext, type ObjectKey } from '../sis-mapping/sis-mapping.js';

/**
 * Applies SIF objects to the node's Ed-Fi store (issue 5). Each object is
 * applied in its own transaction: it lands whole (every document it maps
 * to, and its ref-map rows) or not at all, and a failure never touches the
 * other objects of the same message. Failures come back as the SIF_Error
 * to answer with, category 9 (Event Reporting and Processing): code 3
 * "Invalid event" when the object cannot be mapped (a missing element, a
 * code with no descriptor, a reference to an object never received), code
 * 1 "Generic error" when the Ed-Fi store refuses the result.
 */

/** What applying objects of one zone needs. */
export interface SyncContext {
  readonly zoneId: string;
  readonly spec: EdfiSpec;
  readonly codes: CodeSets;
  readonly localEducationAgencyId: number;
  /** `resource hash` of helper documents known to exist (year-round sessions, school years). */
  readonly ensured: Set<string>;
}

/** The outcome of one object. */
export type ApplyOutcome =
  | { kind: 'applied'; objectName: string; refId: string; documents: Array<{ resource: string; id: string }> }
  | { kind: 'ignored'; objectName: string; reason: string }
  | { kind: 'failed'; objectName: string; refId?: string; error: SifError };

/** Raised inside an object's transaction to roll it back with the error to answer. */
class SyncFailure extends Error {
  constructor(readonly error: SifError) {
    super(error.extendedDesc ?? error.desc);
  }
}

interface RefRow {
  object_name: string;
  ref_id: string;
  resource: string;
  position: number;
  edfi_id: string;
  object_key: ObjectKey;
  sif_object: SifJsonObject | null;
}

/** Applies one SIF object (an event's or a response's) in its own transaction. */
export async function applySifObject(orm: MikroORM, sync: SyncContext, objectName: string, action: SifEventAction, object: SifJsonObject): Promise<ApplyOutcome> {
  const mapper = sisMapper(objectName);
  if (!mapper) return { kind: 'ignored', objectName, reason: `${objectName} is not mapped to Ed-Fi` };
  const refId = mapper.refIdOf(object);
  if (!refId) return { kind: 'failed', objectName, error: sifError(9, 3, `${objectName} has no RefId (or key attributes)`) };
  try {
    const ensured: string[] = [];
    const documents = await orm.em.fork().transactional((tx) =>
      action === 'Delete' ? deleteObject(tx, sync, objectName, refId) : writeObject(tx, sync, objectName, refId, action, object, ensured),
    );
    // Remembered only once committed: a rolled-back transaction created nothing.
    for (const key of ensured) sync.ensured.add(key);
    return { kind: 'applied', objectName, refId, documents };
  } catch (error) {
    if (error instanceof SyncFailure) {
      // The store refused: a helper document may have been deleted through the API since it was cached.
      if (error.error.code === 1) sync.ensured.clear();
      return { kind: 'failed', objectName, refId, error: error.error };
    }
    throw error;
  }
}

async function loadRows(tx: EntityManager, sync: SyncContext, objectName: string, refId: string, references: Array<[string, string]>): Promise<RefRow[]> {
  return tx.execute<RefRow[]>(
    `SELECT object_name, ref_id, resource, position, edfi_id, object_key, sif_object FROM sif_ref_map
      WHERE zone_id = ? AND ((object_name = ? AND ref_id = ?)
        OR (object_name, ref_id) IN (SELECT o, r FROM jsonb_to_recordset(?::jsonb) AS x(o text, r text)))
      ORDER BY position`,
    [sync.zoneId, objectName, refId, JSON.stringify(references.map(([o, r]) => ({ o, r })))],
  );
}

function mappingContext(sync: SyncContext, rows: RefRow[]): MappingContext {
  const keys = new Map(rows.map((r) => [`${r.object_name} ${r.ref_id}`, r.object_key]));
  return { codes: sync.codes, localEducationAgencyId: sync.localEducationAgencyId, keyOf: (name, id) => keys.get(`${name} ${id}`) };
}

function storeFailure(failure: EdfiFailure, resource: string): never {
  const details = failure.validationErrors ? ` ${JSON.stringify(failure.validationErrors)}` : failure.errors ? ` ${failure.errors.join(' ')}` : '';
  throw new SyncFailure(sifError(9, 1, `Ed-Fi ${resource}: ${failure.kind}: ${failure.detail}${details}`));
}

function prepare(sync: SyncContext, resource: string, document: Record<string, unknown>): PreparedDocument {
  const model = sync.spec.resource('ed-fi', resource);
  if (!model) throw new Error(`the SIF mapping produced an unknown Ed-Fi resource ${resource}`);
  const prepared = prepareDocument(sync.spec, model, document);
  if (isEdfiFailure(prepared)) storeFailure(prepared, resource);
  return prepared;
}

async function writeObject(tx: EntityManager, sync: SyncContext, objectName: string, refId: string, action: SifEventAction, object: SifJsonObject, ensured: string[]) {
  const mapper = sisMapper(objectName)!;
  const own = (rows: RefRow[]) => rows.filter((r) => r.object_name === objectName && r.ref_id === refId);
  // A Change carries only what changed: merge it onto the object as last known, then map the whole.
  // An Add replaces the object whole (upsert by natural key): only a Change needs what is stored.
  let rows = action === 'Change' ? await loadRows(tx, sync, objectName, refId, []) : [];
  const stored = own(rows).find((r) => r.sif_object)?.sif_object ?? undefined;
  const full = stored ? mergeSifChange(stored, object) : object;
  const references = mapper.references(full).filter(([, id]) => id !== '');
  if (references.length > 0) rows = [...rows, ...(await loadRows(tx, sync, '', '', references))];
  const mapped = mapSifObject(objectName, full, mappingContext(sync, rows));
  if (mapped.kind === 'failed') throw new SyncFailure(sifError(9, 3, `${objectName} ${refId}: ${mapped.reason}`));
  const previous = stored ? mapSifObject(objectName, stored, mappingContext(sync, rows)) : undefined;
  const written: Array<{ resource: string; id: string; identity: Record<string, unknown> }> = [];
  for (const doc of mapped.documents) {
    if (doc.ensure) {
      ensured.push(await ensureDocument(tx, sync, doc));
      continue;
    }
    const existing = own(rows).find((r) => r.resource === doc.resource);
    const before = previous?.kind === 'mapped' ? previous.documents.find((d) => d.resource === doc.resource)?.document : undefined;
    written.push(await writeOwned(tx, sync, doc, action === 'Change' ? existing?.edfi_id : undefined, before));
  }
  await saveRows(tx, sync, objectName, refId, mapped.key, full, written);
  return written.map(({ resource, id }) => ({ resource, id }));
}

/**
 * Writes a document the object owns. A Change updates the stored document
 * by id: properties the SIF object maps (now or before) are replaced or
 * removed, any other property (set through the Ed-Fi API) is kept.
 */
async function writeOwned(tx: EntityManager, sync: SyncContext, doc: MappedDocument, id: string | undefined, before: Record<string, unknown> | undefined) {
  if (id) {
    const model = sync.spec.resource('ed-fi', doc.resource)!;
    const current = await getDocument(tx, model, id);
    if (current) {
      const { id: _id, _etag, _lastModifiedDate, ...body } = JSON.parse(current.json) as Record<string, unknown>;
      for (const name of Object.keys(before ?? {})) delete body[name];
      const prepared = prepare(sync, doc.resource, { ...body, ...doc.document });
      const result = await updateDocument(tx, id, prepared);
      if (result.kind === 'failed') storeFailure(result.failure, doc.resource);
      return { resource: doc.resource, id: result.id, identity: prepared.identity };
    }
  }
  const prepared = prepare(sync, doc.resource, structuredClone(doc.document));
  const result = await upsertDocument(tx, prepared);
  if (result.kind === 'failed') storeFailure(result.failure, doc.resource);
  return { resource: doc.resource, id: result.id, identity: prepared.identity };
}

/** Creates a helper document when it does not exist yet (never changes an existing one); returns its cache key. */
async function ensureDocument(tx: EntityManager, sync: SyncContext, doc: MappedDocument): Promise<string> {
  const prepared = prepare(sync, doc.resource, structuredClone(doc.document));
  const key = `${prepared.key} ${prepared.identityHash}`;
  if (sync.ensured.has(key)) return key;
  const found = await tx.execute<unknown[]>('SELECT 1 FROM edfi_document WHERE resource = ? AND identity_hash = ?', [prepared.key, prepared.identityHash]);
  if (found.length === 0) {
    const result = await upsertDocument(tx, prepared);
    if (result.kind === 'failed') storeFailure(result.failure, doc.resource);
  }
  return key;
}

async function saveRows(tx: EntityManager, sync: SyncContext, objectName: string, refId: string, key: ObjectKey, sifObject: SifJsonObject, written: Array<{ resource: string; id: string; identity: Record<string, unknown> }>) {
  const rows = written.map((w, position) => ({ resource: w.resource, position, edfi_id: w.id, natural_key: w.identity, sif_object: position === 0 ? sifObject : null }));
  await tx.execute(
    `INSERT INTO sif_ref_map (zone_id, object_name, ref_id, resource, position, edfi_id, natural_key, object_key, sif_object)
     SELECT ?, ?, ?, r.resource, r.position, r.edfi_id, r.natural_key, ?::jsonb, r.sif_object
       FROM jsonb_to_recordset(?::jsonb) AS r(resource text, position smallint, edfi_id text, natural_key jsonb, sif_object jsonb)
     ON CONFLICT (zone_id, object_name, ref_id, resource) DO UPDATE SET position = EXCLUDED.position, edfi_id = EXCLUDED.edfi_id,
       natural_key = EXCLUDED.natural_key, object_key = EXCLUDED.object_key, sif_object = EXCLUDED.sif_object, updated_at = now()`,
    [sync.zoneId, objectName, refId, JSON.stringify(key), JSON.stringify(rows)],
  );
}

/** A Delete removes the documents the object owns, last first; an object never received is already gone. */
async function deleteObject(tx: EntityManager, sync: SyncContext, objectName: string, refId: string) {
  const rows = (await loadRows(tx, sync, objectName, refId, [])).sort((a, b) => b.position - a.position);
  for (const row of rows) {
    const model = sync.spec.resource('ed-fi', row.resource)!;
    const result = await deleteDocument(tx, model, row.edfi_id);
    if (result.kind === 'failed' && result.failure.kind !== 'not-found') storeFailure(result.failure, row.resource);
  }
  await tx.execute('DELETE FROM sif_ref_map WHERE zone_id = ? AND object_name = ? AND ref_id = ?', [sync.zoneId, objectName, refId]);
  return rows.map((r) => ({ resource: r.resource, id: r.edfi_id }));
}


/**
 * Applies many objects of one type (a SIF_Response packet), each in its own
 * transaction, `concurrency` at a time; objects with the same key go one
 * after the other in their order, so the last one wins as it would in
 * sequence. Outcomes come back in input order.
 */
export async function applySifObjects(orm: MikroORM, sync: SyncContext, objectName: string, action: SifEventAction, objects: SifJsonObject[], concurrency = 4): Promise<ApplyOutcome[]> {
  const mapper = sisMapper(objectName);
  const outcomes = new Array<ApplyOutcome>(objects.length);
  const groups = new Map<string, number[]>();
  objects.forEach((object, i) => {
    const key = mapper?.refIdOf(object) ?? `#${i}`;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const i of group) outcomes[i] = await applySifObject(orm, sync, objectName, action, objects[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return outcomes;
}
