import type { EntityManager } from '@mikro-orm/postgresql';
import { buildSifXml, type SifJsonDocument } from '../sif/json-mapping.js';
import { agentAcl, errorAck, statusAck, zoneStatus, type AccessLists } from '../sif/sif-build.js';
import { SIF_STATUS, type SifCategory, type SifStatusCode } from '../sif/sif-codes.js';
import { sifError, type SifError } from '../sif/sif-error.js';
import type { SifAck, SifAckData, SifEvent, SifMessage, SifObjectListMessage, SifProvision, SifRegister, SifRequest, SifResponse, SifSystemControl } from '../sif/sif-message.js';
import { PROVIDE_OBJECT_NAMES, REQUEST_OBJECT_NAMES, SUBSCRIBE_OBJECT_NAMES } from '../sif/object-names.js';
import type { SifFormat } from '../sif/sif-codec.js';
import { writeSifMessage } from '../sif/sif-write.js';
import { inTransaction } from '../storage/bound-statements.js';
import type { ZoneDefinition, ZoneRight, ZoneRights } from './zone-definition.js';
import { createBatcher, type Batcher } from '../storage/statement-batcher.js';
import type { PullSessions } from './pull-sessions.js';
import { ackFast, enqueueFor, enqueueForSubscribers, nextForPull, publishEventsFast, settleWithAck, SPECIAL_ACK_CODES, type FastEvent } from './zone-queue.js';
import { agentRights } from './zone-store.js';

/**
 * The zone server: SIF 2.x ZIS message handling for one message from an
 * agent (SIF Implementation Specification 2.x, Messaging — ZIS message
 * handling). Every message is handled in one transaction: a refusal rolls
 * it back, so a refused message changes nothing and forwards nothing, and
 * the ack carries the SIF_Error of the exact category and code. The three
 * messages a busy zone sees most first try a fast path (fastPath below):
 * SIF_Events share one statement per batch, and a pull agent's
 * SIF_GetMessage and SIF_Ack are served by its pull session
 * (pull-sessions.ts); anything else takes the general path.
 */

/** A registered agent as the zone knows it. */
interface Registration {
  source_id: string;
  name: string;
  mode: 'Push' | 'Pull' | 'Internal';
  url: string | null;
  protocol: SifRegister['protocol'] | null;
  versions: string[];
  max_buffer_size: string;
  sleeping: boolean;
}

/** Raised to refuse a message; rolls the transaction back. */
class Refusal extends Error {
  constructor(readonly error: SifError) {
    super(error.desc);
  }
}

function refuse(category: SifCategory, code: number, extended: string): never {
  throw new Refusal(sifError(category, code, extended));
}

interface Context {
  tx: EntityManager;
  zone: ZoneDefinition;
  sender: Registration | undefined;
  rights: ZoneRights;
  document: SifJsonDocument;
  format: SifFormat;
}

/** The ack to answer with; `queued` says whether messages were queued (wake the delivery worker). */
export interface ZoneAnswer {
  ack: SifAck;
  queued: boolean;
}

/**
 * Handles one decoded message addressed to a zone and returns the SIF_Ack
 * to answer with. Duplicates of an already accepted SIF_MsgId from the same
 * agent are answered with status 7 and change nothing. `sessions` are the
 * node's pull sessions (the zone endpoint's); without them, pull agents are
 * served by the general path alone.
 */
