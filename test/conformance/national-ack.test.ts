import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/config/load-config.js';
import { RECORD_OBJECT } from '../../src/national/national-envelope.js';
import { ackWithError, ackWithStatus, sifError } from '../../src/national/zone-sif.js';
import { approveDistrict } from '../../src/router/registry.js';
import { prepareRouter, type PreparedRouter } from '../../src/router/start-router.js';
import { encodeSif } from '../../src/sif/sif-codec.js';
import { newHeader, newMsgId, SIF_VERSION, type SifMessage } from '../../src/sif/sif-message.js';
import { createTestDatabase } from '../support/database.js';
import { testDistrict, type TestDistrict } from '../support/district-keys.js';
import { sealedMessage, zoneCall } from '../support/national-zone.js';
import { requireXsdTools, validateAgainstSifXsd } from '../support/xsd-validate.js';

/**
 * Every SIF_Ack the NationalRouter zone writes — the router's acceptances,
 * duplicates, refusals of each category, SIF_GetMessage answers with the
 * wrapped message, and a node's acks — and every message a node sends
 * validates against the official SIF US 2.4 XSD
 * (../shared/standards/sif/SIF_Message-us-2.4.xsd, checked with xmllint).
 */
let router: PreparedRouter;
const sender = testDistrict('0400201', 'Saguaro Unified School District', 'AZ');
const receiver = testDistrict('2700201', 'Ten Lakes Public Schools', 'MN');
const documents: Record<string, string> = {};

async function enrol(district: TestDistrict, deliveryMode: 'push' | 'pull') {
  await district.call(router.app, 'POST', '/v1/registrations', district.registration({ deliveryMode }));
  expect((await approveDistrict(router.deps.orm.em.fork(), router.deps.ca, district.ncesId, 365)).ok).toBe(true);
  router.deps.callers.invalidate(district.ncesId);
}

async function answer(name: string, district: TestDistrict, body: string, tamper?: (h: Record<string, string>) => void) {
  const response = await zoneCall(router.app, district, body, 'xml', tamper);
  documents[name] = response.body;
  return response.body;
}

function control(district: TestDistrict, command: 'SIF_GetMessage' | 'SIF_Ping'): string {
  const message: SifMessage = { type: 'SIF_SystemControl', version: SIF_VERSION, header: newHeader(district.ncesId), command };
  return encodeSif(message, 'xml');
}

beforeAll(async () => {
  requireXsdTools();
  const config = checkConfig({ dataDir: mkdtempSync(join(tmpdir(), 'rex-national-ack-')), databaseUrl: await createTestDatabase('router'), logLevel: 'silent' });
  router = await prepareRouter(config);
  await enrol(sender, 'push');
  await enrol(receiver, 'pull');
});

afterAll(async () => {
  await router?.close();
});

describe('NationalRouter zone messages against the SIF US 2.4 XSD', () => {
  it('every message a node sends and every SIF_Ack the zone writes validates', async () => {
    const request = await sealedMessage(sender, receiver, 'request');
    const event = await sealedMessage(sender, receiver, 'status', { type: 'SIF_Event', action: 'Add', objectName: 'SIF_LogEntry' });
    Object.assign(documents, { 'sent SIF_Request': request.body, 'sent SIF_Event': event.body });
    await answer('ack 0 accepted', sender, request.body);
    await answer('ack 7 duplicate', sender, request.body);
    await answer('ack 0 event', sender, event.body);
    const response = await sealedMessage(receiver, sender, 'records', { type: 'SIF_Response', requestMsgId: request.message.header.msgId });
    documents['sent SIF_Response'] = response.body;
    await answer('ack 0 response', receiver, response.body);
    const wrapped = await answer('ack 0 SIF_GetMessage with message', receiver, control(receiver, 'SIF_GetMessage'));
    expect(wrapped).toContain('<SIF_Data><SIF_Message');
    await answer('ack 0 ping', receiver, control(receiver, 'SIF_Ping'));

    await answer('error 3 unsigned', sender, (await sealedMessage(sender, receiver, 'x')).body, (h) => delete h.signature);
    await answer('error 4 no right', sender, (await sealedMessage(sender, receiver, 'x', { objectName: 'StudentPersonal' })).body);
    await answer('error 8 unknown destination', sender, (await sealedMessage(sender, testDistrict('5500201', 'Nowhere', 'WI'), 'x')).body);
    await answer('error 8 unknown request', receiver, (await sealedMessage(receiver, sender, 'x', { type: 'SIF_Response', requestMsgId: newMsgId() })).body);
    await answer('error 1 malformed', sender, '<SIF_Message><SIF_Request>');
    const nobody = testDistrict('5500202', 'Unknown', 'WI');
    await answer('error 3 unknown key', nobody, (await sealedMessage(nobody, receiver, 'x')).body);

    // The acks a node writes for pushed or pulled messages.
    const target = { msgId: request.message.header.msgId, sourceId: sender.ncesId };
    documents['node ack 1'] = encodeSif(ackWithStatus(receiver.ncesId, target, 1), 'xml');
    documents['node ack 7'] = encodeSif(ackWithStatus(receiver.ncesId, target, 7), 'xml');
    documents['node error 3'] = encodeSif(ackWithError(receiver.ncesId, target, sifError(3, 7, 'origin signature does not verify')), 'xml');
    documents['node error 11'] = encodeSif(ackWithError(receiver.ncesId, { msgId: null, sourceId: null }, sifError(11, 1, 'processing failed')), 'xml');
    expect(Object.keys(documents).length).toBeGreaterThanOrEqual(18);
    expect(Object.values(documents).every((xml) => xml.includes('SIF_Message'))).toBe(true);
    expect(validateAgainstSifXsd(documents)).toEqual({});
    expect(RECORD_OBJECT).toBe('StudentRecordExchange');
  });
});
