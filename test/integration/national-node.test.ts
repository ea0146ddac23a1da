import { AsyncResource } from 'node:async_hooks';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig, type RexConfig } from '../../src/config/load-config.js';
import { signableFromUrl } from '../../src/crypto/http-signature.js';
import { buildNodeApp } from '../../src/http/node-app.js';
import { BATCH_MEDIA_TYPE, NATIONAL_DELIVERY_PATH, ORIGIN_HEADERS, RECORD_OBJECT, ROUTER_CERTIFICATE_HEADER } from '../../src/national/national-envelope.js';
import { NationalHandlers, type NationalDelivery } from '../../src/national/national-handlers.js';
import { decodeMessageValue } from '../../src/national/zone-sif.js';
import { ExchangeRegistrationEntity } from '../../src/node/registration-entity.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { originCertificate } from '../../src/router/national-zone/zone-service.js';
import { approveDistrict } from '../../src/router/registry.js';
import { prepareRouter, type PreparedRouter } from '../../src/router/start-router.js';
import { decodeSif } from '../../src/sif/sif-codec.js';
import type { SifAck } from '../../src/sif/sif-message.js';
import { openDatabase } from '../../src/storage/database.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { createTestDatabase } from '../support/database.js';
import { testDistrict, type TestDistrict } from '../support/district-keys.js';
import { ackOf, sealedMessage, zoneCall } from '../support/national-zone.js';

/**
 * A push-mode node receiving from a real router over HTTP (DESIGN §5): it
 * checks the router's signature and the sender's own signature end to end,
 * opens the sealed payload, hands it to the registered handler, and
 * processes each message once however often it is delivered.
 */
let router: PreparedRouter;
let routerDbUrl = '';
let node: FastifyInstance;
let nodeOrm: MikroORM;
let nodeUrl = '';
const sender = testDistrict('0400301', 'Saguaro Unified School District', 'AZ');
const receiver = testDistrict('2700301', 'Ten Lakes Public Schools', 'MN');
const handled: NationalDelivery[] = [];
const handlers = new NationalHandlers();
/** After-commit effects that ran, with what a second connection saw of the message at that moment. */
const effects: Array<{ msgId: string; logged: Promise<number> }> = [];
/** The router's SIF_Acks to SIF_Responses a handler sent while handling their request, by request msg id. */
const answeredAtOnce = new Map<string, SifAck>();
/** The test's own async context, outside any node transaction. */
let outsideTheNode: AsyncResource;

async function enrol(district: TestDistrict, endpoint: string) {
  await district.call(router.app, 'POST', '/v1/registrations', district.registration({ endpoint, deliveryMode: 'push' }));
  expect((await approveDistrict(router.deps.orm.em.fork(), router.deps.ca, district.ncesId, 365)).ok).toBe(true);
  router.deps.callers.invalidate(district.ncesId);
}

