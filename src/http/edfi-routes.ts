/**
 * The Ed-Fi API of a district node (DESIGN §7): `/data/v3/{project}/{resource}`
 * for every resource of the data standard and our `rex` extension, change
 * queries, the discovery document at `/` and OpenAPI metadata. Behaviour as
 * the Ed-Fi ODS/API 7.x; every error is an RFC 9457 problem with Ed-Fi's type
 * URNs (src/edfi/edfi-problem.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDocumentId, prepareDocument } from '../edfi/document-identity.js';
import { edfiFailure, edfiProblem, isEdfiFailure, type EdfiFailure } from '../edfi/edfi-problem.js';
import { edfiSpec } from '../edfi/edfi-spec.js';
import { edfiDependencies, edfiDiscovery, edfiMetadataLinks, edfiOpenApi } from '../edfi/edfi-metadata.js';
import type { QueryField, ResourceModel } from '../edfi/resource-model.js';
import { availableChangeVersions, deletedDocuments, getDocument, queryDocuments, type ScopeCondition } from '../records/document-queries.js';
import { deleteDocument, updateDocument, upsertDocument } from '../records/document-store.js';
import { loadStandardDescriptors } from '../records/standard-descriptors.js';
import type { NodeAppDeps, NodeRoutes } from './node-app.js';
import { scopedRecordOf, type RecordScope } from '../clients/record-scope.js';

/** What an Ed-Fi request may do, as decided by the access layer (src/clients). */
export interface EdfiAccessDecision {
  /** When set, reads are limited to documents naming one of these education organizations. */
  readonly educationOrganizationIds?: readonly number[];
  /** The client's scope (src/clients/record-scope.ts): documents outside it get 403, lists are filtered by it. */
  readonly scope?: RecordScope;
  /** The client's key. */
  readonly client?: string;
}

/**
 * The authentication/authorization hook of the Ed-Fi API, provided by the
 * access layer. Without it the API is open (tests, local sandbox).
 */
export interface EdfiAccess {
  /** Authenticates the request (bearer token); a failure is answered as a problem. */
  authenticate(request: FastifyRequest): Promise<EdfiAccessDecision | EdfiFailure>;
}

/** Options of the Ed-Fi routes. */
export interface EdfiRoutesOptions {
  /** Builds the access hook from the node's dependencies. */
  createAccess?: (deps: NodeAppDeps) => EdfiAccess;
}

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 500;
const PAGING = new Set(['offset', 'limit', 'totalCount', 'minChangeVersion', 'maxChangeVersion']);

declare module 'fastify' {
  interface FastifyRequest {
    /** What the access layer allowed (empty when no access hook is configured). */
    edfiAccess?: EdfiAccessDecision;
  }
}

