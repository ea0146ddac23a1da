import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { loadOrCreateCertificateAuthority } from '../../src/crypto/certificate-authority.js';
import { RECORD_OBJECT } from '../../src/national/national-envelope.js';
import { enqueueNationalMessage } from '../../src/national/national-sender.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { refreshStatus, registerWithRouter } from '../../src/node/registration.js';
import { approveDistrict } from '../../src/router/registry.js';
import { routerSchema } from '../../src/router/router-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { findFreePort } from '../../src/storage/embedded-postgres.js';
import { createTestDatabase } from '../support/database.js';
import { startRex, stopProcess } from '../support/processes.js';

/**
 * A router and two district nodes as separate processes over real HTTP:
 * Desert Wells receives by push, Prairie Plains by pull. Messages enter a
 * node's durable outbox (as the transfer workflow will put them there), the
 * node seals, signs and sends them, the router checks and forwards them, the
 * other node verifies them end to end and processes each exactly once — also
 * when the router is killed with SIGKILL in the middle of deliveries.
 */
const dir = mkdtempSync(join(tmpdir(), 'rex-e2e-national-'));
const children = new Map<string, ChildProcess>();
let routerUrl = '';
let routerConfig = '';
let routerDb: MikroORM;
interface TestNode {
  ncesId: string;
  name: string;
  state: string;
  mode: 'push' | 'pull';
  config: string;
  url: string;
  orm: MikroORM;
}
const nodes: { desert: TestNode; prairie: TestNode } = {
  desert: { ncesId: '0499921', name: 'Desert Wells Unified School District', state: 'AZ', mode: 'push' as const, config: '', url: '', orm: undefined as unknown as MikroORM },
  prairie: { ncesId: '3199921', name: 'Prairie Plains Public Schools', state: 'NE', mode: 'pull' as const, config: '', url: '', orm: undefined as unknown as MikroORM },
};

