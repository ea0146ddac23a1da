import type { MikroORM } from '@mikro-orm/postgresql';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildNodeApp } from '../../src/http/node-app.js';
import { pullSessionsFor, zoneDeliveryFor } from '../../src/http/zone-routes.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { statusAck } from '../../src/sif/sif-build.js';
import { decodeSif, encodeSif } from '../../src/sif/sif-codec.js';
import { newHeader, SIF_VERSION, type SifAck, type SifMessage, type SifRequest, type SifResponse } from '../../src/sif/sif-message.js';
import { openDatabase } from '../../src/storage/database.js';
import { checkZoneDefinition } from '../../src/zones/zone-definition.js';
import { createPullSessions } from '../../src/zones/pull-sessions.js';
import { queueDepth } from '../../src/zones/zone-queue.js';
import { deleteZone, findZone, saveZone } from '../../src/zones/zone-store.js';
import { createTestDatabase } from '../support/database.js';
import { testNodeConfig } from '../support/node-config.js';
import { studentPersonal } from '../support/sif-samples.js';
import { validateAgainstSifXsd } from '../support/xsd-validate.js';

const ZONE = 'test-zone';
let orm: MikroORM;
let app: FastifyInstance;
let receiver: FastifyInstance;
let receiverUrl = '';
/** What the push receiver got, and how it answers the next events (status 1 or 2). */
const pushed: SifMessage[] = [];
let pushStatus: 1 | 2 = 1;
/** While true the receiver answers 503 without a SIF_Ack. */
let receiverDown = false;
/** Every XML answer of the zone, validated against the XSD at the end. */
const answers: Record<string, string> = {};

const RIGHTS_ALL = ['Provide', 'Respond', 'PublishAdd', 'PublishChange'] as const;

/** The zone every test talks to: the node's agent and four SIS-side agents, none registered yet. */
function testZone() {
  const zone = checkZoneDefinition({
    id: ZONE,
    name: 'Test zone',
    maxMessageBytes: 8192,
    nodeAgent: { sourceId: 'NODE', name: 'Node', rights: { StudentPersonal: ['Subscribe'] } },
    agents: [
      { sourceId: 'SIS', name: 'SIS', rights: { StudentPersonal: [...RIGHTS_ALL], SchoolInfo: ['Provide', 'Respond'] } },
      { sourceId: 'SIS2', name: 'Second SIS', rights: { StudentPersonal: ['Provide', 'Respond', 'PublishAdd'] } },
      { sourceId: 'PUSHER', name: 'Push subscriber', rights: { StudentPersonal: ['Subscribe', 'Respond'], SchoolInfo: ['Request'] } },
      { sourceId: 'PULLER', name: 'Pull subscriber', rights: { StudentPersonal: ['Subscribe', 'Request'] } },
    ],
  });
  if (zone.kind !== 'ok') throw new Error(zone.problems.join('; '));
  return zone.zone;
}

// The push receiver lives for the whole file; only what it records and answers is reset per test.
beforeAll(async () => {
  receiver = Fastify();
  receiver.addContentTypeParser('*', { parseAs: 'string' }, (_r, body, done) => done(null, body));
  receiver.post('/sif', async (request, reply) => {
    if (receiverDown) return reply.status(503).send();
    const decoded = decodeSif(String(request.body), 'xml');
    if (decoded.kind !== 'ok') return reply.status(400).send();
    pushed.push(decoded.message);
    const code = decoded.message.type === 'SIF_Event' ? pushStatus : 1;
    const ack = statusAck('PUSHER', { msgId: decoded.message.header.msgId, sourceId: decoded.message.header.sourceId }, code);
    return reply.type('application/xml').send(encodeSif(ack, 'xml'));
  });
  receiverUrl = `${await receiver.listen({ port: 0, host: '127.0.0.1' })}/sif`;
});

