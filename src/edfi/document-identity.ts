/**
 * What the engine derives from a document before storing it: its identity in
 * reference form (the values a `…Reference` to it carries), the identities of
 * the documents and descriptors it references, and the education
 * organizations it relates to. Identities are compared by a hash of their
 * canonical JSON, so a reference resolves by one indexed equality.
 */
import { createHash, randomBytes } from 'node:crypto';
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

/** A new resource id: 32 lowercase hex digits. */
export function newDocumentId(): string {
  return randomBytes(16).toString('hex');
}

/** Whether a string is a resource id (32 lowercase hex digits). */
export function isDocumentId(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value);
}

/** The hash of an identity object (canonical JSON with sorted keys). */
export function identityHash(identity: Readonly<Record<string, unknown>>): string {
  const canonical = JSON.stringify(Object.keys(identity).sort().map((key) => [key, identity[key]]));
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 24);
}

/** The identity hash of a descriptor value given as its URI (`namespace#codeValue`). */
export function descriptorHash(uri: string): string {
  return identityHash({ uri });
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
  const invalid = spec.validate(resource, body);
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
    references: referencesOf(resource, body),
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

function referencesOf(resource: ResourceModel, body: Record<string, unknown>): ResolvableReference[] {
  const found = new Map<string, ResolvableReference>();
  for (const reference of resource.references) {
    visit(body, reference.path, '$', (value, path) => {
      if (typeof value !== 'object' || value === null) return;
      const hash = identityHash(value as Record<string, unknown>);
      found.set(`${reference.target} ${hash}`, { target: reference.target, hash, isDescriptor: false, path });
    });
  }
  for (const descriptor of resource.descriptors) {
    visit(body, descriptor.path, '$', (value, path) => {
      if (typeof value !== 'string') return;
      const target = resourceKey('ed-fi', descriptor.descriptor);
      const hash = descriptorHash(value);
      found.set(`${target} ${hash}`, { target, hash, isDescriptor: true, path });
    });
  }
  return [...found.values()];
}

/** Education organization ids the document names in its identity and top-level references. */
function educationOrganizationIdsOf(resource: ResourceModel, body: Record<string, unknown>, identity: Record<string, unknown>): number[] {
  const ids = new Set<number>();
  const take = (name: string, value: unknown) => {
    if (typeof value === 'number' && EDUCATION_ORGANIZATION_FIELD.test(name)) ids.add(value);
  };
  for (const [name, value] of Object.entries(identity)) take(name, value);
  for (const reference of resource.references) {
    if (reference.path.length !== 1) continue;
    const value = body[reference.path[0]!];
    if (typeof value === 'object' && value !== null) for (const [name, v] of Object.entries(value)) take(name, v);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Reference objects may carry a read-only `link` (as GET returns it in ODS); it is not stored. */
function stripLinks(resource: ResourceModel, body: Record<string, unknown>): void {
  for (const reference of resource.references) {
    visit(body, reference.path, '$', (value) => {
      if (typeof value === 'object' && value !== null && 'link' in value) delete (value as Record<string, unknown>).link;
    });
  }
}

function valueAt(body: Readonly<Record<string, unknown>>, path: DocumentPath): unknown {
  let node: unknown = body;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

function visit(node: unknown, path: DocumentPath, at: string, found: (value: unknown, path: string) => void, index = 0): void {
  if (index === path.length) {
    if (node !== undefined) found(node, at);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const key = path[index]!;
  if (key === '*') {
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, path, `${at}[${i}]`, found, index + 1));
    return;
  }
  visit((node as Record<string, unknown>)[key], path, `${at}.${key}`, found, index + 1);
}