export async function handleZoneMessage(
  em: EntityManager,
  zone: ZoneDefinition,
  message: SifMessage,
  document: SifJsonDocument,
  format: SifFormat,
  options: { internal?: boolean; sessions?: PullSessions } = {},
): Promise<ZoneAnswer> {
  const target = { msgId: message.header.msgId, sourceId: message.header.sourceId };
  // The fast paths commit on their own: never inside a caller's transaction.
  if (!options.internal && !em.getTransactionContext()) {
    const fast = await fastPath(em, zone, message, document, options.sessions);
    if (fast.kind === 'answered') return fast.answer;
    // The general path reads the database: first write what the agent's pull session holds.
    if (!fast.settled) await options.sessions?.settle(zone.id, target.sourceId, target.msgId);
  }
  let queued = false;
  try {
    const ack = await inTransaction(em, async (tx) => {
      const { fresh, rights, sender } = await admit(tx, zone.id, message);
      if (!fresh) return statusAck(zone.zisSourceId, target, SIF_STATUS.duplicate);
      if (message.type !== 'SIF_Register') {
        // The node's own agent speaks only in process (sendAsNodeAgent), never over HTTP.
        const internal = sender?.mode === 'Internal';
        if (!sender || !rights || internal !== (options.internal ?? false)) refuse(4, 9, `${message.header.sourceId} is not registered in zone ${zone.id}`);
      }
      const ctx: Context = { tx, zone, sender, rights: rights ?? {}, document, format };
      const outcome = await dispatch(ctx, message, rights);
      queued = outcome.queued;
      return statusAck(zone.zisSourceId, target, outcome.code, outcome.data);
    });
    return { ack, queued };
  } catch (error) {
    if (error instanceof Refusal) return { ack: errorAck(zone.zisSourceId, target, error.error), queued: false };
    throw error;
  }
}

const eventBatchers = new WeakMap<EntityManager, Batcher<FastEvent, { fresh: boolean; queued: boolean }>>();

/**
 * Events posted at the same time share one statement and one commit
 * (storage/statement-batcher.ts): each HTTP request still gets its answer only once its
 * event is committed, so an accepted event is durable as before.
 */
function eventBatcher(em: EntityManager): Batcher<FastEvent, { fresh: boolean; queued: boolean }> {
  let batcher = eventBatchers.get(em);
  if (!batcher) {
    batcher = createBatcher(
      async (events: FastEvent[]) => {
        const { fresh, queued } = await publishEventsFast(em, events);
        return fresh.map((f) => ({ fresh: f, queued: queued > 0 }));
      },
      // One batch at a time: events are queued in the order they arrived.
      { maxInFlight: 1, keyOf: (e) => `${e.zoneId}\u0000${e.publisher}\u0000${e.msgId}` },
    );
    eventBatchers.set(em, batcher);
  }
  return batcher;
}

/** What the fast path did: answered, or declined (the general path answers), having settled the agent's pull session or not. */
type FastOutcome = { kind: 'answered'; answer: ZoneAnswer } | { kind: 'declined'; settled: boolean };

const DECLINED: FastOutcome = { kind: 'declined', settled: false };

function answered(answer: ZoneAnswer): FastOutcome {
  return { kind: 'answered', answer };
}

/**
 * The common messages of a busy zone on a fast path: an event its publisher
 * may publish (one statement per batch, zone-queue.ts), and a pull agent's
 * SIF_GetMessage and final SIF_Ack to the message it was handed (its pull
 * session, in memory); a final SIF_Ack of a push agent, or to a message
 * other than the head, in one statement. Declined when the fast path wrote
 * nothing: the general path then answers, with the exact status or error
 * (`settled`: the agent's pull session is already written, as the general
 * path needs it).
 */
async function fastPath(em: EntityManager, zone: ZoneDefinition, message: SifMessage, document: SifJsonDocument, sessions: PullSessions | undefined): Promise<FastOutcome> {
  const { msgId, sourceId } = message.header;
  const target = { msgId, sourceId };
  switch (message.type) {
    case 'SIF_Event': {
      if (!SUBSCRIBE_OBJECT_NAMES.has(message.objectName)) return DECLINED;
      const [right] = PUBLISH_CODES[`publish${message.action}`];
      const event = { zoneId: zone.id, publisher: sourceId, msgId, objectName: message.objectName, right, document: JSON.stringify(document) };
      const published = await eventBatcher(em).add(event);
      return published.fresh ? answered({ ack: statusAck(zone.zisSourceId, target, SIF_STATUS.success), queued: published.queued }) : DECLINED;
    }
    case 'SIF_SystemControl': {
      if (message.command !== 'SIF_GetMessage' || !sessions) return DECLINED;
      const next = await sessions.getMessage(zone.id, sourceId, msgId);
      if (!next) return DECLINED;
      const ack = next.document
        ? statusAck(zone.zisSourceId, target, SIF_STATUS.success, { kind: 'message', message: next.document.SIF_Message })
        : statusAck(zone.zisSourceId, target, SIF_STATUS.noMessages);
      return answered({ ack, queued: false });
    }
    case 'SIF_Ack': {
      const code = message.error ? undefined : message.status?.code;
      if ((code !== undefined && SPECIAL_ACK_CODES.has(code)) || !message.originalMsgId) return DECLINED;
      if (sessions?.ack(zone.id, sourceId, msgId, message.originalMsgId)) return answered({ ack: statusAck(zone.zisSourceId, target, SIF_STATUS.success), queued: false });
      await sessions?.settle(zone.id, sourceId, msgId);
      const mode = await ackFast(em, zone.id, sourceId, msgId, message.originalMsgId);
      // Removing a message lets the agent's next one go: only push agents need the delivery worker for that.
      return mode === undefined ? { kind: 'declined', settled: true } : answered({ ack: statusAck(zone.zisSourceId, target, SIF_STATUS.success), queued: mode !== 'Pull' });
    }
    default:
      return DECLINED;
  }
}