// Each test has its own database and node with the zone defined and no agent registered, so no test sees
// another's agents, subscriptions or queued messages.
beforeEach(async () => {
  pushed.length = 0;
  pushStatus = 1;
  receiverDown = false;
  const url = await createTestDatabase('node');
  orm = await openDatabase(url, nodeSchema, 10);
  const config = testNodeConfig(url);
  app = await buildNodeApp({ config, orm });
  const zone = testZone();
  await orm.em.fork().transactional((tx) => saveZone(tx, zone));
});

afterEach(async () => {
  await app?.close();
  await orm?.close(true);
});

afterAll(async () => {
  await receiver?.close();
  const failures = validateAgainstSifXsd(answers);
  expect(failures).toEqual({});
});

let answerCount = 0;

/** Posts a message (typed, or a raw body) and returns the decoded SIF_Ack. */
async function post(message: SifMessage | string, options: { contentType?: string; accept?: string; zone?: string; format?: 'xml' | 'json' } = {}): Promise<{ ack: SifAck; status: number; contentType: string }> {
  const format = options.format ?? 'xml';
  const payload = typeof message === 'string' ? message : encodeSif(message, format);
  const response = await app.inject({
    method: 'POST',
    url: `/zones/${options.zone ?? ZONE}`,
    headers: { 'content-type': options.contentType ?? (format === 'xml' ? 'application/xml' : 'application/json'), ...(options.accept ? { accept: options.accept } : {}) },
    payload,
  });
  const contentType = String(response.headers['content-type']);
  const answerFormat = contentType.startsWith('application/json') ? 'json' : 'xml';
  if (answerFormat === 'xml') answers[`answer-${++answerCount}`] = response.body;
  const decoded = decodeSif(response.body, answerFormat);
  if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error(`not a SIF_Ack: ${response.body}`);
  return { ack: decoded.message, status: response.statusCode, contentType };
}

const h = (source: string, extra = {}) => newHeader(source, extra);
const v = { version: SIF_VERSION };

function register(source: string, mode: 'Push' | 'Pull', url?: string): SifMessage {
  return {
    type: 'SIF_Register',
    ...v,
    header: h(source),
    name: source,
    versions: ['2.*'],
    maxBufferSize: 1_000_000,
    mode,
    ...(url ? { protocol: { type: 'HTTP', secure: false, url, properties: [] } } : {}),
  };
}

function event(source: string, action: 'Add' | 'Change' | 'Delete', refId = 'A1B2C3D4E5F60718293A4B5C6D7E8F90'): SifMessage {
  return { type: 'SIF_Event', ...v, header: h(source), objectName: 'StudentPersonal', action, object: studentPersonal(refId) };
}

function control(source: string, command: 'SIF_Ping' | 'SIF_Sleep' | 'SIF_Wakeup' | 'SIF_GetMessage' | 'SIF_GetAgentACL' | 'SIF_GetZoneStatus'): SifMessage {
  return { type: 'SIF_SystemControl', ...v, header: h(source), command };
}

async function getMessage(source: string): Promise<SifAck> {
  return (await post(control(source, 'SIF_GetMessage'))).ack;
}

async function ackDelivered(source: string, original: { msgId: string; sourceId: string }, code: 1 | 2 | 3 = 1): Promise<SifAck> {
  return (await post(statusAck(source, original, code))).ack;
}

/** The message a pull agent got wrapped in SIF_Ack/SIF_Status/SIF_Data. */
function unwrap(ack: SifAck): SifMessage {
  expect(ack.status?.code).toBe(0);
  const data = ack.status?.data;
  if (data?.kind !== 'message') throw new Error('no message in the ack');
  const decoded = decodeSif(JSON.stringify({ SIF_Message: data.message }), 'json');
  if (decoded.kind !== 'ok') throw new Error(decoded.error.extendedDesc);
  return decoded.message;
}

/** An agent's queue as the database holds it, once the pull sessions have written what they did in memory. */
async function depth(source: string) {
  await pullSessionsFor(orm)!.flush();
  return queueDepth(orm.em.fork(), ZONE, source);
}

