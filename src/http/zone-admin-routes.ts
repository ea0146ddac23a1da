import type { FastifyReply } from 'fastify';
import { inTransaction } from '../storage/bound-statements.js';
import { checkZoneDefinition, NATIONAL_ROUTER_ZONE, type ZoneDefinition, type ZoneRights } from '../zones/zone-definition.js';
import { agentRights, deleteZone, findZone, listZones, saveZone, setAgentRights } from '../zones/zone-store.js';
import type { NodeRoutes } from './node-app.js';
import type { Problem } from './router-problems.js';
import { requireToolRight } from './session-auth.js';

/** Why the zone admin API refuses a call; mapped to HTTP here only. */
type ZoneAdminRefusal = 'zone-not-found' | 'agent-not-found' | 'zone-read-only' | 'zone-invalid' | 'zone-id-mismatch';

const STATUS: Record<ZoneAdminRefusal, { status: number; title: string }> = {
  'zone-not-found': { status: 404, title: 'No such zone' },
  'agent-not-found': { status: 404, title: 'No such agent in the zone' },
  'zone-read-only': { status: 403, title: 'The zone belongs to the national router and cannot be changed' },
  'zone-invalid': { status: 422, title: 'The zone definition is not valid' },
  'zone-id-mismatch': { status: 422, title: 'The zone id in the body differs from the one in the path' },
};

function refuse(reply: FastifyReply, kind: ZoneAdminRefusal, detail: string, problems?: string[]): FastifyReply {
  const { status, title } = STATUS[kind];
  const problem: Problem & { problems?: string[] } = { type: `urn:rex:node:${kind}`, title, status, detail, ...(problems ? { problems } : {}) };
  return reply.status(status).type('application/problem+json').send(problem);
}

/** Whether a zone may be changed by the district (the router's zone never). */
function readOnly(id: string, zone?: ZoneDefinition): boolean {
  return id === NATIONAL_ROUTER_ZONE || zone?.owner === 'router';
}

/**
 * The zone admin API (openapi/node-zones.json): list, create, change and
 * delete zones and agents' data access rights. Every route needs a console
 * user with the "zone-administration" tool right. The NationalRouter zone
 * is refused: its rights come from the router.
 */
export const zoneAdminRoutes: NodeRoutes = async (app, deps) => {
  app.addHook('preHandler', requireToolRight('zone-administration', deps));

  app.get('/admin/zones', async () => ({ zones: await listZones(deps.orm.em.fork()) }));

  app.get<{ Params: { zoneId: string } }>('/admin/zones/:zoneId', async (request, reply) => {
    const zone = await findZone(deps.orm.em.fork(), request.params.zoneId);
    return zone ?? refuse(reply, 'zone-not-found', `no zone ${request.params.zoneId}`);
  });

  app.put<{ Params: { zoneId: string }; Body: unknown }>('/admin/zones/:zoneId', async (request, reply) => {
    const { zoneId } = request.params;
    const em = deps.orm.em.fork();
    const existing = await findZone(em, zoneId);
    if (readOnly(zoneId, existing)) return refuse(reply, 'zone-read-only', `${zoneId} is managed by the national router`);
    const check = checkZoneDefinition(request.body);
    if (check.kind === 'invalid') return refuse(reply, 'zone-invalid', check.problems.join('; '), check.problems);
    if (check.zone.id !== zoneId) return refuse(reply, 'zone-id-mismatch', `path ${zoneId}, body ${check.zone.id}`);
    if (readOnly(zoneId, check.zone)) return refuse(reply, 'zone-read-only', 'a district cannot create a router-owned zone');
    await inTransaction(em, (tx) => saveZone(tx, check.zone));
    return reply.status(existing ? 200 : 201).send(check.zone);
  });

  app.delete<{ Params: { zoneId: string } }>('/admin/zones/:zoneId', async (request, reply) => {
    const { zoneId } = request.params;
    const em = deps.orm.em.fork();
    if (readOnly(zoneId, await findZone(em, zoneId))) return refuse(reply, 'zone-read-only', `${zoneId} is managed by the national router`);
    if (!(await inTransaction(em, (tx) => deleteZone(tx, zoneId)))) return refuse(reply, 'zone-not-found', `no zone ${zoneId}`);
    return reply.status(204).send();
  });

  app.get<{ Params: { zoneId: string; sourceId: string } }>('/admin/zones/:zoneId/agents/:sourceId/rights', async (request, reply) => {
    const { zoneId, sourceId } = request.params;
    const em = deps.orm.em.fork();
    if (!(await findZone(em, zoneId))) return refuse(reply, 'zone-not-found', `no zone ${zoneId}`);
    const rights = await agentRights(em, zoneId, sourceId);
    return rights ?? refuse(reply, 'agent-not-found', `zone ${zoneId} has no agent ${sourceId}`);
  });

  app.put<{ Params: { zoneId: string; sourceId: string }; Body: ZoneRights }>('/admin/zones/:zoneId/agents/:sourceId/rights', async (request, reply) => {
    const { zoneId, sourceId } = request.params;
    const em = deps.orm.em.fork();
    const zone = await findZone(em, zoneId);
    if (readOnly(zoneId, zone)) return refuse(reply, 'zone-read-only', `${zoneId} is managed by the national router`);
    const changed = await setAgentRights(em, zoneId, sourceId, request.body);
    if (changed.kind === 'invalid') return refuse(reply, 'zone-invalid', changed.problems.join('; '), changed.problems);
    if (changed.kind === 'not-found') return refuse(reply, zone ? 'agent-not-found' : 'zone-not-found', changed.detail);
    return (await agentRights(em, zoneId, sourceId)) ?? {};
  });
};