/**
 * In one round trip: records the SIF_MsgId (false when already received:
 * a duplicate), reads the sender's rights (undefined when it is not an
 * agent of the zone) and locks its registration. Events only read the
 * registration: a shared lock lets one agent's events run side by side
 * while keeping a concurrent SIF_Unregister or SIF_Sleep out until they
 * commit; every other message takes it exclusively.
 */
async function admit(tx: EntityManager, zoneId: string, message: SifMessage): Promise<{ fresh: boolean; rights: ZoneRights | undefined; sender: Registration | undefined }> {
  const source = message.header.sourceId;
  const lock = message.type === 'SIF_Event' ? 'FOR SHARE' : 'FOR UPDATE';
  const rows = await tx.execute<Array<{ fresh: boolean; registration: Registration | null; rights: ZoneRights | null }>>(
    `WITH fresh AS (
       INSERT INTO zone_received (zone_id, source_id, msg_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING msg_id),
     reg AS (SELECT * FROM zone_registration WHERE zone_id = ? AND source_id = ? ${lock})
     SELECT EXISTS (SELECT 1 FROM fresh) AS fresh,
            (SELECT row_to_json(reg) FROM reg) AS registration,
            (SELECT coalesce(json_object_agg(r.object_name, r.rights ORDER BY r.object_name) FILTER (WHERE r.object_name IS NOT NULL), '{}'::json)
               FROM zone_agent a LEFT JOIN zone_agent_right r ON r.zone_id = a.zone_id AND r.source_id = a.source_id
              WHERE a.zone_id = ? AND a.source_id = ? GROUP BY a.zone_id, a.source_id) AS rights`,
    [zoneId, source, message.header.msgId, zoneId, source, zoneId, source],
  );
  const row = rows[0]!;
  return { fresh: row.fresh, rights: row.rights ?? undefined, sender: row.registration ?? undefined };
}

/**
 * Sends a message from the node's own agent into a zone (e.g. a SIF_Request
 * to the SIS, or a SIF_Ack ending Selective Message Blocking), with the same
 * rights checks as any agent. Its header's SIF_SourceId must be the zone's
 * nodeAgent.
 */
export async function sendAsNodeAgent(em: EntityManager, zone: ZoneDefinition, message: SifMessage): Promise<ZoneAnswer> {
  if (message.header.sourceId !== zone.nodeAgent.sourceId) throw new Error(`the node agent of ${zone.id} is ${zone.nodeAgent.sourceId}`);
  return handleZoneMessage(em, zone, message, writeSifMessage(message), 'json', { internal: true });
}

interface Outcome {
  code: SifStatusCode;
  data?: SifAckData;
  queued: boolean;
}

const OK: Outcome = { code: SIF_STATUS.success, queued: false };