const expectError = (ack: SifAck, category: number, code: number) => expect(ack.error, JSON.stringify(ack)).toMatchObject({ category, code });
const expectStatus = (ack: SifAck, code: number) => expect(ack.status?.code, JSON.stringify(ack)).toBe(code);

/** Registers the four agents as the zone's tests expect them: SIS, SIS2 and PULLER pull, PUSHER push to the receiver. */
async function registerAgents(): Promise<void> {
  for (const source of ['SIS', 'SIS2', 'PULLER']) expectStatus((await post(register(source, 'Pull'))).ack, 0);
  expectStatus((await post(register('PUSHER', 'Push', receiverUrl))).ack, 0);
}

/**
 * The zone ready for events and requests: the agents registered, the SIS providing StudentPersonal, and
 * PUSHER and PULLER subscribed to it, each subscriber's queue empty.
 */
async function setUpStudentExchange(): Promise<void> {
  await registerAgents();
  expectStatus((await post({ type: 'SIF_Provide', ...v, header: h('SIS'), objects: [{ objectName: 'StudentPersonal' }] })).ack, 0);
  for (const source of ['PUSHER', 'PULLER']) expectStatus((await post({ type: 'SIF_Subscribe', ...v, header: h(source), objects: [{ objectName: 'StudentPersonal' }] })).ack, 0);
}

describe('zone endpoint: registration and provisioning', () => {
  it('registers push and pull agents and answers with their ACL', async () => {
    const { ack } = await post(register('SIS', 'Pull'));
    expectStatus(ack, 0);
    expect(ack.status?.data?.kind).toBe('agentACL');
    expectStatus((await post(register('SIS2', 'Pull'))).ack, 0);
    expectStatus((await post(register('PUSHER', 'Push', receiverUrl))).ack, 0);
    expectStatus((await post(register('PULLER', 'Pull'))).ack, 0);
  });

  it('refuses a stranger (4/2), an unregistered sender (4/9), unsupported versions (5/4), a push agent without URL', async () => {
    await registerAgents();
    expectError((await post(register('STRANGER', 'Pull'))).ack, 4, 2);
    expectError((await post(control('STRANGER', 'SIF_Ping'))).ack, 4, 9);
    expectError((await post({ ...(register('SIS', 'Pull') as any), versions: ['1.5r1'] })).ack, 5, 4);
    expectError((await post(register('SIS', 'Push'))).ack, 5, 3);
  });

  it('provides once: a second provider gets 6/4, an unknown object 6/3, no right 4/3', async () => {
    await registerAgents();
    const provide = (source: string, objectName: string): SifMessage => ({ type: 'SIF_Provide', ...v, header: h(source), objects: [{ objectName }] });
    expectStatus((await post(provide('SIS', 'StudentPersonal'))).ack, 0);
    expectStatus((await post(provide('SIS', 'StudentPersonal'))).ack, 0);
    expectError((await post(provide('SIS2', 'StudentPersonal'))).ack, 6, 4);
    expectError((await post(provide('SIS', 'Spaceship'))).ack, 6, 3);
    expectError((await post(provide('PULLER', 'StudentPersonal'))).ack, 4, 3);
  });

  it('subscribes with the right (4/4 without, 7/3 for an unknown object) and provisions all or nothing', async () => {
    await registerAgents();
    const subscribe = (source: string, objectName: string): SifMessage => ({ type: 'SIF_Subscribe', ...v, header: h(source), objects: [{ objectName }] });
    expectStatus((await post(subscribe('PUSHER', 'StudentPersonal'))).ack, 0);
    expectStatus((await post(subscribe('PULLER', 'StudentPersonal'))).ack, 0);
    expectError((await post(subscribe('PULLER', 'SchoolInfo'))).ack, 4, 4);
    expectError((await post(subscribe('PULLER', 'Spaceship'))).ack, 7, 3);
    const provision: SifMessage = {
      type: 'SIF_Provision',
      ...v,
      header: h('SIS'),
      objects: { provide: [{ objectName: 'StudentPersonal' }, { objectName: 'SchoolInfo' }], subscribe: [], publishAdd: [{ objectName: 'StudentPersonal' }], publishChange: [], publishDelete: [{ objectName: 'StudentPersonal' }], request: [], respond: [] },
    };
    expectError((await post(provision)).ack, 4, 12);
    const status = (await post(control('SIS', 'SIF_GetZoneStatus'))).ack;
    const zoneStatus = status.status?.data?.kind === 'zoneStatus' ? status.status.data.zoneStatus : {};
    expect(JSON.stringify(zoneStatus)).not.toContain('SchoolInfo');
  });
});

