import { join } from 'node:path';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { NATIONAL_ZONE_PATH } from '../national/national-envelope.js';
import { ackWithError, answerFormat, encodeMessage, formatOfMediaType, sifError, SIF_MEDIA_TYPE } from '../national/zone-sif.js';
import { DistrictEntity } from '../router/district-entity.js';
import { startPushDelivery } from '../router/national-zone/push-delivery.js';
import { loadOrCreateRouterSigner } from '../router/national-zone/router-signer.js';
import { DirectPath } from '../router/national-zone/direct-forward.js';
import { createMessageRecorder, createQueueWriter } from '../router/national-zone/zone-queue.js';
import { loadZoneRights } from '../router/national-zone/zone-rights.js';
import { DestinationCache, handleZoneCall, type ZoneDeps } from '../router/national-zone/zone-service.js';
import type { RouterAppDeps } from './router-app.js';
import { routerProblem } from './router-problems.js';
import { signableRequest } from './signed-request.js';

/**
 * The router's NationalRouter zone endpoint and the certificate lookup
 * senders use to seal to a destination district (DESIGN §4–5).
 *
 * `POST /v1/zones/NationalRouter` takes one SIF_Message (XML or JSON),
 * signed per RFC 9421, and always answers HTTP 200 with a SIF_Ack in the
 * format asked for (SIF 2.x HTTP transport: protocol outcomes travel in the
 * SIF_Ack, not in the HTTP status).
 */
export const routerZoneRoutes: FastifyPluginAsync<RouterAppDeps> = async (app, deps) => {
  const { config } = deps;
  const signer = loadOrCreateRouterSigner(join(config.dataDir, 'ca'), deps.ca);
  const ttlSeconds = config.router.queueTtlSeconds;
  const rights = loadZoneRights();
  const direct = new DirectPath({ signer, callers: deps.callers, recorder: createMessageRecorder(deps.orm, rights.zoneId) });
  await direct.refreshBacklog(deps.orm.em.fork());
  const push = startPushDelivery({ orm: deps.orm, signer, callers: deps.callers, retentionSeconds: 2 * ttlSeconds, onCaughtUp: async (em) => (direct.anyBacklog ? direct.refreshBacklog(em) : undefined) });
  app.addHook('onClose', async () => push.stop());
  const zone: ZoneDeps = {
    orm: deps.orm,
    callers: deps.callers,
    replays: deps.replays,
    windowSeconds: config.router.signatureWindowSeconds,
    rights,
    writer: createQueueWriter(deps.orm, rights.zoneId),
    signer,
    destinations: new DestinationCache(deps.orm),
    ttlSeconds,
    direct,
    onQueuedForPush: () => push.wake(),
  };
  app.decorate('nationalZone', { push, zone });

  app.get<{ Params: { ncesId: string } }>(
    '/v1/districts/:ncesId/certificate',
    {
      config: { signed: 'active' },
      schema: { params: { type: 'object', properties: { ncesId: { type: 'string', pattern: '^[0-9]{7}$' } } }, response: { 200: { $ref: 'router-api#/definitions/DistrictCertificate' } } },
    },
    async (request, reply) => {
      const district = await deps.orm.em.fork().findOne(DistrictEntity, { ncesId: request.params.ncesId, status: 'active' });
      if (!district?.certificatePem || !district.certificateNotAfter || district.certificateNotAfter <= new Date()) {
        const problem = routerProblem({ kind: 'unknown-district', detail: `no active district with NCES id ${request.params.ncesId}` }, request.url);
        return reply.code(problem.status).type('application/problem+json').send(problem);
      }
      return { ncesId: district.ncesId, name: district.name, state: district.state, certificate: district.certificatePem };
    },
  );

  await app.register(async (scope: FastifyInstance) => {
    // Every body is kept as bytes: the signature's Content-Digest covers them, and the SIF codec reads XML and JSON.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      request.rawBody = body as Buffer;
      done(null, body);
    });
    scope.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) request.log.error({ err: error, reqId: request.id }, 'zone call failed');
      const sif = status === 413 ? sifError(12, 1, `the message is larger than this zone accepts (${rights.maxMessageBytes} bytes)`) : sifError(status >= 500 ? 11 : 12, 1, status >= 500 ? 'internal error' : error.message);
      return sendAck(reply, request.headers.accept, request.headers['content-type'], ackWithError(rights.zisSourceId, { msgId: null, sourceId: null }, sif));
    });
    scope.post(NATIONAL_ZONE_PATH, { bodyLimit: rights.maxMessageBytes }, async (request, reply) => {
      const answer = await handleZoneCall(zone, {
        request: signableRequest(request),
        body: request.rawBody ?? Buffer.alloc(0),
        contentType: request.headers['content-type'],
        accept: request.headers.accept,
      });
      return reply.code(200).headers(answer.headers).type(answer.contentType).send(answer.body);
    });
  });
};

function sendAck(reply: FastifyReply, accept: string | undefined, contentType: string | undefined, ack: ReturnType<typeof ackWithError>) {
  const format = answerFormat(accept, formatOfMediaType(contentType) ?? 'xml');
  return reply.code(200).type(SIF_MEDIA_TYPE[format]).send(encodeMessage(ack, format));
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The NationalRouter zone's services (push worker, checks), for tests and benchmarks. */
    nationalZone?: { push: import('../router/national-zone/push-delivery.js').PushDelivery; zone: ZoneDeps };
  }
}

// Registered on the router app itself (as fastify-plugin would), so tests reach `app.nationalZone`; the zone endpoint keeps its own body parsers in a nested scope.
(routerZoneRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