async function dispatch(ctx: Context, message: SifMessage, rights: ZoneRights | undefined): Promise<Outcome> {
  switch (message.type) {
    case 'SIF_Register':
      return register(ctx, message, rights);
    case 'SIF_Unregister':
      await ctx.tx.execute('DELETE FROM zone_registration WHERE zone_id = ? AND source_id = ?', [ctx.zone.id, message.header.sourceId]);
      return OK;
    case 'SIF_Provide':
    case 'SIF_Unprovide':
    case 'SIF_Subscribe':
    case 'SIF_Unsubscribe':
      return objectList(ctx, message);
    case 'SIF_Provision':
      return provision(ctx, message);
    case 'SIF_Event':
      return event(ctx, message);
    case 'SIF_Request':
      return request(ctx, message);
    case 'SIF_Response':
      return response(ctx, message);
    case 'SIF_SystemControl':
      return systemControl(ctx, message);
    case 'SIF_Ack':
      return agentAck(ctx, message);
  }
}

function has(rights: ZoneRights, object: string, right: ZoneRight): boolean {
  return rights[object]?.includes(right) ?? false;
}

/** Whether a SIF_Version value (with wildcards: *, 2.*, 2.0r*) covers a version. */
export function versionMatches(pattern: string, version: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return version.startsWith(pattern.slice(0, -1));
  if (pattern.endsWith('r*')) return version === pattern.slice(0, -2) || version.startsWith(pattern.slice(0, -1));
  return pattern === version;
}

const MIN_BUFFER = 4096;

