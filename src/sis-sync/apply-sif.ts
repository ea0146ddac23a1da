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
import { relatedKeyValue, type RelatedObject } from '../sis-mapping/map-support.js';
import { mergeSifChange } from '../sis-mapping/merge-sif.js';
import { textOf } from '../sis-mapping/sif-object.js';
import { mapSifObject, sisMapper, type MappedDocument, type MappingContext, type ObjectKey } from '../sis-mapping/sis-mapping.js';
import { inTransaction, TEXT_ARRAY } from '../storage/bound-statements.js';

/**
 * Applies SIF objects to the node's Ed-Fi store (issue 5). Each object is
 * applied in its own transaction: it lands whole (every document it maps
 * to, the removal of the documents it no longer maps to, and its ref-map
 * rows) or not at all, and a failure never touches the other objects of
 * the same message. Failures come back as the SIF_Error
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
  /** Null on the one row of an object that maps to no owned document (it still holds the key and SIF object). */
  edfi_id: string | null;
  natural_key: Record<string, unknown> | null;
  object_key: ObjectKey;
  sif_object: SifJsonObject | null;
}

/** An owned document written for an object (its ref-map row to be). */
interface Written {
  resource: string;
  id: string;
  identity: Record<string, unknown>;
}

/** Applies one SIF object (an event's or a response's) in its own transaction. */
export async function applySifObject(orm: MikroORM, sync: SyncContext, objectName: string, action: SifEventAction, object: SifJsonObject): Promise<ApplyOutcome> {
  const mapper = sisMapper(objectName);
  if (!mapper) return { kind: 'ignored', objectName, reason: `${objectName} is not mapped to Ed-Fi` };
  const refId = mapper.refIdOf(object);
  if (!refId) return { kind: 'failed', objectName, error: sifError(9, 3, `${objectName} has no RefId (or key attributes)`) };
  try {
    const ensured: string[] = [];
    // Not em.transactional, which would switch on async hooks in the SIS agent thread for good (inTransaction).
    const documents = await inTransaction(orm.em, (tx) =>
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
    `SELECT object_name, ref_id, resource, position, edfi_id, natural_key, object_key, sif_object FROM sif_ref_map
      WHERE zone_id = ? AND ((object_name = ? AND ref_id = ?)
        OR (object_name, ref_id) IN (SELECT o, r FROM jsonb_to_recordset(?::jsonb) AS x(o text, r text)))
      ORDER BY position`,
    [sync.zoneId, objectName, refId, JSON.stringify(references.map(([o, r]) => ({ o, r })))],
  );
}

function mappingContext(sync: SyncContext, rows: RefRow[]): MappingContext {
  const keys = new Map(rows.map((r) => [`${r.object_name} ${r.ref_id}`, r.object_key]));
  return {
    codes: sync.codes,
    localEducationAgencyId: sync.localEducationAgencyId,
    keyOf: (name, id) => keys.get(`${name} ${id}`),
    relatedKeyOf: (name, attributes) => keys.get(`${name} ${relatedId(attributes)}`),
  };
}

/** The pseudo RefId a related object's row is filed under in the mapping context (never a real RefId). */
function relatedId(attributes: Readonly<Record<string, string>>): string {
  return `?${JSON.stringify(attributes)}`;
}

/** The related key a stored object is filed under (its mapper's `findBy` values), or null when nothing finds it. */
function storedRelatedKey(objectName: string, object: SifJsonObject): string | null {
  const findBy = sisMapper(objectName)?.findBy;
  return findBy ? relatedKeyValue(findBy, (name) => textOf(object[name])) : null;
}

/**
 * The rows of objects found by attribute values (SifObjectMapper.related),
 * the latest stored one each, through the `sif_ref_map_related` index.
 */
async function loadRelated(tx: EntityManager, sync: SyncContext, related: RelatedObject[]): Promise<RefRow[]> {
  const rows: RefRow[] = [];
  for (const { objectName, attributes } of related) {
    const findBy = sisMapper(objectName)?.findBy;
    if (!findBy || findBy.length !== Object.keys(attributes).length || findBy.some((name) => !(name in attributes))) {
      throw new Error(`${objectName} is not found by ${Object.keys(attributes).join(', ')}: its mapper's findBy must list exactly these attributes`);
    }
    const found = await tx.execute<RefRow[]>(
      `SELECT object_name, ref_id, resource, position, edfi_id, NULL AS natural_key, object_key, NULL AS sif_object FROM sif_ref_map
        WHERE zone_id = ? AND object_name = ? AND related_key = ? ORDER BY updated_at DESC LIMIT 1`,
      [sync.zoneId, objectName, relatedKeyValue(findBy, (name) => attributes[name])],
    );
    rows.push(...found.map((r) => ({ ...r, ref_id: relatedId(attributes) })));
  }
  return rows;
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

/** The (object name, RefId) pairs a mapping needs keys of. */
function referencesOf(objectName: string, object: SifJsonObject): Array<[string, string]> {
  return sisMapper(objectName)!.references(object).filter(([, id]) => id !== '');
}

/** What writing an object starts from: the ref-map rows it needs, the object as last stored, and the whole object to map. */
interface WriteInput {
  rows: RefRow[];
  stored: SifJsonObject | undefined;
  full: SifJsonObject;
}

/**
 * Loads what an Add or Change needs. A Change carries only what changed: it
 * is merged onto the object as last known, then the whole is mapped. An Add
 * replaces the object whole (upsert by natural key); its own rows only tell
 * what it no longer maps to.
 */
async function loadForWrite(tx: EntityManager, sync: SyncContext, objectName: string, refId: string, action: SifEventAction, object: SifJsonObject): Promise<WriteInput> {
  if (action !== 'Change') return { rows: await loadRows(tx, sync, objectName, refId, referencesOf(objectName, object)), stored: undefined, full: object };
  let rows = await loadRows(tx, sync, objectName, refId, []);
  const stored = rows.find((r) => r.sif_object)?.sif_object ?? undefined;
  const full = stored ? mergeSifChange(stored, object) : object;
  const references = referencesOf(objectName, full);
  if (references.length > 0) rows = [...rows, ...(await loadRows(tx, sync, '', '', references))];
  return { rows, stored, full };
}

async function writeObject(tx: EntityManager, sync: SyncContext, objectName: string, refId: string, action: SifEventAction, object: SifJsonObject, ensured: string[]) {
  const mapper = sisMapper(objectName)!;
  const { rows: own, stored, full } = await loadForWrite(tx, sync, objectName, refId, action, object);
  const related = mapper.related?.(full) ?? [];
  const rows = related.length > 0 ? [...own, ...(await loadRelated(tx, sync, related))] : own;
  const context = mappingContext(sync, rows);
  const mapped = mapSifObject(objectName, full, context);
  if (mapped.kind === 'failed') throw new SyncFailure(sifError(9, 3, `${objectName} ${refId}: ${mapped.reason}`));
  const previous = stored ? mapSifObject(objectName, stored, context) : undefined;
  // The owned documents as last written, by ref-map position (rows are rewritten whole on every write).
  const before = previous?.kind === 'mapped' ? previous.documents.filter((d) => !d.ensure) : [];
  const ownedRows = rows.filter((r) => r.object_name === objectName && r.ref_id === refId && r.edfi_id !== null);
  const owned = mapped.documents.filter((d) => !d.ensure);
  const pairs = action === 'Change' ? pairRows(sync, owned, ownedRows) : [];
  const written: Written[] = [];
  for (const doc of mapped.documents) {
    if (doc.ensure) {
      ensured.push(await ensureDocument(tx, sync, doc));
      continue;
    }
    const row = pairs[owned.indexOf(doc)];
    const previousDoc = row ? before[row.position] : undefined;
    written.push(await writeOwned(tx, sync, doc, row?.edfi_id ?? undefined, previousDoc?.resource === doc.resource ? previousDoc.document : undefined));
  }
  // What the object mapped to before and maps to no longer goes, in the same transaction (a Change or Add replaces the object).
  const kept = new Set(written.map((w) => w.id));
  await removeDocuments(tx, sync, objectName, refId, ownedRows.filter((r) => !kept.has(r.edfi_id!)), `${action} no longer maps to`);
  await saveRows(tx, sync, objectName, refId, mapped.key, full, written);
  return written.map(({ resource, id }) => ({ resource, id }));
}

/** A JSON value with object keys sorted, to compare an identity with the one a row recorded (jsonb reorders keys). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * For a Change, the stored document each newly mapped owned document
 * updates: the one of the same resource and natural key, else (the key
 * changed) the first unclaimed one of the same resource; none when the
 * document is new. Rows left unpaired are what the object no longer maps to.
 */
function pairRows(sync: SyncContext, owned: MappedDocument[], rows: RefRow[]): Array<RefRow | undefined> {
  const claimed = new Set<RefRow>();
  const identities = owned.map((doc) => canonical(prepare(sync, doc.resource, structuredClone(doc.document)).identity));
  const pairs = owned.map((doc, i) => {
    const row = rows.find((r) => !claimed.has(r) && r.resource === doc.resource && canonical(r.natural_key) === identities[i]);
    if (row) claimed.add(row);
    return row;
  });
  return pairs.map((pair, i) => {
    if (pair) return pair;
    const row = rows.find((r) => !claimed.has(r) && r.resource === owned[i]!.resource);
    if (row) claimed.add(row);
    return row;
  });
}

/**
 * Writes a document the object owns. A Change updates the stored document
 * by id: properties the SIF object maps (now or before) are replaced or
 * removed, any other property (set through the Ed-Fi API) is kept. When
 * the natural key changed and the resource does not allow that (Ed-Fi
 * key-change-not-supported), the new document is created instead and the
 * old one goes with the documents the object no longer maps to.
 */
async function writeOwned(tx: EntityManager, sync: SyncContext, doc: MappedDocument, id: string | undefined, before: Record<string, unknown> | undefined): Promise<Written> {
  if (id) {
    const model = sync.spec.resource('ed-fi', doc.resource)!;
    const current = await getDocument(tx, model, id);
    if (current) {
      const { id: _id, _etag, _lastModifiedDate, ...body } = JSON.parse(current.json) as Record<string, unknown>;
      for (const name of Object.keys(before ?? {})) delete body[name];
      const prepared = prepare(sync, doc.resource, { ...body, ...doc.document });
      const result = await updateDocument(tx, id, prepared);
      if (result.kind !== 'failed') return { resource: doc.resource, id: result.id, identity: prepared.identity };
      if (result.failure.kind !== 'key-change-not-supported') storeFailure(result.failure, doc.resource);
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

/**
 * Rewrites the object's ref-map rows: one per owned document in mapping
 * order (the first also holds the SIF object and its related key), or one
 * row with no document when it owns none; rows past the new last position go.
 */
async function saveRows(tx: EntityManager, sync: SyncContext, objectName: string, refId: string, key: ObjectKey, sifObject: SifJsonObject, written: Written[]) {
  const documents: Array<Written | undefined> = written.length > 0 ? written : [undefined];
  const relatedKey = storedRelatedKey(objectName, sifObject);
  const rows = documents.map((w, position) => ({
    resource: w?.resource ?? '',
    position,
    edfi_id: w?.id ?? null,
    natural_key: w?.identity ?? {},
    sif_object: position === 0 ? sifObject : null,
    related_key: position === 0 ? relatedKey : null,
  }));
  await tx.execute(
    `WITH gone AS (DELETE FROM sif_ref_map WHERE zone_id = ? AND object_name = ? AND ref_id = ? AND position >= ?)
     INSERT INTO sif_ref_map (zone_id, object_name, ref_id, resource, position, edfi_id, natural_key, object_key, sif_object, related_key)
     SELECT ?, ?, ?, r.resource, r.position, r.edfi_id, r.natural_key, ?::jsonb, r.sif_object, r.related_key
       FROM jsonb_to_recordset(?::jsonb) AS r(resource text, position smallint, edfi_id text, natural_key jsonb, sif_object jsonb, related_key text)
     ON CONFLICT (zone_id, object_name, ref_id, position) DO UPDATE SET resource = EXCLUDED.resource, edfi_id = EXCLUDED.edfi_id,
       natural_key = EXCLUDED.natural_key, object_key = EXCLUDED.object_key, sif_object = EXCLUDED.sif_object,
       related_key = EXCLUDED.related_key, updated_at = now()`,
    [sync.zoneId, objectName, refId, rows.length, sync.zoneId, objectName, refId, JSON.stringify(key), JSON.stringify(rows)],
  );
}

/**
 * Deletes documents an object owned, last position first (an object's later
 * documents may reference its earlier ones). A document another SIF object
 * also maps to stays (it is only unlinked from this one). A document other
 * Ed-Fi documents still refer to cannot go (Ed-Fi DELETE answers
 * dependent-item-exists): the whole object fails with category 9 and its
 * transaction rolls back, so nothing of it is half applied.
 */
async function removeDocuments(tx: EntityManager, sync: SyncContext, objectName: string, refId: string, rows: RefRow[], why: string): Promise<void> {
  const targets = rows.filter((r) => r.edfi_id !== null).sort((a, b) => b.position - a.position);
  if (targets.length === 0) return;
  const shared = await tx.execute<Array<{ edfi_id: string }>>(
    `SELECT DISTINCT edfi_id FROM sif_ref_map
      WHERE edfi_id = ANY(${TEXT_ARRAY}) AND NOT (zone_id = ? AND object_name = ? AND ref_id = ?)`,
    [JSON.stringify(targets.map((r) => r.edfi_id)), sync.zoneId, objectName, refId],
  );
  const keep = new Set(shared.map((r) => r.edfi_id));
  for (const row of targets.filter((r) => !keep.has(r.edfi_id!))) {
    const model = sync.spec.resource('ed-fi', row.resource)!;
    const result = await deleteDocument(tx, model, row.edfi_id!);
    if (result.kind === 'deleted' || result.failure.kind === 'not-found') continue;
    if (result.failure.kind === 'dependent-item-exists') {
      throw new SyncFailure(
        sifError(9, 1, `${objectName} ${refId}: the ${why} Ed-Fi ${row.resource} ${row.edfi_id}, which other Ed-Fi documents still refer to (dependent-item-exists); nothing of this object was applied`),
      );
    }
    storeFailure(result.failure, row.resource);
  }
}

/** A Delete removes the documents the object owns, last first; an object never received is already gone. */
async function deleteObject(tx: EntityManager, sync: SyncContext, objectName: string, refId: string) {
  const rows = await loadRows(tx, sync, objectName, refId, []);
  await removeDocuments(tx, sync, objectName, refId, rows, 'Delete removes');
  await tx.execute('DELETE FROM sif_ref_map WHERE zone_id = ? AND object_name = ? AND ref_id = ?', [sync.zoneId, objectName, refId]);
  return rows.filter((r) => r.edfi_id !== null).map((r) => ({ resource: r.resource, id: r.edfi_id! }));
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