/** The Ed-Fi routes as a node feature plugin. */
export function edfiRoutes(options: EdfiRoutesOptions = {}): NodeRoutes {
  return async (app, deps) => {
    const spec = edfiSpec();
    await loadStandardDescriptors(deps.orm.em.fork());
    const access = options.createAccess?.(deps);
    const em = () => deps.orm.em.fork();

    app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendFailure(reply, edfiFailure('payload-too-large', 'The request body is too large.'));
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return sendFailure(reply, edfiFailure('unsupported-media-type', 'The request body must be application/json.'));
      }
      if (error.statusCode && error.statusCode < 500) {
        return sendFailure(reply, edfiFailure('bad-request', `The request could not be read: ${error.message}`));
      }
      request.log.error(error);
      return sendFailure(reply, edfiFailure('internal-server-error', 'An unexpected error occurred on the server.'));
    });
    // Ed-Fi accepts JSON bodies only (fastify would otherwise parse text/plain).
    app.addHook('preValidation', async (request, reply) => {
      if (request.method !== 'POST' && request.method !== 'PUT') return;
      if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
        return sendFailure(reply, edfiFailure('unsupported-media-type', 'The request body must be application/json.'));
      }
    });

    // The authentication hook of the access layer runs on every Ed-Fi data and change-query request.
    app.addHook('onRequest', async (request, reply) => {
      if (!access || !/^\/(data|changeQueries)\//.test(request.url)) return;
      const decision = await access.authenticate(request);
      if (isEdfiFailure(decision)) return sendFailure(reply, decision);
      request.edfiAccess = decision;
    });

    app.get('/', async (request) => edfiDiscovery(baseUrl(request)));
    app.get('/metadata', async (request) => edfiMetadataLinks(baseUrl(request)));
    app.get('/metadata/data/v3/resources/swagger.json', async (request) => edfiOpenApi(spec, baseUrl(request), false));
    app.get('/metadata/data/v3/descriptors/swagger.json', async (request) => edfiOpenApi(spec, baseUrl(request), true));
    app.get('/metadata/data/v3/dependencies', async () => edfiDependencies(spec));
    app.get('/changeQueries/v1/availableChangeVersions', async (request) => availableChangeVersions(em(), scopeConditionOf(request)));

    app.get<{ Params: Route }>('/data/v3/:project/:resource', async (request, reply) => {
      const resource = resourceOf(request.params);
      if (isEdfiFailure(resource)) return sendFailure(reply, resource);
      return listDocuments(request, reply, resource);
    });

    app.post<{ Params: Route }>('/data/v3/:project/:resource', async (request, reply) => {
      const resource = resourceOf(request.params);
      if (isEdfiFailure(resource)) return sendFailure(reply, resource);
      if (isObject(request.body) && 'id' in request.body) {
        return sendFailure(reply, edfiFailure('data-validation-failed', 'Resource identifiers cannot be assigned by the client.', { validationErrors: { '$.id': ['must not be sent on POST.'] } }));
      }
      const prepared = prepareDocument(spec, resource, request.body);
      if (isEdfiFailure(prepared)) return sendFailure(reply, prepared);
      const scope = request.edfiAccess?.scope;
      if (scope && !(await scope.permitsWrite(em(), scopedRecordOf(prepared)))) return sendFailure(reply, forbidden(request));
      const result = await upsertDocument(em(), prepared);
      if (result.kind === 'failed') return sendFailure(reply, result.failure);
      return reply
        .code(result.kind === 'created' ? 201 : 200)
        .header('Location', `${baseUrl(request)}/data/v3/${resource.project}/${resource.name}/${result.id}`)
        .header('ETag', `"${result.etag}"`)
        .send();
    });

    app.get<{ Params: Route & { id: string } }>('/data/v3/:project/:resource/:id', async (request, reply) => {
      const resource = resourceOf(request.params);
      if (isEdfiFailure(resource)) return sendFailure(reply, resource);
      if (request.params.id === 'deletes') return listDeletes(request, reply, resource);
      if (!isDocumentId(request.params.id)) return sendFailure(reply, notFound());
      const document = await getDocument(em(), resource, request.params.id);
      if (!document) return sendFailure(reply, notFound());
      if (!(await storedInScope(request, request.params.id))) return sendFailure(reply, forbidden(request));
      reply.header('ETag', `"${document.etag}"`);
      if (etagOf(request.headers['if-none-match']) === document.etag) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(document.json);
    });

    app.put<{ Params: Route & { id: string } }>('/data/v3/:project/:resource/:id', async (request, reply) => {
      const resource = resourceOf(request.params);
      if (isEdfiFailure(resource)) return sendFailure(reply, resource);
      if (!isDocumentId(request.params.id)) return sendFailure(reply, notFound());
      const body = request.body;
      if (isObject(body) && 'id' in body && body.id !== request.params.id) {
        return sendFailure(reply, edfiFailure('data-validation-failed', 'The identifier in the body does not match the resource identifier.', { validationErrors: { '$.id': ['must match the id in the URL.'] } }));
      }
      const prepared = prepareDocument(spec, resource, body);
      if (isEdfiFailure(prepared)) return sendFailure(reply, prepared);
      const scope = request.edfiAccess?.scope;
      if (scope && (!(await storedInScope(request, request.params.id)) || !(await scope.permits(em(), scopedRecordOf(prepared))))) {
        return sendFailure(reply, forbidden(request));
      }
      const result = await updateDocument(em(), request.params.id, prepared, etagOf(request.headers['if-match']));
      if (result.kind === 'failed') return sendFailure(reply, result.failure);
      return reply.code(204).header('ETag', `"${result.etag}"`).send();
    });

    app.delete<{ Params: Route & { id: string } }>('/data/v3/:project/:resource/:id', async (request, reply) => {
      const resource = resourceOf(request.params);
      if (isEdfiFailure(resource)) return sendFailure(reply, resource);
      if (!isDocumentId(request.params.id)) return sendFailure(reply, notFound());
      if (!(await storedInScope(request, request.params.id))) return sendFailure(reply, forbidden(request));
      const result = await deleteDocument(em(), resource, request.params.id, etagOf(request.headers['if-match']));
      if (result.kind === 'failed') return sendFailure(reply, result.failure);
      return reply.code(204).send();
    });

    async function listDocuments(request: FastifyRequest, reply: FastifyReply, resource: ResourceModel) {
      const query = request.query as Record<string, string>;
      const paging = pagingOf(query);
      if (isEdfiFailure(paging)) return sendFailure(reply, paging);
      const where = whereOf(resource, query);
      if (isEdfiFailure(where)) return sendFailure(reply, where);
      const page = await queryDocuments(em(), resource, { ...paging, where, educationOrganizationIds: request.edfiAccess?.educationOrganizationIds, condition: request.edfiAccess?.scope?.listCondition() ?? undefined });
      if (page.totalCount !== undefined) reply.header('Total-Count', String(page.totalCount));
      return reply.type('application/json; charset=utf-8').send(page.json);
    }

    async function listDeletes(request: FastifyRequest, reply: FastifyReply, resource: ResourceModel) {
      const paging = pagingOf(request.query as Record<string, string>);
      if (isEdfiFailure(paging)) return sendFailure(reply, paging);
      return reply.send(await deletedDocuments(em(), resource, paging, scopeConditionOf(request)));
    }

    /** Whether the caller may touch stored document `id` (true when it does not exist: the route answers 404). */
    async function storedInScope(request: FastifyRequest, id: string): Promise<boolean> {
      const scope = request.edfiAccess?.scope;
      return !scope || (await scope.permitsStored(em(), id)) !== false;
    }

    function resourceOf(params: Route): ResourceModel | EdfiFailure {
      return spec.resource(params.project, params.resource) ?? edfiFailure('not-found', `The resource /${params.project}/${params.resource} does not exist.`);
    }
  };
}