describe('zone endpoint: events, queues and acks', () => {
  // Every test here exchanges StudentPersonal events or requests between registered agents.
  beforeEach(setUpStudentExchange);

  it('delivers an event to every subscriber: pull (GetMessage, redelivered until acked) and push (POST to SIF_URL)', async () => {
    const add = event('SIS', 'Add');
    expectStatus((await post(add)).ack, 0);
    const first = unwrap(await getMessage('PULLER'));
    expect(first.header.msgId).toBe(add.header.msgId);
    expect(unwrap(await getMessage('PULLER')).header.msgId).toBe(add.header.msgId);
    expectStatus(await ackDelivered('PULLER', add.header), 0);
    expectStatus(await getMessage('PULLER'), 9);
    await zoneDeliveryFor(orm)!.drain();
    expect(pushed.map((m) => m.header.msgId)).toContain(add.header.msgId);
    expect(await depth('PUSHER')).toEqual({ queued: 0, blocked: 0 });
    expect(await depth('NODE')).toEqual({ queued: 0, blocked: 0 });
  });

  it('redelivers a push message until the agent answers with a SIF_Ack', async () => {
    pushed.length = 0;
    receiverDown = true;
    const add = event('SIS', 'Add');
    expectStatus((await post(add)).ack, 0);
    await zoneDeliveryFor(orm)!.drain();
    expect(pushed).toEqual([]);
    expect(await depth('PUSHER')).toEqual({ queued: 1, blocked: 0 });
    receiverDown = false;
    await orm.em.fork().execute(`UPDATE zone_queue SET next_attempt_at = now() WHERE target = 'PUSHER'`);
    await zoneDeliveryFor(orm)!.drain();
    expect(pushed.map((m) => m.header.msgId)).toEqual([add.header.msgId]);
    expect(await depth('PUSHER')).toEqual({ queued: 0, blocked: 0 });
    expectStatus(await ackDelivered('PULLER', unwrap(await getMessage('PULLER')).header), 0);
  });

  it('answers a repeated SIF_MsgId with status 7 and queues nothing twice', async () => {
    const change = event('SIS', 'Change');
    expectStatus((await post(change)).ack, 0);
    expectStatus((await post(change)).ack, 7);
    expect(await depth('PULLER')).toEqual({ queued: 1, blocked: 0 });
    expectStatus(await ackDelivered('PULLER', unwrap(await getMessage('PULLER')).header), 0);
    await zoneDeliveryFor(orm)!.drain();
  });

  it('answers events posted at the same time each on its own: duplicates 7, refusals 4/x, the rest queued in order', async () => {
    const adds = Array.from({ length: 6 }, (_, i) => event('SIS', 'Add', `B${String(i).padStart(31, '0')}`));
    const burst = [...adds, adds[2]!, event('SIS', 'Delete'), event('PULLER', 'Add'), adds[4]!];
    const answered = await Promise.all(burst.map((m) => post(m)));
    const codes = answered.map(({ ack }) => ack.error ? `${ack.error.category}/${ack.error.code}` : String(ack.status?.code));
    expect(codes.slice(0, 6)).toEqual(['0', '0', '0', '0', '0', '0']);
    expect(codes.slice(6)).toEqual(['7', '4/12', '4/10', '7']);
    expect(await depth('PULLER')).toEqual({ queued: 6, blocked: 0 });
    const delivered: string[] = [];
    for (let ack = await getMessage('PULLER'); ack.status?.code === 0; ack = await getMessage('PULLER')) {
      const got = unwrap(ack);
      delivered.push(got.header.msgId);
      expectStatus(await ackDelivered('PULLER', got.header), 0);
    }
    expect(delivered).toEqual(adds.map((m) => m.header.msgId));
    await zoneDeliveryFor(orm)!.drain();
  });

  it('refuses an event without the publish right (4/12) and forwards nothing', async () => {
    expectError((await post(event('SIS', 'Delete'))).ack, 4, 12);
    expectError((await post(event('PULLER', 'Add'))).ack, 4, 10);
    expect(await depth('PULLER')).toEqual({ queued: 0, blocked: 0 });
  });

  it('refuses an ack for a message that is not waiting (12/6)', async () => {
    expectError(await ackDelivered('PULLER', { msgId: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', sourceId: 'SIS' }), 12, 6);
  });

  it('finds an acknowledged message by its key, not by scanning the queue, even before statistics catch up', async () => {
    // A burst of 3,000 queued messages that ANALYZE has not seen: the planner once chose the head
    // index for the ack's lookup and filtered the whole queue by msg id, so draining was quadratic.
    await orm.em.fork().execute(
      `INSERT INTO zone_queue (zone_id, target, msg_id, kind, message)
       SELECT ?, 'PULLER', upper(lpad(to_hex(n), 32, '0')), 'event', '{}'::json FROM generate_series(1, 3000) AS n`,
      [ZONE],
    );
    const [plan] = await orm.em.fork().execute<Array<{ 'QUERY PLAN': unknown }>>(
      `EXPLAIN (FORMAT JSON) SELECT id FROM zone_queue WHERE zone_id = ? AND target = 'PULLER' AND msg_id = ? AND state <> 'blocked'`,
      [ZONE, '0'.repeat(29) + '5DC'],
    );
    expect(JSON.stringify(plan!['QUERY PLAN'])).toContain('zone_queue_zone_id_target_msg_id_key');
    const middle = { msgId: '0'.repeat(29) + '5DC', sourceId: 'SIS' };
    expectStatus(await ackDelivered('PULLER', middle), 0);
    expect(await depth('PULLER')).toEqual({ queued: 2999, blocked: 0 });
  });

  it('holds messages for a sleeping pull agent (status 8) until it wakes up', async () => {
    expectStatus((await post(control('PULLER', 'SIF_Sleep'))).ack, 0);
    const add = event('SIS', 'Add', 'B1B2C3D4E5F60718293A4B5C6D7E8F90');
    expectStatus((await post(add)).ack, 0);
    expectStatus(await getMessage('PULLER'), 8);
    expectStatus((await post(control('PULLER', 'SIF_Wakeup'))).ack, 0);
    const got = unwrap(await getMessage('PULLER'));
    expect(got.header.msgId).toBe(add.header.msgId);
    expectStatus(await ackDelivered('PULLER', got.header), 0);
    await zoneDeliveryFor(orm)!.drain();
  });

  it('Selective Message Blocking: an intermediate ack freezes events to that agent, requests still flow, the final ack releases', async () => {
    pushed.length = 0;
    pushStatus = 2;
    const first = event('SIS', 'Change');
    const second = event('SIS', 'Change');
    expectStatus((await post(first)).ack, 0);
    expectStatus((await post(second)).ack, 0);
    await zoneDeliveryFor(orm)!.drain();
    expect(pushed.map((m) => m.header.msgId)).toEqual([first.header.msgId]);
    expect(await depth('PUSHER')).toEqual({ queued: 1, blocked: 1 });
    // A request to the blocked agent still flows.
    const request: SifRequest = { type: 'SIF_Request', ...v, header: h('PULLER', { destinationId: 'PUSHER' }), versions: ['2.4'], maxBufferSize: 65536, query: { objectName: 'StudentPersonal', elements: [] } };
    expectStatus((await post(request)).ack, 0);
    await zoneDeliveryFor(orm)!.drain();
    expect(pushed.map((m) => m.type)).toEqual(['SIF_Event', 'SIF_Request']);
    pushStatus = 1;
    expectError(await ackDelivered('PUSHER', second.header, 3), 13, 4);
    expectStatus(await ackDelivered('PUSHER', first.header, 3), 0);
    await zoneDeliveryFor(orm)!.drain();
    expect(pushed.map((m) => m.header.msgId)).toEqual([first.header.msgId, request.header.msgId, second.header.msgId]);
    expect(await depth('PUSHER')).toEqual({ queued: 0, blocked: 0 });
    // The pull agent got both events too.
    for (let i = 0; i < 2; i++) expectStatus(await ackDelivered('PULLER', unwrap(await getMessage('PULLER')).header), 0);
  });
});

describe('zone endpoint: pull sessions', () => {
  beforeEach(setUpStudentExchange);

  it('serves a draining pull agent from memory and writes behind: removals and msg ids land, repeats get 7, other acks go the general way', async () => {
    const events = [event('SIS', 'Add', 'D1000000000000000000000000000001'), event('SIS', 'Add', 'D1000000000000000000000000000002'), event('SIS', 'Add', 'D1000000000000000000000000000003')];
    for (const e of events) expectStatus((await post(e)).ack, 0);
    const get = control('PULLER', 'SIF_GetMessage');
    expect(unwrap((await post(get)).ack).header.msgId).toBe(events[0]!.header.msgId);
    expectStatus((await post(get)).ack, 7);
    const ack = statusAck('PULLER', events[0]!.header, 1);
    expectStatus((await post(ack)).ack, 0);
    expectStatus((await post(ack)).ack, 7);
    expect(await depth('PULLER')).toEqual({ queued: 2, blocked: 0 });
    const received = await orm.em.fork().execute<Array<{ msg_id: string }>>(`SELECT msg_id FROM zone_received WHERE zone_id = ? AND source_id = 'PULLER'`, [ZONE]);
    expect(received.map((r) => r.msg_id)).toEqual(expect.arrayContaining([get.header.msgId, ack.header.msgId]));
    // An ack to the third message, not the one at the head: settled in the database, and never handed out after.
    expectStatus(await ackDelivered('PULLER', events[2]!.header), 0);
    const second = unwrap(await getMessage('PULLER'));
    expect(second.header.msgId).toBe(events[1]!.header.msgId);
    expectStatus(await ackDelivered('PULLER', second.header), 0);
    expectStatus(await getMessage('PULLER'), 9);
    expect(await depth('PULLER')).toEqual({ queued: 0, blocked: 0 });
    await zoneDeliveryFor(orm)!.drain();
  });

  it('loses nothing when a node stops before its writes land: an acknowledged message whose removal was not written comes again', async () => {
    const events = [event('SIS', 'Add', 'D2000000000000000000000000000001'), event('SIS', 'Add', 'D2000000000000000000000000000002')];
    for (const e of events) expectStatus((await post(e)).ack, 0);
    // A node that handed out and settled the first message in memory, then stopped before writing (its writes wait a minute).
    const stopped = createPullSessions(orm.em.fork(), { warn: () => {}, error: () => {} }, { lingerMs: 60_000 });
    expect((await stopped.getMessage(ZONE, 'PULLER', 'E2000000000000000000000000000001'))?.document?.SIF_Message).toBeDefined();
    expect(stopped.ack(ZONE, 'PULLER', 'E2000000000000000000000000000002', events[0]!.header.msgId)).toBe(true);
    expect(await queueDepth(orm.em.fork(), ZONE, 'PULLER')).toEqual({ queued: 2, blocked: 0 });
    // The node that serves the agent next hands the first message out again, then the second.
    const again = unwrap(await getMessage('PULLER'));
    expect(again.header.msgId).toBe(events[0]!.header.msgId);
    expectStatus(await ackDelivered('PULLER', again.header), 0);
    expect(unwrap(await getMessage('PULLER')).header.msgId).toBe(events[1]!.header.msgId);
    // Writes that land late change nothing that was settled since.
    await stopped.flush();
    expect(await depth('PULLER')).toEqual({ queued: 1, blocked: 0 });
    expectStatus(await ackDelivered('PULLER', events[1]!.header), 0);
    await zoneDeliveryFor(orm)!.drain();
  });

  it('writes what a session did for a zone deleted meanwhile without failing the rest of the batch', async () => {
    const add = event('SIS', 'Add', 'D3000000000000000000000000000001');
    expectStatus((await post(add)).ack, 0);
    const failures: unknown[] = [];
    const sessions = createPullSessions(orm.em.fork(), { warn: () => {}, error: (details) => failures.push(details) }, { lingerMs: 60_000 });
    expect((await sessions.getMessage(ZONE, 'PULLER', 'E3000000000000000000000000000001'))?.document).toBeDefined();
    await orm.em.fork().transactional((tx) => deleteZone(tx, ZONE));
    await sessions.flush();
    expect(failures).toEqual([]);
  });

  it('lets an intermediate ack of a pull agent freeze its events although its session had them cached', async () => {
    const [first, second] = [event('SIS', 'Change'), event('SIS', 'Change')];
    for (const e of [first!, second!]) expectStatus((await post(e)).ack, 0);
    expect(unwrap(await getMessage('PULLER')).header.msgId).toBe(first!.header.msgId);
    expectStatus(await ackDelivered('PULLER', first!.header, 2), 0);
    expectStatus(await getMessage('PULLER'), 9);
    expect(await depth('PULLER')).toEqual({ queued: 1, blocked: 1 });
    expectStatus(await ackDelivered('PULLER', first!.header, 3), 0);
    expect(unwrap(await getMessage('PULLER')).header.msgId).toBe(second!.header.msgId);
    expectStatus(await ackDelivered('PULLER', second!.header), 0);
    await zoneDeliveryFor(orm)!.drain();
  });
});

describe('zone endpoint: requests and responses', () => {
  // Every test here exchanges StudentPersonal events or requests between registered agents.
  beforeEach(setUpStudentExchange);

  it('routes a request to the provider and the response packets back, checking packet order, buffer size and request ids', async () => {
    const request: SifRequest = { type: 'SIF_Request', ...v, header: h('PULLER'), versions: ['2.4'], maxBufferSize: 4096, query: { objectName: 'StudentPersonal', elements: [] } };
    expectStatus((await post(request)).ack, 0);
    const delivered = unwrap(await getMessage('SIS'));
    expect(delivered.header.msgId).toBe(request.header.msgId);
    expectStatus(await ackDelivered('SIS', delivered.header), 0);
    const packet = (n: number, more: boolean, count = 1, source = 'SIS'): SifResponse => ({
      type: 'SIF_Response',
      ...v,
      header: h(source, { destinationId: 'PULLER' }),
      requestMsgId: request.header.msgId,
      packetNumber: n,
      morePackets: more,
      objectData: { StudentPersonal: Array.from({ length: count }, () => studentPersonal('C1B2C3D4E5F60718293A4B5C6D7E8F90').StudentPersonal) },
    });
    expectError((await post(packet(2, false))).ack, 8, 12);
    expectError((await post(packet(1, false, 1, 'SIS2'))).ack, 8, 10);
    expectError((await post(packet(1, false, 15))).ack, 8, 11);
    expectError((await post({ ...packet(1, true), header: h('SIS', { destinationId: 'SIS2' }) })).ack, 8, 14);
    expectStatus((await post(packet(1, true))).ack, 0);
    expectStatus((await post(packet(2, false))).ack, 0);
    expectError((await post(packet(3, false))).ack, 8, 10);
    const responses = [unwrap(await getMessage('PULLER'))];
    expectStatus(await ackDelivered('PULLER', responses[0]!.header), 0);
    responses.push(unwrap(await getMessage('PULLER')));
    expectStatus(await ackDelivered('PULLER', responses[1]!.header), 0);
    expect(responses.map((r) => (r as SifResponse).packetNumber)).toEqual([1, 2]);
  });

  it('refuses requests without the right (4/5), for unknown objects (8/3) and with no provider (8/4)', async () => {
    const req = (source: string, objectName: string): SifMessage => ({ type: 'SIF_Request', ...v, header: h(source), versions: ['2.4'], maxBufferSize: 65536, query: { objectName, elements: [] } });
    expectError((await post(req('SIS', 'StudentPersonal'))).ack, 4, 5);
    expectError((await post(req('PULLER', 'Spaceship'))).ack, 8, 3);
    expectError((await post(req('PUSHER', 'SchoolInfo'))).ack, 8, 4);
    expectError((await post({ type: 'SIF_Response', ...v, header: h('SIS'), requestMsgId: 'EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE', packetNumber: 1, morePackets: false, objectData: {} })).ack, 8, 10);
  });
});

describe('zone endpoint: system control, formats and bad input', () => {
  it('answers ping, ACL and zone status; a push agent cannot pull (5/9)', async () => {
    await registerAgents();
    expectStatus((await post(control('SIS', 'SIF_Ping'))).ack, 0);
    const acl = (await post(control('PULLER', 'SIF_GetAgentACL'))).ack;
    expect(JSON.stringify(acl.status?.data)).toContain('StudentPersonal');
    const status = (await post(control('SIS', 'SIF_GetZoneStatus'))).ack;
    expect(status.status?.data?.kind).toBe('zoneStatus');
    expectError(await getMessage('PUSHER'), 5, 9);
  });

  it('speaks JSON, and answers in the format asked for', async () => {
    await registerAgents();
    const json = await post(control('SIS', 'SIF_Ping'), { format: 'json' });
    expect(json.contentType).toContain('application/json');
    expectStatus(json.ack, 0);
    const mixed = await post(control('SIS', 'SIF_Ping'), { accept: 'application/json' });
    expect(mixed.contentType).toContain('application/json');
    const textXml = await post(encodeSif(control('SIS', 'SIF_Ping'), 'xml'), { contentType: 'text/xml; charset=utf-8', accept: 'text/html, application/xml;q=0.9' });
    expect(textXml.contentType).toContain('application/xml');
  });

  it('refuses malformed XML (1/2), DOCTYPE (1/3), invalid messages (1/6), oversized bodies (12/1), all with SIF_Acks', async () => {
    await registerAgents();
    expectError((await post('<SIF_Message><oops></SIF_Message>')).ack, 1, 2);
    const ping = encodeSif(control('SIS', 'SIF_Ping'), 'xml');
    expectError((await post(ping.replace('?>', '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'))).ack, 1, 3);
    const missing = await post(ping.replace(/<SIF_Timestamp>[^<]*<\/SIF_Timestamp>/, ''));
    expectError(missing.ack, 1, 6);
    expect(missing.ack.originalSourceId).toBe('SIS');
    expectError((await post(ping.replace('</SIF_SourceId>', `${'x'.repeat(9000)}</SIF_SourceId>`))).ack, 12, 1);
    expectError((await post('{"SIF_Message":', { format: 'json' })).ack, 1, 2);
  });

  it('answers an unknown zone with 404 and an unsupported media type with 415, both as SIF_Acks', async () => {
    const unknown = await post(control('SIS', 'SIF_Ping'), { zone: 'nowhere' });
    expect(unknown.status).toBe(404);
    expectError(unknown.ack, 12, 1);
    const wrongType = await post('hello', { contentType: 'text/plain' });
    expect(wrongType.status).toBe(415);
  });

  it('unregisters: the agent is gone and its messages with it', async () => {
    await registerAgents();
    expectStatus((await post({ type: 'SIF_Unregister', ...v, header: h('SIS2') })).ack, 0);
    expectError((await post(control('SIS2', 'SIF_Ping'))).ack, 4, 9);
    expect(await findZone(orm.em.fork(), ZONE)).toBeDefined();
  });
});
