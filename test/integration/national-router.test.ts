import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/load-config.js';
import { openPacket } from '../../src/crypto/sealed-packet.js';
import { ORIGIN_HEADERS, RECORD_OBJECT, sealedPayloadOf } from '../../src/national/national-envelope.js';
import { approveDistrict, endParticipation } from '../../src/router/registry.js';
import { prepareRouter, type PreparedRouter } from '../../src/router/start-router.js';
import { decodeSif, encodeSif } from '../../src/sif/sif-codec.js';
import { newHeader, newMsgId, SIF_VERSION, type SifMessage } from '../../src/sif/sif-message.js';
import { createTestDatabase } from '../support/database.js';
import { testDistrict, type TestDistrict } from '../support/district-keys.js';
import { ackOf, sealedMessage, zoneCall } from '../support/national-zone.js';

/**
 * The NationalRouter zone through inject (DESIGN §4–5): every refusal is a
 * SIF_Ack with the specification's category and code and stores nothing;
 * accepted messages are queued as sealed bytes and handed out by
 * SIF_GetMessage until acknowledged.
 */
let router: PreparedRouter;
const requester = testDistrict('0400101', 'Saguaro Unified School District', 'AZ');
const releaser = testDistrict('2700101', 'Ten Lakes Public Schools', 'MN');
const revoked = testDistrict('0600101', 'Coastal Unified', 'CA');

async function enrol(district: TestDistrict, deliveryMode: 'push' | 'pull') {
  const response = await district.call(router.app, 'POST', '/v1/registrations', district.registration({ deliveryMode }));
  expect(response.statusCode).toBe(201);
  expect((await approveDistrict(router.deps.orm.em.fork(), router.deps.ca, district.ncesId, 365)).ok).toBe(true);
  router.deps.callers.invalidate(district.ncesId);
}

async function queued(destination: string): Promise<Array<{ msg_id: string; body: Buffer }>> {
  return router.deps.orm.em.fork().execute(`SELECT msg_id, body FROM zone_delivery WHERE destination_id = ? ORDER BY seq`, [destination]);
}