interface Route {
  project: string;
  resource: string;
}

/** The client's scope as an SQL condition over a table with the document columns (change queries), if it is limited. */
function scopeConditionOf(request: FastifyRequest): ((alias: string) => ScopeCondition | null) | undefined {
  const scope = request.edfiAccess?.scope;
  return scope && !scope.everything ? (alias) => scope.listCondition(alias) : undefined;
}

function sendFailure(reply: FastifyReply, failure: EdfiFailure): FastifyReply {
  const header = reply.request.headers['correlation-id'];
  const problem = edfiProblem(failure, typeof header === 'string' && header.length <= 100 ? header : randomUUID());
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(problem));
}

/** 403 for a document outside the client's education organizations (as ODS/API's relationship-based authorization). */
function forbidden(request: FastifyRequest): EdfiFailure {
  const ids = request.edfiAccess?.scope?.educationOrganizationIds ?? [];
  return edfiFailure('authorization', 'Access to the resource could not be authorized.', {
    errors: [`No relationships have been established between the caller's education organization id claims (${ids.join(', ')}) and the resource item.`],
  });
}

function notFound(): EdfiFailure {
  return edfiFailure('not-found', 'The requested resource could not be found.');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An ETag header value without quotes or weak prefix. */
function etagOf(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined ? undefined : value.replace(/^W\//, '').replace(/^"|"$/g, '');
}

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** offset/limit (default 25, at most 500), totalCount and change-version bounds. */
function pagingOf(query: Record<string, string>) {
  const integer = (name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined | EdfiFailure => {
    const raw = query[name];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      return edfiFailure('bad-request', `The value of ${name} must be an integer between ${min} and ${max}.`, { validationErrors: { [name]: ['is out of range.'] } });
    }
    return value;
  };
  const offset = integer('offset', 0);
  const limit = integer('limit', 0, MAX_LIMIT);
  const minChangeVersion = integer('minChangeVersion', 0);
  const maxChangeVersion = integer('maxChangeVersion', 0);
  for (const value of [offset, limit, minChangeVersion, maxChangeVersion]) if (isEdfiFailure(value)) return value;
  const totalCount = query.totalCount;
  if (totalCount !== undefined && totalCount !== 'true' && totalCount !== 'false') {
    return edfiFailure('bad-request', 'The value of totalCount must be true or false.');
  }
  return {
    offset: (offset as number | undefined) ?? 0,
    limit: (limit as number | undefined) ?? DEFAULT_LIMIT,
    minChangeVersion: minChangeVersion as number | undefined,
    maxChangeVersion: maxChangeVersion as number | undefined,
    totalCount: totalCount === 'true',
  };
}

/** Query parameters naming the resource's identity fields and top-level scalars, typed by the model. */
function whereOf(resource: ResourceModel, query: Record<string, string>): Record<string, string | number | boolean> | EdfiFailure {
  const fields = new Map<string, QueryField>(resource.query.map((f) => [f.name.toLowerCase(), f]));
  const where: Record<string, string | number | boolean> = {};
  for (const [name, raw] of Object.entries(query)) {
    if (PAGING.has(name)) continue;
    const field = fields.get(name.toLowerCase());
    if (!field) return edfiFailure('bad-request', `The request parameter ${name} is not a property of ${resource.name}.`);
    const value = typed(field, raw);
    if (value === undefined) return edfiFailure('bad-request', `The value of ${name} must be of type ${field.type}.`, { validationErrors: { [name]: [`must be ${field.type}.`] } });
    where[field.name] = value;
  }
  return where;
}

function typed(field: QueryField, raw: string): string | number | boolean | undefined {
  if (field.type === 'string') return raw;
  if (field.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || (field.type === 'integer' && !Number.isInteger(value))) return undefined;
  return value;
}

/** Registers the routes on an app directly (for tests that build their own Fastify instance). */
export async function registerEdfiRoutes(app: FastifyInstance, deps: NodeAppDeps, options: EdfiRoutesOptions = {}): Promise<void> {
  await app.register(edfiRoutes(options), deps);
}
