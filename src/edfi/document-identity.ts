/**
 * What the engine derives from a document before storing it: its identity in
 * reference form (the values a `…Reference` to it carries), the identities of
 * the documents and descriptors it references, and the education
 * organizations it relates to. Identities are compared by a hash of their
 * canonical JSON, so a reference resolves by one indexed equality.
 */
import * as crypto from 'node:crypto';
import { edfiFailure, type EdfiFailure } from './edfi-problem.js';
import type { EdfiSpec } from './edfi-spec.js';
import { resourceKey, type DocumentPath, type ResourceModel } from './resource-model.js';

/** A reference (to a document or a descriptor) found in a document. */
export interface ResolvableReference {
  /** `project/resource` of the target (or its abstract superclass). */
  readonly target: string;
  readonly hash: string;
  readonly isDescriptor: boolean;
  /** JSON path in the body, for error messages. */
  readonly path: string;
}

/**
 * How the store records a reference: `project/resource hash`, one string, so
 * a document's references fit one indexed array column.
 */
export function referenceKey(reference: Pick<ResolvableReference, 'target' | 'hash'>): string {
  return `${reference.target} ${reference.hash}`;
}

/** A validated document ready to store. */
export interface PreparedDocument {
  readonly resource: ResourceModel;
  /** `project/resource`. */
  readonly key: string;
  /** The body without system properties (`id`, `_etag`, `_lastModifiedDate`, `link`). */
  readonly body: Record<string, unknown>;
  /** Identity in reference form, keys sorted. */
  readonly identity: Record<string, unknown>;
  readonly identityHash: string;
  /** Identity under the abstract superclass, when the resource has one. */
  readonly alias?: { readonly target: string; readonly hash: string };
  readonly references: readonly ResolvableReference[];
  readonly educationOrganizationIds: readonly number[];
}

/** Names of identity fields that designate an education organization. */
const EDUCATION_ORGANIZATION_FIELD = /^(schoolId|localEducationAgencyId|stateEducationAgencyId|educationServiceCenterId|educationOrganizationId)$/;

/** Random bytes drawn in blocks: one `randomBytes` call per id costs more than the id itself. */
const ID_BLOCK = 16 * 256;
let idPool = Buffer.alloc(0);
let idOffset = ID_BLOCK;

/** A new resource id: 32 lowercase hex digits (128 random bits). */
export function newDocumentId(): string {
  if (idOffset >= idPool.length) {
    idPool = crypto.randomBytes(ID_BLOCK);
    idOffset = 0;
  }
  idOffset += 16;
  return idPool.toString('hex', idOffset - 16, idOffset);
}

/** Whether a string is a resource id (32 lowercase hex digits). */
export function isDocumentId(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value);
}

/**
 * The hash of an identity object: of its canonical JSON, the `[key, value]`
 * pairs sorted by key, exactly as `JSON.stringify` writes that array (stored
 * hashes depend on it). Built by hand because it runs several times for
 * every record written.
 */
export function identityHash(identity: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(identity);
  if (keys.length > 1) keys.sort();
  let canonical = '[';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    // Inside an array JSON writes undefined as null.
    canonical += `${i === 0 ? '' : ','}[${JSON.stringify(key)},${JSON.stringify(identity[key]) ?? 'null'}]`;
  }
  return canonicalHash(`${canonical}]`);
}

/**
 * The identity hash of a descriptor value given as its URI (`namespace#codeValue`):
 * the canonical JSON of `{ uri }`, written directly; repeated values are
 * answered from a cache by URI.
 */
export function descriptorHash(uri: string): string {
  return remembered(descriptorHashes, uri, hashOfDescriptorUri);
}

function hashOfDescriptorUri(uri: string): string {
  return shortSha256(`[["uri",${JSON.stringify(uri)}]]`);
}

/**
 * Descriptor hashes by URI, apart from recentHashes: a record names a dozen
 * descriptor values, all but never new, while the identities of new records
 * would keep clearing the shared cache.
 */
const descriptorHashes = new Map<string, string>();