beforeAll(async () => {
  const routerPort = await findFreePort();
  routerUrl = `http://127.0.0.1:${routerPort}`;
  const routerDbUrl = await createTestDatabase('router');
  routerConfig = writeConfig('router', { dataDir: join(dir, 'router'), databaseUrl: routerDbUrl, logLevel: 'warn', http: { host: '127.0.0.1', port: routerPort } });
  children.set('router', await startRex(['router', '--config', routerConfig], `${routerUrl}/healthz`));
  routerDb = await openDatabase(routerDbUrl, routerSchema, 2);
  await Promise.all(
    Object.entries(nodes).map(async ([key, node]) => {
      const port = await findFreePort();
      const databaseUrl = await createTestDatabase('node');
      node.url = `http://127.0.0.1:${port}`;
      node.config = writeConfig(key, {
        dataDir: join(dir, key),
        databaseUrl,
        logLevel: 'warn',
        http: { host: '127.0.0.1', port },
        node: { district: { ncesId: node.ncesId, name: node.name, state: node.state }, routerUrl, deliveryMode: node.mode, pollIntervalMs: 200, applicationName: `rex-${key}` },
      });
      children.set(key, await startRex(['node', '--config', node.config], `${node.url}/healthz`));
      node.orm = await openDatabase(databaseUrl, nodeSchema, 2);
      // Registration as the CLI does it (test/e2e/registration.test.ts drives the CLI itself), in this process to keep the test quick.
      const config = loadConfig(node.config);
      const registered = await registerWithRouter(config, node.orm, { acceptTerms: true, registeredBy: 'Administrator, System', endpoint: node.url, readDocuments: async function* () {} });
      expect(registered.ok).toBe(true);
      const approved = await approveDistrict(routerDb.em.fork(), loadOrCreateCertificateAuthority(join(dir, 'router', 'ca')), node.ncesId, 365);
      expect(approved.ok).toBe(true);
      // The status check stores the certificate and the router CA in the node's database.
      let status = await refreshStatus(config, node.orm);
      for (let i = 0; i < 50 && !(status.ok && status.status.exchangeStatus === 'Active'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = await refreshStatus(config, node.orm);
      }
      expect(status).toMatchObject({ ok: true, status: { exchangeStatus: 'Active' } });
    }),
  );
}, 120_000);

afterAll(async () => {
  for (const child of children.values()) await stopProcess(child);
  await routerDb?.close(true);
  for (const node of Object.values(nodes)) await node.orm?.close(true);
});

function writeConfig(name: string, config: object): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function send(from: TestNode, send: Parameters<typeof enqueueNationalMessage>[2]): Promise<string> {
  return from.orm.em.fork().transactional((tx) => enqueueNationalMessage(tx, from.ncesId, send));
}

async function received(at: TestNode, msgIds: string[]): Promise<Array<{ msg_id: string; message_type: string; request_msg_id: string | null }>> {
  return at.orm.em.fork().execute(
    `SELECT msg_id, message_type, request_msg_id FROM national_message WHERE direction = 'in' AND msg_id IN (${msgIds.map(() => '?').join(', ')})`,
    msgIds,
  );
}

describe('national messages between district nodes through the router', () => {
  it('carries a request to a pull node and its response back to a push node', async () => {
    const demographics = new TextEncoder().encode(JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', birthDate: '2012-12-10' }));
    const requestId = await send(nodes.desert, { type: 'SIF_Request', destinationId: nodes.prairie.ncesId, objectName: RECORD_OBJECT, payload: demographics });
    await expect.poll(async () => (await received(nodes.prairie, [requestId])).length, { timeout: 20_000, interval: 200 }).toBe(1);

    const responseId = await send(nodes.prairie, {
      type: 'SIF_Response',
      destinationId: nodes.desert.ncesId,
      objectName: RECORD_OBJECT,
      requestMsgId: requestId,
      payload: new TextEncoder().encode('{"records":[]}'),
    });
    await expect.poll(async () => (await received(nodes.desert, [responseId])).length, { timeout: 20_000, interval: 200 }).toBe(1);
    expect(await received(nodes.desert, [responseId])).toEqual([{ msg_id: responseId, message_type: 'SIF_Response', request_msg_id: requestId }]);
    // Delivered and acknowledged: the router's queue is empty, and the outboxes are settled.
    await expect.poll(async () => Number((await routerDb.em.fork().execute<Array<{ n: string }>>('SELECT count(*) AS n FROM zone_delivery'))[0]!.n)).toBe(0);
    // The sender marks its outbox once the router's answer is back, which may be after the router delivered.
    const outbox = () => nodes.prairie.orm.em.fork().execute<Array<{ status: string }>>(`SELECT status FROM outbox_message WHERE id = ?`, [responseId]);
    await expect.poll(outbox).toEqual([{ status: 'delivered' }]);
  });

  it('delivers every message exactly once when the router is killed with SIGKILL mid-delivery and restarted', async () => {
    const count = 30;
    const ids: string[] = [];
    const toPush: string[] = [];
    const toPull: string[] = [];
    for (let i = 0; i < count; i++) {
      const payload = new TextEncoder().encode(`{"n":${i}}`);
      const pushId = await send(nodes.prairie, { type: 'SIF_Event', action: 'Add', destinationId: nodes.desert.ncesId, objectName: 'SIF_LogEntry', payload });
      const pullId = await send(nodes.desert, { type: 'SIF_Event', action: 'Add', destinationId: nodes.prairie.ncesId, objectName: 'SIF_LogEntry', payload });
      toPush.push(pushId);
      toPull.push(pullId);
      ids.push(pushId, pullId);
    }
    // Kill the router as soon as it has taken some of them in.
    await expect.poll(async () => Number((await routerDb.em.fork().execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM zone_message WHERE message_type = 'SIF_Event'`))[0]!.n), { timeout: 20_000, interval: 20 }).toBeGreaterThan(0);
    const router = children.get('router')!;
    const exited = new Promise((resolve) => router.once('exit', resolve));
    router.kill('SIGKILL');
    await exited;
    children.set('router', await startRex(['router', '--config', routerConfig], `${routerUrl}/healthz`));

    await expect.poll(async () => (await received(nodes.desert, toPush)).length, { timeout: 40_000, interval: 250 }).toBe(count);
    await expect.poll(async () => (await received(nodes.prairie, toPull)).length, { timeout: 40_000, interval: 250 }).toBe(count);
    // Each message was processed once: one inbox record per message, nothing left queued.
    for (const [node, sent] of [[nodes.desert, toPush], [nodes.prairie, toPull]] as const) {
      const inbox = await node.orm.em.fork().execute<Array<{ n: string }>>(
        `SELECT count(*) AS n FROM inbox_message WHERE id IN (${sent.map(() => '?').join(', ')})`,
        sent.map((id) => `national:${node === nodes.desert ? nodes.prairie.ncesId : nodes.desert.ncesId}:${id}`),
      );
      expect(Number(inbox[0]!.n)).toBe(count);
    }
    await expect.poll(async () => Number((await routerDb.em.fork().execute<Array<{ n: string }>>('SELECT count(*) AS n FROM zone_delivery'))[0]!.n), { timeout: 20_000 }).toBe(0);
    expect(ids).toHaveLength(2 * count);
  });

  it('delivers every message exactly once when the receiving push node is killed with SIGKILL and restarted', async () => {
    const count = 15;
    const sent: string[] = [];
    for (let i = 0; i < count; i++) {
      sent.push(await send(nodes.prairie, { type: 'SIF_Event', action: 'Add', destinationId: nodes.desert.ncesId, objectName: 'SIF_LogEntry', payload: new TextEncoder().encode(`{"k":${i}}`) }));
    }
    // Kill the receiver as soon as the router holds messages for it.
    await expect.poll(async () => Number((await routerDb.em.fork().execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM zone_message WHERE msg_id IN (${sent.map(() => '?').join(', ')})`, sent))[0]!.n), { timeout: 20_000, interval: 20 }).toBeGreaterThan(0);
    const desert = children.get('desert')!;
    const exited = new Promise((resolve) => desert.once('exit', resolve));
    desert.kill('SIGKILL');
    await exited;
    children.set('desert', await startRex(['node', '--config', nodes.desert.config], `${nodes.desert.url}/healthz`));
    await expect.poll(async () => (await received(nodes.desert, sent)).length, { timeout: 40_000, interval: 250 }).toBe(count);
    const inbox = await nodes.desert.orm.em.fork().execute<Array<{ n: string }>>(
      `SELECT count(*) AS n FROM inbox_message WHERE id IN (${sent.map(() => '?').join(', ')})`,
      sent.map((id) => `national:${nodes.prairie.ncesId}:${id}`),
    );
    expect(Number(inbox[0]!.n)).toBe(count);
    await expect.poll(async () => Number((await routerDb.em.fork().execute<Array<{ n: string }>>('SELECT count(*) AS n FROM zone_delivery'))[0]!.n), { timeout: 20_000 }).toBe(0);
  });
});