async function register(ctx: Context, message: SifRegister, rights: ZoneRights | undefined): Promise<Outcome> {
  const { zone, tx } = ctx;
  const source = message.header.sourceId;
  if (!rights || source === zone.nodeAgent.sourceId) refuse(4, 2, `${source} is not an agent of zone ${zone.id}`);
  if (!message.versions.some((v) => zone.sifVersions.some((z) => versionMatches(v, z)))) {
    refuse(5, 4, `the zone speaks SIF ${zone.sifVersions.join(', ')}; the agent asked for ${message.versions.join(', ')}`);
  }
  if (message.maxBufferSize < MIN_BUFFER) refuse(5, 6, `SIF_MaxBufferSize must be at least ${MIN_BUFFER}`);
  let url: string | null = null;
  if (message.mode === 'Push') {
    const protocol = message.protocol;
    if (!protocol || !['HTTP', 'HTTPS'].includes(protocol.type)) refuse(5, 3, `push agents must give SIF_Protocol of Type HTTP or HTTPS`);
    if (!protocol.url || !/^https?:\/\//i.test(protocol.url)) refuse(1, 6, 'SIF_Protocol/SIF_URL (an http or https URL) is required for a push agent');
    url = protocol.url;
  }
  await tx.execute(
    `INSERT INTO zone_registration (zone_id, source_id, name, mode, format, url, protocol, versions, max_buffer_size)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (zone_id, source_id) DO UPDATE SET name = EXCLUDED.name, mode = EXCLUDED.mode, format = EXCLUDED.format,
       url = EXCLUDED.url, protocol = EXCLUDED.protocol, versions = EXCLUDED.versions, max_buffer_size = EXCLUDED.max_buffer_size`,
    [zone.id, source, message.name, message.mode, ctx.format, url, message.protocol ? JSON.stringify(message.protocol) : null, `{${message.versions.join(',')}}`, message.maxBufferSize],
  );
  // SIF 2.x: the ZIS answers SIF_Register with the agent's access control list.
  return { code: SIF_STATUS.success, data: { kind: 'agentACL', acl: agentAcl(accessLists(rights)) }, queued: false };
}

/** An agent's rights as SIF_AgentACL's seven lists. */
export function accessLists(rights: ZoneRights): AccessLists {
  const names = (right: ZoneRight) => Object.keys(rights).filter((o) => has(rights, o, right)).sort();
  return {
    provide: names('Provide'),
    subscribe: names('Subscribe'),
    publishAdd: names('PublishAdd'),
    publishChange: names('PublishChange'),
    publishDelete: names('PublishDelete'),
    request: names('Request'),
    respond: names('Respond'),
  };
}

async function addProvider(ctx: Context, object: string, source: string): Promise<void> {
  const current = await ctx.tx.execute<Array<{ source_id: string }>>(
    `SELECT source_id FROM zone_provision WHERE zone_id = ? AND object_name = ? AND role = 'provide' FOR UPDATE`,
    [ctx.zone.id, object],
  );
  if (current[0] && current[0].source_id !== source) refuse(6, 4, `${object} is already provided by ${current[0].source_id}`);
  await ctx.tx.execute(`INSERT INTO zone_provision (zone_id, source_id, object_name, role) VALUES (?, ?, ?, 'provide') ON CONFLICT DO NOTHING`, [ctx.zone.id, source, object]);
}

function checkProvide(ctx: Context, object: string): void {
  if (!PROVIDE_OBJECT_NAMES.has(object)) refuse(6, 3, `${object} is not a SIF object that can be provided`);
  if (!has(ctx.rights, object, 'Provide')) refuse(4, 3, object);
}

function checkSubscribe(ctx: Context, object: string): void {
  if (!SUBSCRIBE_OBJECT_NAMES.has(object)) refuse(7, 3, `${object} is not a SIF object with events`);
  if (!has(ctx.rights, object, 'Subscribe')) refuse(4, 4, object);
}

async function objectList(ctx: Context, message: SifObjectListMessage): Promise<Outcome> {
  const source = message.header.sourceId;
  for (const { objectName } of message.objects) {
    if (message.type === 'SIF_Provide') {
      checkProvide(ctx, objectName);
      await addProvider(ctx, objectName, source);
    } else if (message.type === 'SIF_Subscribe') {
      checkSubscribe(ctx, objectName);
      await ctx.tx.execute(`INSERT INTO zone_provision (zone_id, source_id, object_name, role) VALUES (?, ?, ?, 'subscribe') ON CONFLICT DO NOTHING`, [ctx.zone.id, source, objectName]);
    } else {
      const role = message.type === 'SIF_Unprovide' ? 'provide' : 'subscribe';
      const known = role === 'provide' ? PROVIDE_OBJECT_NAMES : SUBSCRIBE_OBJECT_NAMES;
      if (!known.has(objectName)) refuse(role === 'provide' ? 6 : 7, 3, `${objectName} is not a SIF object`);
      await ctx.tx.execute('DELETE FROM zone_provision WHERE zone_id = ? AND source_id = ? AND object_name = ? AND role = ?', [ctx.zone.id, source, objectName, role]);
    }
  }
  return OK;
}

const PUBLISH_CODES = { publishAdd: ['PublishAdd', 10], publishChange: ['PublishChange', 11], publishDelete: ['PublishDelete', 12] } as const;

async function provision(ctx: Context, message: SifProvision): Promise<Outcome> {
  const { objects } = message;
  const source = message.header.sourceId;
  for (const { objectName } of objects.provide) checkProvide(ctx, objectName);
  for (const { objectName } of objects.subscribe) checkSubscribe(ctx, objectName);
  for (const [list, [right, code]] of Object.entries(PUBLISH_CODES)) {
    for (const { objectName } of objects[list as keyof typeof PUBLISH_CODES]) {
      if (!SUBSCRIBE_OBJECT_NAMES.has(objectName)) refuse(9, 3, `${objectName} is not a SIF object with events`);
      if (!has(ctx.rights, objectName, right)) refuse(4, code, objectName);
    }
  }
  for (const [list, right, code] of [['request', 'Request', 5], ['respond', 'Respond', 6]] as const) {
    for (const { objectName } of objects[list]) {
      if (!REQUEST_OBJECT_NAMES.has(objectName)) refuse(8, 3, `${objectName} is not a SIF object that can be requested`);
      if (!has(ctx.rights, objectName, right)) refuse(4, code, objectName);
    }
  }
  // SIF_Provision states everything the agent does: it replaces earlier provisions.
  await ctx.tx.execute('DELETE FROM zone_provision WHERE zone_id = ? AND source_id = ?', [ctx.zone.id, source]);
  for (const { objectName } of objects.provide) await addProvider(ctx, objectName, source);
  for (const { objectName } of objects.subscribe) {
    await ctx.tx.execute(`INSERT INTO zone_provision (zone_id, source_id, object_name, role) VALUES (?, ?, ?, 'subscribe') ON CONFLICT DO NOTHING`, [ctx.zone.id, source, objectName]);
  }
  return OK;
}

async function event(ctx: Context, message: SifEvent): Promise<Outcome> {
  const object = message.objectName;
  if (!SUBSCRIBE_OBJECT_NAMES.has(object)) refuse(9, 3, `${object} is not a SIF object with events`);
  const [right, code] = PUBLISH_CODES[`publish${message.action}`];
  if (!has(ctx.rights, object, right)) refuse(4, code, object);
  // Every current subscriber that still holds the Subscribe right, except the publisher.
  const queued = await enqueueForSubscribers(ctx.tx, ctx.zone.id, object, message.header.sourceId, message.header.msgId, ctx.document);
  return { ...OK, queued: queued > 0 };
}

function requestObjectName(message: SifRequest): string {
  if (message.query) return message.query.objectName;
  const from = message.extendedQuery?.['SIF_From'];
  const name = typeof from === 'object' && !Array.isArray(from) ? from['@ObjectName'] : undefined;
  if (typeof name !== 'string') refuse(1, 6, 'SIF_ExtendedQuery/SIF_From/@ObjectName is missing');
  return name;
}

async function request(ctx: Context, message: SifRequest): Promise<Outcome> {
  const object = requestObjectName(message);
  if (!REQUEST_OBJECT_NAMES.has(object)) refuse(8, 3, `${object} is not a SIF object that can be requested`);
  if (!has(ctx.rights, object, 'Request')) refuse(4, 5, object);
  if (message.maxBufferSize < MIN_BUFFER) refuse(8, 8, `SIF_MaxBufferSize must be at least ${MIN_BUFFER}`);
  let responder = message.header.destinationId;
  if (responder) {
    const target = await agentRights(ctx.tx, ctx.zone.id, responder);
    const registered = await ctx.tx.execute<Array<{ source_id: string }>>('SELECT source_id FROM zone_registration WHERE zone_id = ? AND source_id = ?', [ctx.zone.id, responder]);
    if (registered.length === 0 || !target) refuse(8, 4, `SIF_DestinationId ${responder} is not registered in zone ${ctx.zone.id}`);
    if (!has(target, object, 'Respond')) refuse(8, 4, `${responder} may not respond to ${object} requests`);
  } else {
    const providers = await ctx.tx.execute<Array<{ source_id: string }>>(
      `SELECT source_id FROM zone_provision WHERE zone_id = ? AND object_name = ? AND role = 'provide'`,
      [ctx.zone.id, object],
    );
    responder = providers[0]?.source_id;
    if (!responder) refuse(8, 4, `no agent provides ${object} in zone ${ctx.zone.id}`);
  }
  await ctx.tx.execute(
    `INSERT INTO zone_request (zone_id, msg_id, requester, responder, object_name, max_buffer_size, versions) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [ctx.zone.id, message.header.msgId, message.header.sourceId, responder, object, message.maxBufferSize, `{${message.versions.join(',')}}`],
  );
  await enqueueFor(ctx.tx, ctx.zone.id, responder, message.header.msgId, 'request', ctx.document);
  return { ...OK, queued: true };
}

async function response(ctx: Context, message: SifResponse): Promise<Outcome> {
  const rows = await ctx.tx.execute<Array<{ requester: string; responder: string; object_name: string; max_buffer_size: string; versions: string[]; next_packet: number; complete: boolean }>>(
    'SELECT * FROM zone_request WHERE zone_id = ? AND msg_id = ? FOR UPDATE',
    [ctx.zone.id, message.requestMsgId],
  );
  const open = rows[0];
  if (!open || open.complete) refuse(8, 10, `no open SIF_Request ${message.requestMsgId} in zone ${ctx.zone.id}`);
  if (!has(ctx.rights, open.object_name, 'Respond')) refuse(4, 6, open.object_name);
  if (open.responder !== message.header.sourceId) refuse(8, 10, `SIF_Request ${message.requestMsgId} was not sent to ${message.header.sourceId}`);
  if (message.header.destinationId && message.header.destinationId !== open.requester) {
    refuse(8, 14, `the request came from ${open.requester}, not ${message.header.destinationId}`);
  }
  if (message.packetNumber !== open.next_packet) refuse(8, 12, `expected SIF_PacketNumber ${open.next_packet}, got ${message.packetNumber}`);
  if (!open.versions.some((v) => versionMatches(v, message.version))) refuse(8, 13, `SIF ${message.version} is not among ${open.versions.join(', ')}`);
  const size = Buffer.byteLength(buildSifXml(ctx.document));
  if (size > Number(open.max_buffer_size)) refuse(8, 11, `the packet is ${size} bytes; the requester accepts ${open.max_buffer_size}`);
  await ctx.tx.execute('UPDATE zone_request SET next_packet = next_packet + 1, complete = ? WHERE zone_id = ? AND msg_id = ?', [
    !message.morePackets,
    ctx.zone.id,
    message.requestMsgId,
  ]);
  await enqueueFor(ctx.tx, ctx.zone.id, open.requester, message.header.msgId, 'response', ctx.document);
  return { ...OK, queued: true };
}

async function systemControl(ctx: Context, message: SifSystemControl): Promise<Outcome> {
  const { tx, zone } = ctx;
  const source = message.header.sourceId;
  const sender = ctx.sender!;
  switch (message.command) {
    case 'SIF_Ping':
      return OK;
    case 'SIF_Sleep':
    case 'SIF_Wakeup':
      await tx.execute('UPDATE zone_registration SET sleeping = ? WHERE zone_id = ? AND source_id = ?', [message.command === 'SIF_Sleep', zone.id, source]);
      return OK;
    case 'SIF_GetMessage': {
      if (sender.mode === 'Push') refuse(5, 9, `${source} is registered for push delivery`);
      // A sleeping agent gets nothing until it wakes up: status 8.
      if (sender.sleeping) return { code: SIF_STATUS.sleeping, queued: false };
      const next = await nextForPull(tx, zone.id, source);
      if (!next) return { code: SIF_STATUS.noMessages, queued: false };
      return { code: SIF_STATUS.success, data: { kind: 'message', message: next.document.SIF_Message }, queued: false };
    }
    case 'SIF_GetAgentACL':
      return { code: SIF_STATUS.success, data: { kind: 'agentACL', acl: agentAcl(accessLists(ctx.rights)) }, queued: false };
    case 'SIF_GetZoneStatus':
      return { code: SIF_STATUS.success, data: { kind: 'zoneStatus', zoneStatus: await currentZoneStatus(tx, zone) }, queued: false };
    default:
      return refuse(12, 2, `${message.command} is not supported by this zone`);
  }
}

async function currentZoneStatus(tx: EntityManager, zone: ZoneDefinition) {
  const provisions = await tx.execute<Array<{ source_id: string; object_name: string; role: 'provide' | 'subscribe' }>>(
    'SELECT source_id, object_name, role FROM zone_provision WHERE zone_id = ? ORDER BY source_id, object_name',
    [zone.id],
  );
  const group = (role: 'provide' | 'subscribe') => {
    const map = new Map<string, string[]>();
    for (const p of provisions.filter((p) => p.role === role)) map.set(p.source_id, [...(map.get(p.source_id) ?? []), p.object_name]);
    return map;
  };
  const nodes = await tx.execute<Registration[]>(`SELECT * FROM zone_registration WHERE zone_id = ? AND mode <> 'Internal' ORDER BY source_id`, [zone.id]);
  return zoneStatus({
    zoneId: zone.id,
    name: zone.name,
    providers: group('provide'),
    subscribers: group('subscribe'),
    nodes: nodes.map((n) => ({
      sourceId: n.source_id,
      name: n.name,
      mode: n.mode === 'Push' ? 'Push' : 'Pull',
      ...(n.protocol ? { protocol: n.protocol } : {}),
      versions: n.versions,
      maxBufferSize: Number(n.max_buffer_size),
      sleeping: n.sleeping,
    })),
    supportedVersions: zone.sifVersions,
  });
}

async function agentAck(ctx: Context, message: SifAck): Promise<Outcome> {
  const settled = await settleWithAck(ctx.tx, ctx.zone.id, message.header.sourceId, message);
  if (settled.kind === 'refused') throw new Refusal(settled.error);
  // Removing a message lets the agent's next one go: only push and internal agents need the delivery worker for that.
  return { ...OK, queued: settled.kind === 'removed' && ctx.sender?.mode !== 'Pull' };
}
