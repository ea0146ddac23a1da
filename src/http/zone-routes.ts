import type { FastifyError } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import { answerFormat, formatOfMediaType } from '../sif/sif-codec.js';
import { sifError } from '../sif/sif-error.js';
import { readZoneFolder } from '../zones/zone-definition.js';
import type { NodeAgentBatchHandler, NodeAgentHandler } from '../zones/node-agent.js';
import { startZoneDelivery, type ZoneDeliveryWorker } from '../zones/zone-delivery.js';
import { errorAnswer, receiveZoneMessage, type ZoneHttpAnswer } from '../zones/zone-endpoint.js';
import { createPullSessions, type PullSessions } from '../zones/pull-sessions.js';
import { listZones, replaceZones } from '../zones/zone-store.js';
import type { NodeRoutes } from './node-app.js';

const workers = new WeakMap<MikroORM, ZoneDeliveryWorker>();
const pullSessions = new WeakMap<MikroORM, PullSessions>();

/** The push delivery worker the zone routes started for a database (tests drain it). */
export function zoneDeliveryFor(orm: MikroORM): ZoneDeliveryWorker | undefined {
  return workers.get(orm);
}

/** The pull sessions of the zone routes of a database (tests flush them before reading the queue). */
export function pullSessionsFor(orm: MikroORM): PullSessions | undefined {
  return pullSessions.get(orm);
}

/**
 * Seeds the node's zones from the zones/ folder when the database has none
 * (first start). Later changes come from the admin API or `rex node zones
 * reload`, so a restart never overwrites them. The router's zone is not
 * hosted by a node.
 */
async function seedZones(orm: MikroORM): Promise<void> {
  const em = orm.em.fork();
  if ((await listZones(em)).length > 0) return;
  const folder = readZoneFolder();
  if (folder.kind === 'ok') await replaceZones(em, folder.zones.filter((z) => z.owner === 'node'), 'node');
}

/** How the zone routes deliver to the node's own agent. */
export interface ZoneRoutesOptions {
  nodeAgent?: NodeAgentHandler;
  nodeAgentBatch?: NodeAgentBatchHandler;
  startDelivery?: () => ZoneDeliveryWorker;
}

/**
 * The zone endpoint `POST /zones/{zoneId}` (DESIGN §4): SIF 2.x messages as
 * XML (application/xml, text/xml) or JSON (application/json). Bodies are
 * read raw, so every problem — malformed XML or JSON, oversized, wrong
 * media type — is answered as a SIF_Ack error, never as a Fastify error page.
 * `nodeAgent` receives what the zones deliver to the node's own agent
 * (default: onObjectForNode in src/zones/node-agent.ts), one message at a
 * time; `nodeAgentBatch`, when given, receives them many at a time instead;
 * `startDelivery`, when given, starts the delivery worker elsewhere (the SIS
 * agent thread, src/sis-sync/agent-thread.ts) and replaces both.
 */
export function zoneRoutes(options: ZoneRoutesOptions = {}): NodeRoutes {
  return async (app, deps) => {
    await seedZones(deps.orm);
    const worker =
      options.startDelivery?.() ??
      startZoneDelivery(deps.orm, {
        ...(options.nodeAgent ? { nodeAgent: options.nodeAgent } : {}),
        ...(options.nodeAgentBatch ? { nodeAgentBatch: options.nodeAgentBatch } : {}),
      });
    workers.set(deps.orm, worker);
    // One context for every message: the zone runs raw statements only (no entities, no identity map), each
    // message in its own statement or transaction, so a fork per request would be pure cost at thousands a second.
    const em = deps.orm.em.fork();
    const sessions = createPullSessions(em, app.log);
    pullSessions.set(deps.orm, sessions);
    app.addHook('onClose', async () => {
      await sessions.flush();
      await worker.stop();
      workers.delete(deps.orm);
      pullSessions.delete(deps.orm);
    });

    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.setErrorHandler((error: FastifyError, request, reply) => {
      const format = answerFormat(request.headers.accept, formatOfMediaType(request.headers['content-type']) ?? 'xml');
      const answer: ZoneHttpAnswer =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? errorAnswer(413, sifError(12, 1, `the message is larger than this server accepts (${deps.config.http.bodyLimit} bytes)`), format)
          : (error.statusCode ?? 500) < 500
            ? errorAnswer(error.statusCode ?? 400, sifError(12, 1, error.message), format)
            : errorAnswer(500, sifError(11, 1, 'internal error'), format);
      if (answer.status >= 500) request.log.error(error);
      return reply.status(answer.status).type(answer.contentType).send(answer.body);
    });

    app.post<{ Params: { zoneId: string } }>('/zones/:zoneId', async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = await receiveZoneMessage(em, sessions, request.params.zoneId, body, request.headers['content-type'], request.headers.accept);
      if (answer.queued) worker.wake();
      return reply.status(answer.status).type(answer.contentType).send(answer.body);
    });
  };
}
