import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type preValidationHookHandler } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RexConfig } from '../config/load-config.js';
import type { CertificateAuthority } from '../crypto/certificate-authority.js';
import { inspectCertificateRequest } from '../crypto/certificate-authority.js';
import { createPublicKey } from 'node:crypto';
import { parseSignature, verifyParsedSignature } from '../crypto/http-signature.js';
import { keyIdOf } from '../crypto/keys.js';
import type { ReplayGuard } from '../crypto/replay-guard.js';
import { authenticateCaller, type CallerCache, type CallerPolicy, type KnownCaller } from '../router/callers.js';
import { exchangeStatusOf } from '../router/exchange-status.js';
import type { RouterRefusal, RouterResult } from '../router/refusal.js';
import {
  endParticipation,
  searchDirectory,
  submitRegistration,
  type RegistrationRequest,
} from '../router/registry.js';
import { TERMS_OF_SERVICE } from '../router/terms.js';
import { routerProblem } from './router-problems.js';
import { routerZoneRoutes } from './router-zone-routes.js';
import { keepRawJsonBodies, signableRequest } from './signed-request.js';

/** What the router's HTTP app needs from the running process. */
export interface RouterAppDeps {
  config: RexConfig;
  orm: MikroORM;
  ca: CertificateAuthority;
  callers: CallerCache;
  replays: ReplayGuard;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: KnownCaller;
  }
  interface FastifyContextConfig {
    /** Routes with this set require a signed call from a caller meeting the policy. */
    signed?: CallerPolicy;
  }
}

const openapiPath = new URL('../../openapi/router.json', import.meta.url);

/**
 * Builds the national router's Fastify app without listening, so tests use
 * `inject` and the CLI calls `listen`.
 */
export async function buildRouterApp(deps: RouterAppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    ...(REQUEST_LOGGING_LEVELS.has(config.logLevel)
      ? {}
      : { childLoggerFactory: sharedLogger, logController: new LogController({ disableRequestLogging: true }) }),
    bodyLimit: Math.min(config.http.bodyLimit, 1024 * 1024),
    trustProxy: true,
  });
  const openapiText = readFileSync(openapiPath, 'utf8');
  app.addSchema(componentSchemas(openapiText));
  keepRawJsonBodies(app);
  // Declared up front so every request object has the same shape (Fastify's advice for per-request properties).
  app.decorateRequest('caller', undefined);
  app.setErrorHandler((error, request, reply) => sendFrameworkError(error as FrameworkError, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).type('application/problem+json').send({
      type: 'urn:rex:router:not-found',
      title: 'No such resource',
      status: 404,
      detail: `no route ${request.method} ${request.url.split('?')[0]}`,
    }),
  );
  // Each signed route gets the check as its own hook when it is declared, so
  // unsigned routes run no hook and signed ones look nothing up per request.
  const signedCallHooks = { registered: signedCallHook(deps, 'registered'), active: signedCallHook(deps, 'active') };
  app.addHook('onRoute', (route) => {
    const policy = route.config?.signed;
    if (!policy) return;
    const own = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [signedCallHooks[policy], ...own];
  });

  app.get('/healthz', async () => ({ status: 'ok', role: 'router' }));
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(openapiText));
  app.get('/v1/terms', async () => ({ version: config.router.termsVersion, text: TERMS_OF_SERVICE }));

  app.post<{ Body: RegistrationRequest }>(
    '/v1/registrations',
    { schema: { body: ref('RegistrationRequest'), response: { 201: ref('ExchangeStatus') } } },
    async (request, reply) => registerDistrict(deps, request, reply),
  );

  // The router's most frequent call: answered synchronously, serialized once per caller.
  app.get('/v1/status', { config: { signed: 'registered' } }, (request, reply) => {
    const caller = request.caller!;
    caller.statusJson ??= JSON.stringify(exchangeStatusOf(caller.district));
    reply.type('application/json; charset=utf-8').send(caller.statusJson);
  });

  app.get('/v1/certificate', { config: { signed: 'registered' }, schema: { response: { 200: ref('Certificates') } } }, async (request, reply) => {
    const { certificatePem } = request.caller!.district;
    if (!certificatePem) return sendRefusal(reply, { kind: 'no-certificate', detail: 'no certificate has been issued to this district yet' });
    return { certificate: certificatePem, routerCertificate: deps.ca.certificatePem };
  });

  app.get<{ Querystring: { state: string; name?: string; city?: string; zip?: string } }>(
    '/v1/directory',
    {
      config: { signed: 'active' },
      schema: {
        querystring: {
          type: 'object',
          required: ['state'],
          properties: {
            state: { type: 'string', pattern: '^[A-Za-z]{2}$' },
            name: { type: 'string', maxLength: 200 },
            city: { type: 'string', maxLength: 100 },
            zip: { type: 'string', pattern: '^[0-9]{3,5}(-[0-9]{4})?$' },
          },
        },
        response: { 200: ref('DirectoryResult') },
      },
    },
    async (request) => {
      const { state, ...query } = request.query;
      return { districts: await searchDirectory(deps.orm.em.fork(), state, query) };
    },
  );

  app.post<{ Body: { reason?: string } | undefined }>(
    '/v1/withdrawal',
    { config: { signed: 'registered' }, schema: { response: { 200: ref('ExchangeStatus') } } },
    async (request, reply) => {
      const reason = typeof request.body?.reason === 'string' ? request.body.reason : '';
      const result = await endParticipation(deps.orm.em.fork(), request.caller!.district.ncesId, 'withdrawn', reason);
      if (!result.ok) return sendRefusal(reply, result.refusal);
      deps.callers.invalidate(result.value.ncesId);
      return exchangeStatusOf(result.value);
    },
  );
  await app.register(routerZoneRoutes, deps);
  return app;
}