/**
 * Hashes of canonical identities seen lately: documents of a batch name the
 * same schools and sessions again and again, and a SHA-256 costs more than
 * the lookup.
 */
const recentHashes = new Map<string, string>();

/** Entries a hash cache holds before it is cleared (a bound, not an LRU). */
const CACHE_BOUND = 50_000;

/** `compute(key)`, from `cache` when it was computed lately. */
function remembered(cache: Map<string, string>, key: string, compute: (key: string) => string): string {
  let value = cache.get(key);
  if (value === undefined) {
    value = compute(key);
    if (cache.size >= CACHE_BOUND) cache.clear();
    cache.set(key, value);
  }
  return value;
}

/** One-shot `crypto.hash` where the runtime has it (Node ≥ 20.12), else a Hash object. */
const sha256: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(a: string, d: string, e: string): string }).hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url');

/** The stored form of a hash: the first 24 characters of the base64url SHA-256. */
function shortSha256(text: string): string {
  return sha256(text).slice(0, 24);
}

function canonicalHash(canonical: string): string {
  return remembered(recentHashes, canonical, shortSha256);
}

/**
 * Validates a body against the resource's schema and derives everything the
 * store needs. `id`, `_etag` and `_lastModifiedDate` are stripped first.
 */
export function prepareDocument(spec: EdfiSpec, resource: ResourceModel, input: unknown): PreparedDocument | EdfiFailure {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return edfiFailure('data-validation-failed', 'The request body must be a JSON object.', { validationErrors: { $: ['must be an object.'] } });
  }
  const { id: _id, _etag, _lastModifiedDate, ...body } = input as Record<string, unknown>;
  stripLinks(resource, body);
  let invalid = spec.validate(resource, body);
  // A null value stands for an absent property (ODS/API; the Data Management Service prunes nulls
  // before validating): dropped, and the body checked again, so a null required property is "required".
  if (invalid && pruneNulls(body)) invalid = spec.validate(resource, body);
  if (invalid) return edfiFailure('data-validation-failed', 'Data validation failed. See validationErrors for details.', { validationErrors: invalid });
  const identity = identityOf(resource, body);
  const key = resourceKey(resource.project, resource.name);
  const hash = resource.isDescriptor ? descriptorHash(`${body.namespace}#${body.codeValue}`) : identityHash(identity);
  return {
    resource,
    key,
    body,
    identity,
    identityHash: hash,
    alias: resource.superclass ? { target: resource.superclass.target, hash: identityHash(renamed(identity, resource.superclass.rename)) } : undefined,
    references: documentReferences(resource, body),
    educationOrganizationIds: educationOrganizationIdsOf(resource, body, identity),
  };
}

/** The identity of a document in reference form, keys sorted. */
export function identityOf(resource: ResourceModel, body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const identity: Record<string, unknown> = {};
  for (const field of resource.identity) identity[field.name] = valueAt(body, field.path);
  return identity;
}

function renamed(identity: Record<string, unknown>, rename: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(identity)) out[rename[name] ?? name] = value;
  return out;
}

/**
 * The documents and descriptor values a stored body references (each target
 * once). Descriptor references are kept like document references so that a
 * descriptor still in use cannot be deleted (ODS/API: 409 dependent-item-exists).
 */
export function documentReferences(resource: ResourceModel, body: Readonly<Record<string, unknown>>): ResolvableReference[] {
  const found = new Map<string, ResolvableReference>();
  const values: Found[] = [];
  for (const reference of resource.references) {
    values.length = 0;
    collect(body, reference.path, 0, values);
    for (const { value, indexes } of values) {
      if (typeof value !== 'object' || value === null) continue;
      const hash = identityHash(value as Record<string, unknown>);
      const resolvable = new FoundReference(reference.target, hash, false, reference.path, indexes);
      found.set(referenceKey(resolvable), resolvable);
    }
  }
  for (const descriptor of resource.descriptors) {
    values.length = 0;
    collect(body, descriptor.path, 0, values);
    for (const { value, indexes } of values) {
      if (typeof value !== 'string') continue;
      const target = resourceKey('ed-fi', descriptor.descriptor);
      const hash = descriptorHash(value);
      const resolvable = new FoundReference(target, hash, true, descriptor.path, indexes);
      found.set(referenceKey(resolvable), resolvable);
    }
  }
  return [...found.values()];
}