async function countSeen(msgId: string): Promise<number> {
  const rows = await router.deps.orm.em.fork().execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM zone_message WHERE msg_id = ?`, [msgId]);
  return Number(rows[0]!.n);
}

function getMessage(district: TestDistrict): string {
  const message: SifMessage = { type: 'SIF_SystemControl', version: SIF_VERSION, header: newHeader(district.ncesId), command: 'SIF_GetMessage' };
  return encodeSif(message, 'xml');
}

beforeAll(async () => {
  const url = await createTestDatabase('router');
  const config = checkConfig({ dataDir: mkdtempSync(join(tmpdir(), 'rex-national-')), databaseUrl: url, logLevel: 'silent' });
  router = await prepareRouter(config);
  await enrol(requester, 'push');
  // The releaser pulls, so messages for it wait in the queue where the test can look at them.
  await enrol(releaser, 'pull');
  await enrol(revoked, 'push');
  expect((await endParticipation(router.deps.orm.em.fork(), revoked.ncesId, 'revoked', 'test')).ok).toBe(true);
  router.deps.callers.invalidate(revoked.ncesId);
});

afterAll(async () => {
  await router?.close();
});

describe('accepting and refusing messages', () => {
  it('accepts a sealed, directed SIF_Request in XML and in JSON, answering each in its own form', async () => {
    const xml = await sealedMessage(requester, releaser, '{"firstName":"Ada"}');
    const xmlAck = ackOf(await zoneCall(router.app, requester, xml.body));
    expect(xmlAck).toMatchObject({ originalMsgId: xml.message.header.msgId, originalSourceId: requester.ncesId, status: { code: 0 } });
    expect(xmlAck.header.sourceId).toBe('REX-ROUTER-ZIS');
    const json = await sealedMessage(requester, releaser, '{"firstName":"Grace"}', {}, 'json');
    const response = await zoneCall(router.app, requester, json.body, 'json');
    expect(response.headers['content-type']).toContain('application/json');
    expect(ackOf(response).status?.code).toBe(0);
    const ids = (await queued(releaser.ncesId)).map((r) => r.msg_id);
    expect(ids).toEqual(expect.arrayContaining([xml.message.header.msgId, json.message.header.msgId]));
  });

  it('answers a SIF_MsgId it already has with status 7 and queues it once', async () => {
    const { message, body } = await sealedMessage(requester, releaser, 'once');
    expect(ackOf(await zoneCall(router.app, requester, body)).status?.code).toBe(0);
    // The sender's outbox resends after a lost answer: a new signature over the same message.
    const again = ackOf(await zoneCall(router.app, requester, body));
    expect(again.status?.code).toBe(7);
    expect((await queued(releaser.ncesId)).filter((r) => r.msg_id === message.header.msgId)).toHaveLength(1);
  });

  it.each([
    ['unsigned', (h: Record<string, string>) => { delete h.signature; delete h['signature-input']; }, 2],
    ['tampered', (h: Record<string, string>) => { h['signature-input'] = h['signature-input']!.replace(/nonce="/, 'nonce="x'); }, 7],
    ['stale', (h: Record<string, string>) => { h['signature-input'] = h['signature-input']!.replace(/created=\d+/, 'created=1000'); }, 7],
  ])('refuses an %s message with category 3 and stores nothing', async (_name, tamper, code) => {
    const { message, body } = await sealedMessage(requester, releaser, 'refused');
    const ack = ackOf(await zoneCall(router.app, requester, body, 'xml', tamper));
    expect(ack.error).toMatchObject({ category: 3, code });
    expect(ack.originalMsgId).toBe(message.header.msgId);
    expect(await countSeen(message.header.msgId)).toBe(0);
  });

  it('refuses a body changed after signing, a replay and a revoked sender with category 3', async () => {
    const { body } = await sealedMessage(requester, releaser, 'changed');
    const changed = await router.app.inject({ method: 'POST', url: '/v1/zones/NationalRouter', headers: { host: 'router.test', 'content-type': 'application/xml' }, payload: body });
    expect(ackOf(changed).error?.category).toBe(3);
    let captured: Record<string, string> = {};
    const first = await sealedMessage(requester, releaser, 'replayed');
    expect(ackOf(await zoneCall(router.app, requester, first.body, 'xml', (h) => (captured = { ...h }))).status?.code).toBe(0);
    const replay = await router.app.inject({ method: 'POST', url: '/v1/zones/NationalRouter', headers: captured, payload: first.body });
    expect(ackOf(replay).error).toMatchObject({ category: 3, code: 7 });
    const fromRevoked = await sealedMessage(revoked, releaser, 'revoked');
    expect(ackOf(await zoneCall(router.app, revoked, fromRevoked.body)).error).toMatchObject({ category: 3, code: 4 });
    expect(await countSeen(fromRevoked.message.header.msgId)).toBe(0);
  });

  it('refuses a SIF_SourceId that is not the signing district', async () => {
    const { body } = await sealedMessage(releaser, requester, 'spoofed');
    const ack = ackOf(await zoneCall(router.app, requester, body));
    expect(ack.error).toMatchObject({ category: 3, code: 1 });
  });

  it('refuses messages without the right with category 4 and the matching code', async () => {
    const request = await sealedMessage(requester, releaser, 'x', { objectName: 'StudentPersonal' });
    expect(ackOf(await zoneCall(router.app, requester, request.body)).error).toMatchObject({ category: 4, code: 5 });
    const change = await sealedMessage(requester, releaser, 'x', { type: 'SIF_Event', action: 'Change', objectName: RECORD_OBJECT });
    expect(ackOf(await zoneCall(router.app, requester, change.body)).error).toMatchObject({ category: 4, code: 11 });
    expect(await countSeen(request.message.header.msgId)).toBe(0);
    // Status updates are SIF_LogEntry Add events, which districts may publish.
    const status = await sealedMessage(requester, releaser, 'status', { type: 'SIF_Event', action: 'Add', objectName: 'SIF_LogEntry' });
    expect(ackOf(await zoneCall(router.app, requester, status.body)).status?.code).toBe(0);
  });

  it('refuses an unknown destination and a SIF_Response to an unknown request with category 8', async () => {
    const lost = await sealedMessage(requester, testDistrict('5500101', 'Nowhere', 'WI'), 'x');
    expect(ackOf(await zoneCall(router.app, requester, lost.body)).error?.category).toBe(8);
    const orphan = await sealedMessage(releaser, requester, 'x', { type: 'SIF_Response', requestMsgId: newMsgId() });
    expect(ackOf(await zoneCall(router.app, releaser, orphan.body)).error).toMatchObject({ category: 8, code: 10 });
  });

  it('routes a SIF_Response back to the district that sent the request', async () => {
    const request = await sealedMessage(requester, releaser, 'request');
    expect(ackOf(await zoneCall(router.app, requester, request.body)).status?.code).toBe(0);
    const requestMsgId = request.message.header.msgId;
    // Only the district the request went to may answer it, and only to its sender.
    const wrongWay = await sealedMessage(requester, releaser, 'x', { type: 'SIF_Response', requestMsgId });
    expect(ackOf(await zoneCall(router.app, requester, wrongWay.body)).error).toMatchObject({ category: 8 });
    const response = await sealedMessage(releaser, requester, 'records', { type: 'SIF_Response', requestMsgId });
    expect(ackOf(await zoneCall(router.app, releaser, response.body)).status?.code).toBe(0);
  });

  it('refuses a message whose student data is readable (category 2) and a malformed one (category 1)', async () => {
    const message: SifMessage = {
      type: 'SIF_Request',
      version: SIF_VERSION,
      header: { ...newHeader(requester.ncesId), destinationId: releaser.ncesId },
      versions: [SIF_VERSION],
      maxBufferSize: 65536,
      query: { objectName: RECORD_OBJECT, elements: [], example: { StudentLocator: { '@IdStatus': 'Request', '@TransactionId': newMsgId(), LocalId: 'Lovelace-1815' } } },
    };
    const ack = ackOf(await zoneCall(router.app, requester, encodeSif(message, 'xml')));
    expect(ack.error?.category).toBe(2);
    expect(await countSeen(message.header.msgId)).toBe(0);
    const broken = ackOf(await zoneCall(router.app, requester, '<SIF_Message><SIF_Request>'));
    expect(broken.error?.category).toBe(1);
    const entity = ackOf(await zoneCall(router.app, requester, '<!DOCTYPE x [<!ENTITY a "b">]><SIF_Message/>'));
    expect(entity.error?.category).toBe(1);
    const oversized = await zoneCall(router.app, requester, `<SIF_Message>${'x'.repeat(11 * 1024 * 1024)}</SIF_Message>`);
    expect(ackOf(oversized).error).toMatchObject({ category: 12, code: 1 });
  });

  it('answers in the format the Accept header asks for', async () => {
    const { body } = await sealedMessage(requester, releaser, 'accept', {}, 'json');
    const response = await zoneCall(router.app, requester, body, 'json', (h) => (h.accept = 'application/xml'));
    expect(response.headers['content-type']).toContain('application/xml');
    expect(ackOf(response).status?.code).toBe(0);
  });
});

describe('pull delivery and what the router keeps', () => {
  it('hands out each queued message verbatim with the sender signature until acknowledged, and keeps no plaintext', async () => {
    const puller = testDistrict('3100101', 'Prairie Plains Public Schools', 'NE');
    await enrol(puller, 'pull');
    const marker = `MARKER-${newMsgId()}`;
    const sent = await sealedMessage(requester, puller, JSON.stringify({ lastName: marker, birthDate: '2012-04-01' }));
    expect(ackOf(await zoneCall(router.app, requester, sent.body)).status?.code).toBe(0);

    // Nothing the router keeps holds the marker: every row of every table, bytea included.
    expect(await tablesContaining(marker)).toEqual([]);

    const first = await zoneCall(router.app, puller, getMessage(puller));
    const ack = ackOf(first);
    expect(ack.status?.code).toBe(0);
    const [offset, length] = String(first.headers[ORIGIN_HEADERS.bodyRange]).split(',').map(Number);
    const wrapped = first.rawPayload.subarray(offset!, offset! + length!).toString();
    expect(sent.body.endsWith(wrapped)).toBe(true);
    expect(first.headers[ORIGIN_HEADERS.signature]).toMatch(/^sig1=:/);
    expect(first.headers[ORIGIN_HEADERS.certificate]).toBeTruthy();
    expect(first.headers['signature']).toMatch(/^sig1=:/);

    // Only the destination can open it.
    const decoded = decodeSif(wrapped, 'xml');
    if (decoded.kind !== 'ok') throw new Error('wrapped message does not decode');
    const opened = await openPacket(sealedPayloadOf(decoded.message)!, puller.keys.privateKeyPem, () => requester.keys.publicKeyPem);
    expect(opened.ok && Buffer.from(opened.payload).toString()).toContain(marker);

    // Not acknowledged yet: handed out again.
    expect(ackOf(await zoneCall(router.app, puller, getMessage(puller))).originalMsgId).toBeDefined();
    const again = await zoneCall(router.app, puller, getMessage(puller));
    expect(again.rawPayload.subarray(offset!, offset! + length!).toString()).toBe(wrapped);

    const agentAck: SifMessage = {
      type: 'SIF_Ack',
      version: SIF_VERSION,
      header: newHeader(puller.ncesId),
      originalMsgId: sent.message.header.msgId,
      originalSourceId: requester.ncesId,
      status: { code: 1 },
    };
    expect(ackOf(await zoneCall(router.app, puller, encodeSif(agentAck, 'xml'))).status?.code).toBe(0);
    expect(await queued(puller.ncesId)).toHaveLength(0);
    expect(ackOf(await zoneCall(router.app, puller, getMessage(puller))).status?.code).toBe(9);
    // A second acknowledgement names a message that is gone.
    const agentAck2 = { ...agentAck, header: newHeader(puller.ncesId) };
    expect(ackOf(await zoneCall(router.app, puller, encodeSif(agentAck2, 'xml'))).error).toMatchObject({ category: 12, code: 6 });
  });

  it('queues messages that arrive together, each with exactly its own bytes', async () => {
    const puller = testDistrict('3100103', 'Loup Valley Public Schools', 'NE');
    await enrol(puller, 'pull');
    // Sent at once, so they share one batched insert, with bodies of different lengths.
    const sent = await Promise.all([5, 900, 40, 3000].map((size) => sealedMessage(requester, puller, JSON.stringify({ lastName: 'x'.repeat(size) }))));
    const answers = await Promise.all(sent.map((message) => zoneCall(router.app, requester, message.body)));
    expect(answers.map((answer) => ackOf(answer).status?.code)).toEqual([0, 0, 0, 0]);
    const rows = await queued(puller.ncesId);
    const bodies = new Map(rows.map((row) => [row.msg_id, Buffer.from(row.body).toString()]));
    expect(sent.map((message) => bodies.get(message.message.header.msgId))).toEqual(sent.map((message) => message.body));
  });

  it('queues a burst larger than one insert exactly once per message, duplicates in the burst included', async () => {
    const puller = testDistrict('3100104', 'Platte River Public Schools', 'NE');
    await enrol(puller, 'pull');
    const sent = await Promise.all(Array.from({ length: 150 }, (_, i) => sealedMessage(requester, puller, `burst ${i}`)));
    // Every tenth message is sent twice in the same burst (each copy signed on its own).
    const bodies = [...sent.map((m) => m.body), ...sent.filter((_, i) => i % 10 === 0).map((m) => m.body)];
    const codes = await Promise.all(bodies.map(async (body) => ackOf(await zoneCall(router.app, requester, body)).status?.code));
    expect(codes.filter((code) => code === 0)).toHaveLength(150);
    expect(codes.filter((code) => code === 7)).toHaveLength(15);
    const rows = await queued(puller.ncesId);
    expect(rows).toHaveLength(150);
    expect(new Set(rows.map((row) => row.msg_id))).toEqual(new Set(sent.map((m) => m.message.header.msgId)));
  });

  it('expires undelivered messages', async () => {
    const late = testDistrict('3100102', 'Sandhills Schools', 'NE');
    await enrol(late, 'pull');
    const sent = await sealedMessage(requester, late, 'expiring');
    expect(ackOf(await zoneCall(router.app, requester, sent.body)).status?.code).toBe(0);
    await router.deps.orm.em.fork().execute(`UPDATE zone_delivery SET expires_at = now() - interval '1 second' WHERE destination_id = ?`, [late.ncesId]);
    expect(ackOf(await zoneCall(router.app, late, getMessage(late))).status?.code).toBe(9);
    const { expireZoneData } = await import('../../src/router/national-zone/zone-queue.js');
    expect(await expireZoneData(router.deps.orm.em.fork(), 3600)).toBeGreaterThanOrEqual(1);
    expect(await queued(late.ncesId)).toHaveLength(0);
  });
});

/** Tables with any row holding `marker`, text or bytes. */
async function tablesContaining(marker: string): Promise<string[]> {
  const em = router.deps.orm.em.fork();
  const tables = await em.execute<Array<{ table_name: string }>>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  const found: string[] = [];
  for (const { table_name } of tables) {
    const rows = await em.execute<Array<Record<string, unknown>>>(`SELECT * FROM "${table_name}"`);
    const holds = rows.some((row) => Object.values(row).some((value) => valueText(value).includes(marker)));
    if (holds) found.push(table_name);
  }
  expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['zone_message', 'zone_delivery']));
  return found;
}

function valueText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