/**
 * A registration is signed with the key of its own certificate request. If
 * that signature (or the request's self-signature) does not verify, the
 * registration is still stored, as Inactive with "Signature Validation
 * failed" (seeds/001), so the district can see why it is not active.
 */
async function registerDistrict(deps: RouterAppDeps, request: FastifyRequest<{ Body: RegistrationRequest }>, reply: FastifyReply) {
  const body = request.body;
  const csr = inspectCertificateRequest(body.certificateRequest);
  const publicKeyPem = csr.publicKeyPem;
  if (!publicKeyPem) return sendRefusal(reply, { kind: 'invalid-request', detail: 'certificateRequest is not a PEM PKCS#10 request with an RSA key' });
  if (csr.ok && csr.subject.ncesId !== body.district.ncesId) {
    return sendRefusal(reply, { kind: 'invalid-request', detail: 'the certificate request is not for this district (its CN must be the NCES id)' });
  }
  const keyId = keyIdOf(publicKeyPem);
  const signable = signableRequest(request);
  const parsed = parseSignature(signable, request.rawBody ?? '', deps.config.router.signatureWindowSeconds);
  const signatureVerified =
    csr.ok && parsed.ok && parsed.signature.keyId === keyId && verifyParsedSignature(signable, parsed.signature, createPublicKey(publicKeyPem));
  if (signatureVerified && parsed.ok && !deps.replays.accept(keyId, parsed.signature.nonce)) {
    return sendRefusal(reply, { kind: 'replayed', detail: 'this signed registration was already received' });
  }
  const result = await submitRegistration(
    deps.orm.em.fork(),
    { request: body, keyId, publicKeyPem, signatureVerified, registeredFrom: request.ip },
    deps.config.router.termsVersion,
  );
  if (!result.ok) return sendRefusal(reply, result.refusal);
  deps.callers.invalidate(result.value.ncesId);
  return reply.code(201).send(exchangeStatusOf(result.value));
}

/**
 * The signed-call check (DESIGN §5) as a callback hook. The check resolves
 * once the signature has been verified on the thread pool (see
 * authenticateCaller); a refusal is answered from here.
 */
function signedCallHook(deps: RouterAppDeps, policy: CallerPolicy): preValidationHookHandler {
  const context = { callers: deps.callers, replays: deps.replays, windowSeconds: deps.config.router.signatureWindowSeconds };
  return (request, reply, done) => {
    authenticateCaller(signableRequest(request), request.rawBody ?? '', context, policy).then((outcome) => admit(request, reply, done, outcome), done);
  };
}

function admit(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void, outcome: RouterResult<KnownCaller>): void {
  if (!outcome.ok) {
    // Answering from a callback hook without calling done() ends the request here.
    sendRefusal(reply, outcome.refusal);
    return;
  }
  request.caller = outcome.value;
  done();
}

/** Levels at which Fastify logs every request, so each request gets its own child logger. */
const REQUEST_LOGGING_LEVELS = new Set(['info', 'debug', 'trace']);

/**
 * Per-request child loggers carry the request id, but making one per request
 * costs the router more than its own checks while nothing at info level is
 * logged. At warn and above requests share the app's logger, and the
 * router's own error logs name the request id themselves; Fastify's
 * per-request "incoming"/"completed" lines, which are info level, are not
 * even prepared.
 */
function sharedLogger(logger: FastifyBaseLogger): FastifyBaseLogger {
  return logger;
}

function sendRefusal(reply: FastifyReply, refusal: RouterRefusal) {
  const problem = routerProblem(refusal, reply.request.url.split('?')[0]);
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

type FrameworkError = { statusCode?: number; code?: string; message: string; validation?: unknown[] };

function sendFrameworkError(error: FrameworkError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status >= 500) request.log.error({ err: error, reqId: request.id }, 'request failed');
  const detail = error.validation ? validationDetail(error) : status >= 500 ? 'internal error' : error.message;
  const kind = status === 413 ? 'request-too-large' : status === 415 ? 'unsupported-media-type' : status >= 500 ? 'internal-error' : 'invalid-request';
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: `urn:rex:router:${kind}`, title: status >= 500 ? 'Internal error' : 'The request is not valid', status, detail, instance: request.url });
}

function validationDetail(error: { message: string; validation?: unknown[] }): string {
  const first = error.validation?.[0] as { keyword?: string; params?: { missingProperty?: string }; instancePath?: string } | undefined;
  if (first?.keyword === 'required' && first.params?.missingProperty) return `${first.params.missingProperty} is required`;
  return error.message;
}

/** The OpenAPI document's component schemas as one JSON Schema with `definitions`. */
function componentSchemas(openapiText: string) {
  const doc = JSON.parse(openapiText.replaceAll('#/components/schemas/', 'router-api#/definitions/')) as {
    components: { schemas: Record<string, unknown> };
  };
  return { $id: 'router-api', definitions: doc.components.schemas };
}

function ref(name: string) {
  return { $ref: `router-api#/definitions/${name}` };
}
