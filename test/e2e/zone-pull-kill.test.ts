import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeSchema } from '../../src/node/node-schema.js';
import { statusAck } from '../../src/sif/sif-build.js';
import { decodeSif, encodeSif } from '../../src/sif/sif-codec.js';
import { newHeader, SIF_VERSION, type SifAck, type SifMessage } from '../../src/sif/sif-message.js';
import { openDatabase } from '../../src/storage/database.js';
import { findFreePort } from '../../src/storage/embedded-postgres.js';
import { checkZoneDefinition } from '../../src/zones/zone-definition.js';
import { queueDepth } from '../../src/zones/zone-queue.js';
import { saveZone } from '../../src/zones/zone-store.js';
import { createTestDatabase } from '../support/database.js';
import { startRex, stopProcess } from '../support/processes.js';
import { studentPersonal } from '../support/sif-samples.js';

/**
 * A pull agent drains its queue from a node process that is killed
 * (SIGKILL) in the middle: the node serves the agent from memory and
 * writes behind it (pull sessions), so what it had not written is lost
 * with it — and must come back, never go missing.
 */
const dir = mkdtempSync(join(tmpdir(), 'rex-e2e-pull-'));
const ZONE = 'pull-kill';
const EVENTS = 120;
let node: ChildProcess | undefined;
let orm: MikroORM;
let config = '';
let zoneUrl = '';

async function startNode(): Promise<void> {
  node = await startRex(['node', '--config', config], zoneUrl.replace(`/zones/${ZONE}`, '/healthz'));
}

async function post(message: SifMessage): Promise<SifAck> {
  const response = await fetch(zoneUrl, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: encodeSif(message, 'xml') });
  const decoded = decodeSif(await response.text(), 'xml');
  if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error('not a SIF_Ack');
  return decoded.message;
}

const v = { version: SIF_VERSION };
const register = (source: string): SifMessage => ({ type: 'SIF_Register', ...v, header: newHeader(source), name: source, versions: ['2.*'], maxBufferSize: 1_000_000, mode: 'Pull' });

/** One GetMessage and, when a message came, its ack: the msg id delivered, or undefined when the queue is empty. */
async function pullOne(): Promise<string | undefined> {
  const got = await post({ type: 'SIF_SystemControl', ...v, header: newHeader('SUB'), command: 'SIF_GetMessage' });
  if (got.status?.code === 9) return undefined;
  const data = got.status?.data;
  if (data?.kind !== 'message') throw new Error(`no message: ${JSON.stringify(got)}`);
  const header = (data.message['SIF_Event'] as { SIF_Header: { SIF_MsgId: string; SIF_SourceId: string } }).SIF_Header;
  const ack = await post(statusAck('SUB', { msgId: header.SIF_MsgId, sourceId: header.SIF_SourceId }, 1));
  expect(ack.status?.code).toBe(0);
  return header.SIF_MsgId;
}

beforeAll(async () => {
  const port = await findFreePort();
  zoneUrl = `http://127.0.0.1:${port}/zones/${ZONE}`;
  const databaseUrl = await createTestDatabase('node');
  config = join(dir, 'node.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: join(dir, 'node'),
      databaseUrl,
      logLevel: 'warn',
      http: { host: '127.0.0.1', port },
      node: { district: { ncesId: '0499931', name: 'Ocotillo Wells Unified', state: 'AZ' }, routerUrl: 'http://127.0.0.1:9' },
    }),
  );
  await startNode();
  orm = await openDatabase(databaseUrl, nodeSchema, 2);
  const zone = checkZoneDefinition({
    id: ZONE,
    name: 'Pull agent killed mid-drain',
    maxMessageBytes: 65536,
    nodeAgent: { sourceId: 'KILL-NODE', name: 'Node', rights: {} },
    agents: [
      { sourceId: 'PUB', name: 'Publisher', rights: { StudentPersonal: ['PublishAdd'] } },
      { sourceId: 'SUB', name: 'Pull subscriber', rights: { StudentPersonal: ['Subscribe'] } },
    ],
  });
  if (zone.kind !== 'ok') throw new Error(zone.problems.join('; '));
  await orm.em.fork().transactional((tx) => saveZone(tx, zone.zone));
}, 120_000);

afterAll(async () => {
  if (node) await stopProcess(node);
  await orm?.close(true);
});

describe('a pull agent draining a node that is killed', () => {
  it('gets every message, in order, at least once: what the killed node had not written comes again', async () => {
    for (const source of ['PUB', 'SUB']) expect((await post(register(source))).status?.code).toBe(0);
    expect((await post({ type: 'SIF_Subscribe', ...v, header: newHeader('SUB'), objects: [{ objectName: 'StudentPersonal' }] })).status?.code).toBe(0);
    const published: string[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const add: SifMessage = { type: 'SIF_Event', ...v, header: newHeader('PUB'), objectName: 'StudentPersonal', action: 'Add', object: studentPersonal(`F${String(i).padStart(31, '0')}`) };
      expect((await post(add)).status?.code).toBe(0);
      published.push(add.header.msgId);
    }
    const delivered: string[] = [];
    for (let i = 0; i < EVENTS / 2; i++) delivered.push((await pullOne())!);
    // Killed right after answering an ack: its last removals are at most in memory.
    node!.kill('SIGKILL');
    await new Promise((r) => node!.once('exit', r));
    await startNode();
    for (let id = await pullOne(); id !== undefined; id = await pullOne()) delivered.push(id);

    // Every message came; each first delivery in publishing order; repeats only of messages acked just before the kill.
    const firsts = delivered.filter((id, i) => delivered.indexOf(id) === i);
    expect(firsts).toEqual(published);
    const repeated = delivered.length - published.length;
    expect(repeated).toBeGreaterThanOrEqual(0);
    expect(delivered.slice(EVENTS / 2, EVENTS / 2 + repeated)).toEqual(published.slice(EVENTS / 2 - repeated, EVENTS / 2));
    // The running node writes its last removals within milliseconds.
    let depth = await queueDepth(orm.em.fork(), ZONE, 'SUB');
    for (let tries = 0; depth.queued > 0 && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      depth = await queueDepth(orm.em.fork(), ZONE, 'SUB');
    }
    expect(depth).toEqual({ queued: 0, blocked: 0 });
  });
});