/**
 * A reference as documentReferences finds it. Its JSON path is spelled out
 * only when read: only an error message reads it, and building it for every
 * reference of every record written cost more than finding the reference.
 */
class FoundReference implements ResolvableReference {
  constructor(
    readonly target: string,
    readonly hash: string,
    readonly isDescriptor: boolean,
    private readonly fieldPath: DocumentPath,
    private readonly indexes: readonly number[],
  ) {}

  get path(): string {
    return jsonPath(this.fieldPath, this.indexes);
  }
}

/** Education organization ids the document names in its identity and top-level references. */
function educationOrganizationIdsOf(resource: ResourceModel, body: Record<string, unknown>, identity: Record<string, unknown>): number[] {
  const ids = new Set<number>();
  takeEducationOrganizationIds(identity, ids);
  for (const reference of resource.references) {
    if (reference.path.length !== 1) continue;
    const value = body[reference.path[0]!];
    if (typeof value === 'object' && value !== null) takeEducationOrganizationIds(value as Record<string, unknown>, ids);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Adds the numeric values of education organization id fields among `fields` to `ids`. */
function takeEducationOrganizationIds(fields: Readonly<Record<string, unknown>>, ids: Set<number>): void {
  for (const name in fields) {
    const value = fields[name];
    if (typeof value === 'number' && EDUCATION_ORGANIZATION_FIELD.test(name)) ids.add(value);
  }
}

/** Reference objects may carry a read-only `link` (as GET returns it in ODS); it is not stored. */
function stripLinks(resource: ResourceModel, body: Record<string, unknown>): void {
  const values: Found[] = [];
  for (const reference of resource.references) collect(body, reference.path, 0, values);
  for (const { value } of values) {
    if (typeof value === 'object' && value !== null && 'link' in value) delete (value as Record<string, unknown>).link;
  }
}

/** Deletes every null-valued property, at any depth; whether any was found. Null array items stay (invalid). */
function pruneNulls(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false;
  let pruned = false;
  if (Array.isArray(node)) {
    for (const item of node) pruned = pruneNulls(item) || pruned;
    return pruned;
  }
  const object = node as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (object[key] === null) {
      delete object[key];
      pruned = true;
    } else pruned = pruneNulls(object[key]) || pruned;
  }
  return pruned;
}

function valueAt(body: Readonly<Record<string, unknown>>, path: DocumentPath): unknown {
  let node: unknown = body;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** A value found at a path, with the array indexes that led to it (one per `*`). */
interface Found {
  value: unknown;
  indexes: readonly number[];
}

const NO_INDEXES: readonly number[] = [];

/**
 * Pushes every defined value at `path` (`*` steps into each array item) onto
 * `out`. No callbacks and no path strings: this runs for every reference
 * field of every record written, and most fields are absent.
 */
function collect(node: unknown, path: DocumentPath, index: number, out: Found[], indexes: readonly number[] = NO_INDEXES): void {
  for (; index < path.length; index++) {
    if (typeof node !== 'object' || node === null) return;
    const key = path[index]!;
    if (key === '*') {
      if (!Array.isArray(node)) return;
      for (let i = 0; i < node.length; i++) collect(node[i], path, index + 1, out, [...indexes, i]);
      return;
    }
    node = (node as Record<string, unknown>)[key];
  }
  if (node !== undefined) out.push({ value: node, indexes });
}

/** The JSON path (`$.a[0].b`) of a value `collect` found, for error messages. */
function jsonPath(path: DocumentPath, indexes: readonly number[]): string {
  let at = '$';
  let next = 0;
  for (const key of path) at += key === '*' ? `[${indexes[next++]}]` : `.${key}`;
  return at;
}
