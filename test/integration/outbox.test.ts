import { createServer, type Server } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeSchema } from '../../src/node/node-schema.js';
import { processOnce } from '../../src/outbox/inbox.js';
import { claimDue, enqueue, outboxCounts, settle, type OutboxMessage } from '../../src/outbox/outbox.js';
import { startOutboxWorker, type Deliver } from '../../src/outbox/outbox-worker.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from '../support/database.js';

let orm: MikroORM;
let server: Server;
let receiverUrl = '';
const received = new Map<string, number>();
/** Message id → how many more deliveries the receiver refuses with 503. */
const failures = new Map<string, number>();

beforeAll(async () => {
  orm = await openDatabase(await createTestDatabase('node'), nodeSchema);
  server = createServer((request, response) => {
    const id = String(request.headers['x-message-id']);
    const refuse = failures.get(id) ?? 0;
    if (refuse > 0) {
      failures.set(id, refuse - 1);
      response.writeHead(503).end();
      return;
    }
    received.set(id, (received.get(id) ?? 0) + 1);
    response.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});

afterAll(async () => {
  await orm?.close(true);
  server?.close();
});

/** Delivers over real HTTP: 2xx delivered, 5xx or a network error retried, 4xx failed. */
const httpDeliver: Deliver = async (message) => {
  const response = await fetch(message.destination, { method: 'POST', headers: { 'content-type': message.contentType, 'x-message-id': message.id }, body: message.body });
  if (response.ok) return { kind: 'delivered' };
  return response.status >= 500 ? { kind: 'retry', error: `HTTP ${response.status}` } : { kind: 'failed', error: `HTTP ${response.status}` };
};

const fast = { baseMs: 5, maxMs: 20, maxAttempts: 10 };

describe('durable outbox', () => {
  it('keeps one message per id, and nothing from a rolled-back transaction', async () => {
    const em = orm.em.fork();
    await enqueue(em, { id: 'dup-1', destination: receiverUrl, contentType: 'text/plain', body: Buffer.from('a') });
    await enqueue(em, { id: 'dup-1', destination: receiverUrl, contentType: 'text/plain', body: Buffer.from('b') });
    await expect(
      orm.em.fork().transactional(async (tx) => {
        await enqueue(tx, { id: 'rolled-back', destination: receiverUrl, contentType: 'text/plain', body: Buffer.from('c') });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const rows = await em.execute<Array<{ id: string; body: Buffer }>>(`SELECT id, body FROM outbox_message WHERE id IN ('dup-1', 'rolled-back')`);
    expect(rows.map((r) => [r.id, r.body.toString()])).toEqual([['dup-1', 'a']]);
  });

  it('retries with backoff until the receiver accepts', async () => {
    failures.set('retry-1', 2);
    const em = orm.em.fork();
    await enqueue(em, { id: 'retry-1', destination: receiverUrl, contentType: 'text/plain', body: Buffer.from('x') });
    const worker = startOutboxWorker(orm, httpDeliver, { pollMs: 10, policy: fast });
    await expect.poll(() => received.get('retry-1') ?? 0, { timeout: 5000 }).toBe(1);
    await worker.stop();
    const [row] = await em.execute<Array<{ status: string; attempts: number; size: number }>>(
      `SELECT status, attempts, octet_length(body) AS size FROM outbox_message WHERE id = 'retry-1'`,
    );
    // Delivered: the body (possibly a student's records before sealing) is gone.
    expect(row).toEqual({ status: 'delivered', attempts: 3, size: 0 });
  });

  it('delivers each message once when two workers drain at the same time', async () => {
    const em = orm.em.fork();
    for (let i = 0; i < 60; i++) await enqueue(em, { id: `pair-${i}`, destination: receiverUrl, contentType: 'text/plain', body: Buffer.from(String(i)) });
    const a = startOutboxWorker(orm, httpDeliver, { pollMs: 5, batch: 7, policy: fast });
    const b = startOutboxWorker(orm, httpDeliver, { pollMs: 5, batch: 7, policy: fast });
    await expect.poll(() => [...received.keys()].filter((k) => k.startsWith('pair-')).length, { timeout: 10_000 }).toBe(60);
    await Promise.all([a.stop(), b.stop()]);
    expect([...received.entries()].filter(([k, n]) => k.startsWith('pair-') && n !== 1)).toEqual([]);
  });

  it('gives a message whose worker died back to another worker when the lease ends', async () => {
    const em = orm.em.fork();
    await enqueue(em, { id: 'orphan-1', destination: receiverUrl, contentType: 'text/plain', body: Buffer.from('o') });
    const claimed = await claimDue(em, 100, 50);
    expect(claimed.map((m) => m.id)).toContain('orphan-1');
    expect((await claimDue(em, 100, 50)).map((m) => m.id)).not.toContain('orphan-1');
    await new Promise((r) => setTimeout(r, 80));
    const again = await claimDue(em, 100, 50);
    expect(again.map((m) => m.id)).toContain('orphan-1');
    await settle(em, again.find((m) => m.id === 'orphan-1') as OutboxMessage, { kind: 'failed', error: 'refused by the receiver' });
    const counts = await outboxCounts(em);
    expect(counts.failed).toBeGreaterThanOrEqual(1);
  });
});

describe('inbox', () => {
  it('processes a message id once, and not at all when the work fails', async () => {
    let done = 0;
    const work = async () => ++done;
    expect(await processOnce(orm.em.fork(), { id: 'msg-1', source: 'router' }, work)).toEqual({ kind: 'processed', value: 1 });
    expect(await processOnce(orm.em.fork(), { id: 'msg-1', source: 'router' }, work)).toEqual({ kind: 'duplicate' });
    await expect(processOnce(orm.em.fork(), { id: 'msg-2', source: 'router' }, async () => { throw new Error('crash'); })).rejects.toThrow('crash');
    expect(await processOnce(orm.em.fork(), { id: 'msg-2', source: 'router' }, work)).toEqual({ kind: 'processed', value: 2 });
    expect(done).toBe(2);
  });
});
