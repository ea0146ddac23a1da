import type { MikroORM } from '@mikro-orm/postgresql';
import { decodeSif, encodeSifDocument, formatOfMediaType, SIF_MEDIA_TYPE } from '../sif/sif-codec.js';
import { readSifMessage } from '../sif/sif-read.js';
import { onObjectForNode, type NodeAgentHandler } from './node-agent.js';
import { claimPushHeads, retryLater, settleWithAck, type QueuedMessage } from './zone-queue.js';

/**
 * Push delivery of zone queues (SIF 2.x push mode): POSTs each push agent's
 * oldest deliverable message to its SIF_URL and settles it with the SIF_Ack
 * the agent answers; the node's own agent gets its messages through
 * onObjectForNode. A failed attempt (network, HTTP error, no SIF_Ack) is
 * retried with backoff; the message stays first in the agent's queue, so
 * order holds. Like src/outbox/outbox-worker.ts: poll, or `wake()` to send now.
 */
export interface ZoneDeliveryWorker {
  /** Delivers what is due now; resolves with how many attempts were made. */
  drain(): Promise<number>;
  /** Asks for a drain soon (after a message was queued). */
  wake(): void;
  stop(): Promise<void>;
}

/** Options of the delivery worker. */
export interface ZoneDeliveryOptions {
  pollMs?: number;
  leaseMs?: number;
  batch?: number;
  /** Per-attempt HTTP timeout. */
  timeoutMs?: number;
  nodeAgent?: NodeAgentHandler;
}

/** The wait before the next attempt: 500 ms doubling to a minute. */
export function zoneBackoffMs(attempts: number): number {
  return Math.min(60_000, 500 * 2 ** Math.max(0, attempts - 1));
}

type Claimed = Awaited<ReturnType<typeof claimPushHeads>>[number];

async function deliverInternal(orm: MikroORM, row: Claimed, handler: NodeAgentHandler): Promise<void> {
  const read = readSifMessage(row.document);
  const em = orm.em.fork();
  if (read.kind === 'error') {
    // Only accepted, valid messages are queued: a bad one is a bug; keep it out of the way.
    await retryLater(em, row.id, 24 * 3600_000, `unreadable queued message: ${read.error.extendedDesc ?? read.error.desc}`);
    return;
  }
  try {
    await handler({ zoneId: row.zoneId, kind: row.kind, message: read.value });
    await em.execute('DELETE FROM zone_queue WHERE id = ?', [row.id]);
  } catch (error) {
    await retryLater(em, row.id, zoneBackoffMs(row.attempts), `node agent: ${String(error)}`);
  }
}

async function deliverPush(orm: MikroORM, row: Claimed, timeoutMs: number): Promise<void> {
  const em = orm.em.fork();
  let answer: { status: number; type: string | null; text: string };
  try {
    const response = await fetch(row.url!, {
      method: 'POST',
      headers: { 'content-type': SIF_MEDIA_TYPE[row.format], accept: SIF_MEDIA_TYPE[row.format] },
      body: encodeSifDocument(row.document, row.format),
      signal: AbortSignal.timeout(timeoutMs),
    });
    answer = { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  } catch (error) {
    await retryLater(em, row.id, zoneBackoffMs(row.attempts), `POST ${row.url}: ${String(error)}`);
    return;
  }
  const decoded = decodeSif(answer.text, formatOfMediaType(answer.type ?? undefined) ?? row.format);
  if (answer.status >= 300 || decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack' || decoded.message.originalMsgId !== row.msgId) {
    await retryLater(em, row.id, zoneBackoffMs(row.attempts), `HTTP ${answer.status} without a SIF_Ack for ${row.msgId}`);
    return;
  }
  const ack = decoded.message;
  const settled = await em.transactional((tx) => settleWithAck(tx, row.zoneId, row.target, ack));
  if (settled.kind === 'refused') await retryLater(em, row.id, zoneBackoffMs(row.attempts), settled.error.extendedDesc ?? settled.error.desc);
}

const PRUNE_EVERY_POLLS = 3600;

/**
 * Forgets received msg ids after a week: duplicate detection (status 7)
 * covers redelivery by agents, which happens within hours, not weeks.
 */
export async function pruneReceived(orm: MikroORM, days = 7): Promise<number> {
  const rows = await orm.em.fork().execute<Array<{ msg_id: string }>>(
    `DELETE FROM zone_received WHERE received_at < now() - (? * interval '1 day') RETURNING msg_id`,
    [days],
  );
  return rows.length;
}

/** Starts the push delivery worker of a node's zones. */
export function startZoneDelivery(orm: MikroORM, options: ZoneDeliveryOptions = {}): ZoneDeliveryWorker {
  const { pollMs = 1000, leaseMs = 30_000, batch = 20, timeoutMs = 15_000, nodeAgent = onObjectForNode } = options;
  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);

  const drainOnce = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const due: Claimed[] = await claimPushHeads(orm.em.fork(), batch, leaseMs);
      if (due.length === 0 || stopped) return total;
      total += due.length;
      await Promise.all(due.map((row: QueuedMessage & Claimed) => (row.mode === 'Internal' ? deliverInternal(orm, row, nodeAgent) : deliverPush(orm, row, timeoutMs))));
    }
  };
  const drain = (): Promise<number> => {
    running = running.then(drainOnce, drainOnce);
    return running;
  };
  let polls = 0;
  const timer = setInterval(() => {
    if (stopped) return;
    void drain().catch(() => {});
    if (++polls % PRUNE_EVERY_POLLS === 0) void pruneReceived(orm).catch(() => {});
  }, pollMs);
  timer.unref();
  return {
    drain,
    wake() {
      if (!stopped) void drain().catch(() => {});
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => {});
    },
  };
}