async function loggedIn(msgId: string): Promise<number> {
  const rows = await nodeOrm.em.fork().execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM national_message WHERE direction = 'in' AND msg_id = ?`, [msgId]);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  outsideTheNode = new AsyncResource('router-call');
  routerDbUrl = await createTestDatabase('router');
  const routerConfig = checkConfig({ dataDir: mkdtempSync(join(tmpdir(), 'rex-national-node-r-')), databaseUrl: routerDbUrl, logLevel: 'silent' });
  router = await prepareRouter(routerConfig);
  // The receiving node runs with the receiver's key, as if it had registered itself.
  const dataDir = mkdtempSync(join(tmpdir(), 'rex-national-node-n-'));
  mkdirSync(join(dataDir, 'keys'), { recursive: true });
  writeFileSync(join(dataDir, 'keys', 'node-key.pem'), receiver.keys.privateKeyPem, { mode: 0o600 });
  const nodeDbUrl = await createTestDatabase('node');
  const config: RexConfig = checkConfig({
    dataDir,
    databaseUrl: nodeDbUrl,
    logLevel: 'silent',
    node: { district: { ncesId: receiver.ncesId, name: receiver.name, state: receiver.state }, routerUrl: 'http://router.test' },
  });
  nodeOrm = await openDatabase(nodeDbUrl, nodeSchema, 4);
  node = await buildNodeApp({ config, orm: nodeOrm, nationalHandlers: handlers });
  await node.listen({ host: '127.0.0.1', port: 0 });
  const address = node.server.address();
  nodeUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await enrol(sender, 'http://127.0.0.1:9/');
  await enrol(receiver, nodeUrl);
  const em = nodeOrm.em.fork();
  em.create(ExchangeRegistrationEntity, {
    id: 1, ncesId: receiver.ncesId, routerUrl: 'http://router.test', keyId: receiver.keyId, registeredBy: 'Test', registeredAt: new Date(),
    registeredFrom: '127.0.0.1', applicationName: 'rex-mn', exchangeStatus: 'Active', reason: null, certificatePem: null, certificateSerial: null,
    routerCertificatePem: router.deps.ca.certificatePem, checkedAt: new Date(),
  });
  await em.flush();
  handlers.on('SIF_Request', async (delivery) => {
    handled.push(delivery);
  });
  handlers.on('SIF_Request', async (delivery) => {
    const text = Buffer.from(delivery.payload ?? []).toString();
    if (!text.startsWith('after-commit')) return;
    delivery.afterCommit(() => effects.push({ msgId: delivery.envelope.msgId, logged: loggedIn(delivery.envelope.msgId) }));
    if (text === 'after-commit, then fail') throw new Error('the handler fails after asking for an effect');
  });
  // Answers within the handler, before the node has acknowledged the request to the router.
  handlers.on('SIF_Request', async (delivery) => {
    if (Buffer.from(delivery.payload ?? []).toString() !== 'answer at once') return;
    const requestMsgId = delivery.envelope.msgId;
    const response = await sealedMessage(receiver, sender, '{"records":[]}', { type: 'SIF_Response', requestMsgId });
    // The router is a process of its own in production: its database calls must not join the node's transaction context.
    const answer = await outsideTheNode.runInAsyncScope(() => zoneCall(router.app, receiver, response.body));
    answeredAtOnce.set(requestMsgId, ackOf(answer));
  });
});

afterAll(async () => {
  await node?.close();
  await router?.close();
  await nodeOrm?.close(true);
});

describe('a push node receiving through the router', () => {
  it('receives a request pushed by the router, verified end to end, opened and handled once', async () => {
    const sent = await sealedMessage(sender, receiver, '{"firstName":"Ada","lastName":"Lovelace"}', {}, 'json');
    expect(ackOf(await zoneCall(router.app, sender, sent.body, 'json')).status?.code).toBe(0);
    await expect.poll(async () => {
      await router.app.nationalZone!.push.drain();
      return loggedIn(sent.message.header.msgId);
    }).toBe(1);
    const delivery = handled.find((d) => d.envelope.msgId === sent.message.header.msgId)!;
    expect(delivery.envelope).toMatchObject({ type: 'SIF_Request', sourceId: sender.ncesId, destinationId: receiver.ncesId, objectName: RECORD_OBJECT });
    expect(Buffer.from(delivery.payload!).toString()).toContain('Lovelace');
    // The node's SIF_Ack makes the router delete it.
    await expect.poll(async () => (await router.deps.orm.em.fork().execute(`SELECT 1 FROM zone_delivery WHERE msg_id = ?`, [sent.message.header.msgId])).length).toBe(0);
  });

  it('acknowledges a redelivered message with status 7 and does not handle it again', async () => {
    const sent = await sealedMessage(sender, receiver, 'twice', {}, 'xml');
    const first = await push(sent.body, 'application/xml', await originOf(sent.body));
    expect(first.ack.status?.code).toBe(1);
    const second = await push(sent.body, 'application/xml', await originOf(sent.body));
    expect(second.ack.status?.code).toBe(7);
    expect(handled.filter((d) => d.envelope.msgId === sent.message.header.msgId)).toHaveLength(1);
  });

  it("runs a handler's after-commit effects once its work is committed, and never when it rolls back", async () => {
    const kept = await sealedMessage(sender, receiver, 'after-commit', {}, 'xml');
    expect((await push(kept.body, 'application/xml', await originOf(kept.body))).ack.status?.code).toBe(1);
    const effect = effects.find((e) => e.msgId === kept.message.header.msgId);
    // Another connection already sees the message's work when the effect runs.
    expect(await effect?.logged).toBe(1);

    const failing = await sealedMessage(sender, receiver, 'after-commit, then fail', {}, 'xml');
    const refused = await push(failing.body, 'application/xml', await originOf(failing.body));
    expect(refused.ack.error?.category).toBe(11);
    expect(effects.find((e) => e.msgId === failing.message.header.msgId)).toBeUndefined();
    expect(await loggedIn(failing.message.header.msgId)).toBe(0);
  });

  it("reads a batch whose messages name their sender's certificate, sent once per batch", async () => {
    const named = await sealedMessage(sender, receiver, 'batched, certificate named', {}, 'json');
    const unnamed = await sealedMessage(sender, receiver, 'batched, no certificate', {}, 'json');
    const origins = [await originOf(named.body), await originOf(unnamed.body)];
    const certificate = origins[0]![ORIGIN_HEADERS.certificate]!;
    const withoutCertificate = (origin: Record<string, string>) => Object.fromEntries(Object.entries(origin).filter(([name]) => name !== ORIGIN_HEADERS.certificate));
    const batch = JSON.stringify({
      certificates: { [sender.keyId]: certificate },
      messages: [
        { contentType: 'application/json', body: Buffer.from(named.body).toString('base64'), origin: withoutCertificate(origins[0]!), certificate: sender.keyId },
        { contentType: 'application/json', body: Buffer.from(unnamed.body).toString('base64'), origin: withoutCertificate(origins[1]!), certificate: 'no-such-key' },
      ],
    });
    const signer = router.app.nationalZone!.zone.signer;
    const url = `${nodeUrl}${NATIONAL_DELIVERY_PATH}`;
    const signature = signer.sign(signableFromUrl('POST', url, { 'content-type': BATCH_MEDIA_TYPE }), batch);
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': BATCH_MEDIA_TYPE, ...signature, [ROUTER_CERTIFICATE_HEADER]: signer.certificateHeader }, body: batch });
    const { acks } = (await response.json()) as { acks: unknown[] };
    const outcomes = acks.map((value) => {
      const decoded = decodeMessageValue(value);
      if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error(`not a SIF_Ack: ${JSON.stringify(value)}`);
      return decoded.message.error ? `error ${decoded.message.error.category}` : `status ${decoded.message.status?.code}`;
    });
    expect(outcomes).toEqual(['status 1', 'error 3']);
    expect(await loggedIn(named.message.header.msgId)).toBe(1);
    expect(await loggedIn(unnamed.message.header.msgId)).toBe(0);
  });

  it('refuses a delivery without a valid router signature, and a message whose sender signature does not verify', async () => {
    const sent = await sealedMessage(sender, receiver, 'forged', {}, 'xml');
    const origin = await originOf(sent.body);
    const unsigned = await fetch(`${nodeUrl}${NATIONAL_DELIVERY_PATH}`, { method: 'POST', headers: { 'content-type': 'application/xml', ...origin }, body: sent.body });
    expect(unsigned.status).toBe(401);
    // Signed by the router, but the body is not what the sender signed.
    const changed = sent.body.replace('<SIF_MaxBufferSize>', '<SIF_MaxBufferSize>1');
    const tampered = await push(changed, 'application/xml', origin);
    expect(tampered.ack.error?.category).toBe(3);
    // A district's certificate in place of the router's does not pass.
    const impostor = await push(sent.body, 'application/xml', origin, origin[ORIGIN_HEADERS.certificate]);
    expect(impostor.status).toBe(401);
    expect(await loggedIn(sent.message.header.msgId)).toBe(0);
  });
});

describe('the direct path to a push node', () => {
  const zone = () => router.app.nationalZone!.zone;
  const inQueue = async (msgId: string) => (await router.deps.orm.em.fork().execute(`SELECT 1 FROM zone_delivery WHERE msg_id = ?`, [msgId])).length;
  const recorded = async (msgId: string) => (await router.deps.orm.em.fork().execute(`SELECT 1 FROM zone_message WHERE msg_id = ?`, [msgId])).length;

  it('hands the message to the node before answering the sender, and stores its routing metadata but no body', async () => {
    const sent = await sealedMessage(sender, receiver, 'straight through', {}, 'json');
    expect(ackOf(await zoneCall(router.app, sender, sent.body, 'json')).status?.code).toBe(0);
    // No push round ran: the node had it when the sender got its SIF_Ack.
    expect(await loggedIn(sent.message.header.msgId)).toBe(1);
    expect(await inQueue(sent.message.header.msgId)).toBe(0);
    expect(await recorded(sent.message.header.msgId)).toBe(1);
    // The sender's outbox resends after a lost answer: the node already has it, so status 7, handled once.
    expect(ackOf(await zoneCall(router.app, sender, sent.body, 'json')).status?.code).toBe(7);
    expect(handled.filter((d) => d.envelope.msgId === sent.message.header.msgId)).toHaveLength(1);
  });

  it('routes a SIF_Response the node sends while its request is still on the way', async () => {
    const request = await sealedMessage(sender, receiver, 'answer at once');
    const msgId = request.message.header.msgId;
    // Another transaction holds an uncommitted record of the request, so the router's own record of it waits:
    // only the router's knowledge of the request in flight can route the response.
    const holder = new pg.Client({ connectionString: routerDbUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`INSERT INTO zone_message (source_id, msg_id, zone, message_type) VALUES ($1, $2, 'NationalRouter', 'SIF_Request')`, [sender.ncesId, msgId]);
      const sent = zoneCall(router.app, sender, request.body);
      await expect.poll(() => answeredAtOnce.has(msgId)).toBe(true);
      expect(answeredAtOnce.get(msgId)?.status?.code).toBe(0);
      await holder.query('ROLLBACK');
      expect(ackOf(await sent).status?.code).toBe(0);
    } finally {
      await holder.end();
    }
    expect(await recorded(msgId)).toBe(1);
  });

  it('queues for a node that does not answer, and keeps later messages behind it until the queue is empty', async () => {
    const setEndpoint = async (endpoint: string) => {
      await router.deps.orm.em.fork().execute(`UPDATE district SET endpoint = ? WHERE nces_id = ?`, [endpoint, receiver.ncesId]);
      zone().destinations.invalidate(receiver.ncesId);
    };
    await setEndpoint('http://127.0.0.1:9/');
    const first = await sealedMessage(sender, receiver, 'while down');
    expect(ackOf(await zoneCall(router.app, sender, first.body)).status?.code).toBe(0);
    expect(await inQueue(first.message.header.msgId)).toBe(1);
    // The node is back, but the first message still waits: the second queues behind it instead of overtaking it.
    await setEndpoint(nodeUrl);
    const second = await sealedMessage(sender, receiver, 'behind the first');
    expect(ackOf(await zoneCall(router.app, sender, second.body)).status?.code).toBe(0);
    expect(await inQueue(second.message.header.msgId)).toBe(1);
    expect(await loggedIn(second.message.header.msgId)).toBe(0);
    // The push worker delivers both and finds the queue empty; the next message goes straight through again.
    await zone().onQueuedForPush(receiver.ncesId);
    await expect.poll(async () => {
      await router.app.nationalZone!.push.drain();
      return (await loggedIn(first.message.header.msgId)) + (await loggedIn(second.message.header.msgId));
      // The first one's attempt while the node was away is retried after its backoff (about a second).
    }, { timeout: 10_000, interval: 100 }).toBe(2);
    await expect.poll(async () => (await inQueue(first.message.header.msgId)) + (await inQueue(second.message.header.msgId))).toBe(0);
    await router.app.nationalZone!.push.drain();
    const third = await sealedMessage(sender, receiver, 'straight through again');
    expect(ackOf(await zoneCall(router.app, sender, third.body)).status?.code).toBe(0);
    expect(await loggedIn(third.message.header.msgId)).toBe(1);
    expect(await inQueue(third.message.header.msgId)).toBe(0);
  });
});

/** The sender's signature headers, as the router forwards them: the sender signs a zone call the router accepts. */
async function originOf(body: string): Promise<Record<string, string>> {
  let captured: Record<string, string> = {};
  const format = body.startsWith('{') ? 'json' : 'xml';
  // Captured, then broken on the way: the router refuses this copy, so it does not push the message itself.
  const refused = await zoneCall(router.app, sender, body, format, (h) => {
    captured = { ...h };
    h.signature = 'sig1=:AAAA:';
  });
  expect(ackOf(refused).error?.category).toBe(3);
  return {
    [ORIGIN_HEADERS.signature]: captured.signature!,
    [ORIGIN_HEADERS.signatureInput]: captured['signature-input']!,
    [ORIGIN_HEADERS.contentDigest]: captured['content-digest']!,
    [ORIGIN_HEADERS.authority]: 'router.test',
    [ORIGIN_HEADERS.certificate]: (await originCertificate(router.deps.callers, sender.keyId))!,
  };
}

/** Pushes one message to the node, signed with the router's key. */
async function push(body: string, contentType: string, origin: Record<string, string>, routerCertificate?: string) {
  const signer = router.app.nationalZone!.zone.signer;
  const url = `${nodeUrl}${NATIONAL_DELIVERY_PATH}`;
  const headers = { 'content-type': contentType, ...origin };
  const signature = signer.sign(signableFromUrl('POST', url, { 'content-type': contentType }), body);
  const response = await fetch(url, { method: 'POST', headers: { ...headers, ...signature, [ROUTER_CERTIFICATE_HEADER]: routerCertificate ?? signer.certificateHeader }, body });
  const text = await response.text();
  const decoded = decodeSif(text, contentType.includes('json') ? 'json' : 'xml');
  if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error(`not a SIF_Ack: ${text}`);
  return { status: response.status, ack: decoded.message };
}
