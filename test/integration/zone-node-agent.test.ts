import type { MikroORM } from '@mikro-orm/postgresql';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zoneDeliveryFor, zoneRoutes } from '../../src/http/zone-routes.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { decodeSif, encodeSif } from '../../src/sif/sif-codec.js';
import { newHeader, SIF_VERSION, type SifMessage } from '../../src/sif/sif-message.js';
import { openDatabase } from '../../src/storage/database.js';
import type { NodeAgentDelivery } from '../../src/zones/node-agent.js';
import { sendAsNodeAgent } from '../../src/zones/zone-server.js';
import { findZone } from '../../src/zones/zone-store.js';
import { NationalHandlers } from '../../src/national/national-handlers.js';
import { createTestDatabase } from '../support/database.js';
import { testNodeConfig } from '../support/node-config.js';
import { studentPersonal } from '../support/sif-samples.js';

let orm: MikroORM;
let app: FastifyInstance;
const delivered: NodeAgentDelivery[] = [];
let failNext = false;

beforeAll(async () => {
  const url = await createTestDatabase('node');
  orm = await openDatabase(url, nodeSchema, 10);
  const config = testNodeConfig(url);
  app = Fastify();
  await app.register(
    zoneRoutes({
      nodeAgent: async (delivery) => {
        if (failNext) {
          failNext = false;
          throw new Error('store unavailable');
        }
        delivered.push(delivery);
      },
    }),
    { config, orm, nationalHandlers: new NationalHandlers() },
  );
});

afterAll(async () => {
  await app?.close();
  await orm?.close(true);
});

/** Registers the SIS's agent (again: a repeated SIF_Register updates the registration), as each test needs it. */
async function registerSisAgent() {
  const ack = await post({ type: 'SIF_Register', version: SIF_VERSION, header: newHeader('SIS-AGENT'), name: 'SIS', versions: ['2.4'], maxBufferSize: 65536, mode: 'Pull' });
  expect(ack.status?.code).toBe(0);
}

async function post(message: SifMessage) {
  const response = await app.inject({ method: 'POST', url: '/zones/district-sis', headers: { 'content-type': 'application/json' }, payload: encodeSif(message, 'json') });
  const decoded = decodeSif(response.body, 'json');
  if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error(response.body);
  return decoded.message;
}

describe("the node's own agent", () => {
  it('receives the events it subscribes to in process, in order, again after a failed attempt', async () => {
    await registerSisAgent();
    const first: SifMessage = { type: 'SIF_Event', version: SIF_VERSION, header: newHeader('SIS-AGENT'), objectName: 'StudentPersonal', action: 'Add', object: studentPersonal('A1B2C3D4E5F60718293A4B5C6D7E8F90') };
    const second: SifMessage = { ...first, header: newHeader('SIS-AGENT'), action: 'Change' } as SifMessage;
    failNext = true;
    expect((await post(first)).status?.code).toBe(0);
    expect((await post(second)).status?.code).toBe(0);
    await zoneDeliveryFor(orm)!.drain();
    // The first attempt failed; the retry comes after a backoff, and the second event waits behind the first.
    await orm.em.fork().execute(`UPDATE zone_queue SET next_attempt_at = now()`);
    await zoneDeliveryFor(orm)!.drain();
    expect(failNext).toBe(false);
    expect(delivered.map((d) => [d.zoneId, d.kind, d.message.header.msgId])).toEqual([
      ['district-sis', 'event', first.header.msgId],
      ['district-sis', 'event', second.header.msgId],
    ]);
  });

  it('sends requests in process with the same rights checks, and cannot be impersonated over HTTP', async () => {
    await registerSisAgent();
    const zone = (await findZone(orm.em.fork(), 'district-sis'))!;
    const provide: SifMessage = { type: 'SIF_Provide', version: SIF_VERSION, header: newHeader('SIS-AGENT'), objects: [{ objectName: 'StudentPersonal' }] };
    expect((await post(provide)).status?.code).toBe(0);
    const request: SifMessage = { type: 'SIF_Request', version: SIF_VERSION, header: newHeader('REX-NODE'), versions: ['2.4'], maxBufferSize: 65536, query: { objectName: 'StudentPersonal', elements: [] } };
    expect((await sendAsNodeAgent(orm.em.fork(), zone, request)).ack.status?.code).toBe(0);
    const denied: SifMessage = { ...request, header: newHeader('REX-NODE'), query: { objectName: 'EmployeePersonal', elements: [] } } as SifMessage;
    expect((await sendAsNodeAgent(orm.em.fork(), zone, denied)).ack.error).toMatchObject({ category: 4, code: 5 });
    expect((await post({ ...request, header: newHeader('REX-NODE') } as SifMessage)).error).toMatchObject({ category: 4, code: 9 });
  });
});
