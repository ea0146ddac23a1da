import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { decodeSif, encodeSifDocument, formatOfMediaType, SIF_MEDIA_TYPE } from '../sif/sif-codec.js';
import { readSifMessage } from '../sif/sif-read.js';
import { inTransaction } from '../storage/bound-statements.js';
import { inSequence, onObjectForNode, type NodeAgentBatchHandler, type NodeAgentDelivery, type NodeAgentHandler } from './node-agent.js';
import { claimDue, releaseClaimed, removeDelivered, retryLater, settleWithAck, type ClaimedMessage } from './zone-queue.js';

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
  /** The node agent, one message at a time (used when nodeAgentBatch is not given). */
  nodeAgent?: NodeAgentHandler;
  /** The node agent, many consecutive messages at a time (faster: one claim and one delete per batch). */
  nodeAgentBatch?: NodeAgentBatchHandler;
  /** How many consecutive messages the node agent gets at most in one batch. */
  internalBatch?: number;
}

/** The wait before the next attempt: 500 ms doubling to a minute. */
export function zoneBackoffMs(attempts: number): number {
  return Math.min(60_000, 500 * 2 ** Math.max(0, attempts - 1));
}

type Claimed = ClaimedMessage;

/**
 * Delivers one agent's claimed run of messages (consecutive, in order) to
 * the node agent in process and settles each: done ones are removed in one
 * statement, a failed one waits for a retry with backoff, and skipped ones
 * (behind a failure) are given back to wait behind it.
 */
async function deliverInternal(em: EntityManager, rows: Claimed[], handler: NodeAgentBatchHandler): Promise<void> {
  const deliveries: NodeAgentDelivery[] = [];
  let unreadable: Claimed | undefined;
  for (const row of rows) {
    const read = readSifMessage(row.document);
    if (read.kind === 'error') {
      // Only accepted, valid messages are queued: a bad one is a bug; keep it out of the way.
      await retryLater(em, row.id, 24 * 3600_000, `unreadable queued message: ${read.error.extendedDesc ?? read.error.desc}`);
      unreadable = row;
      break;
    }
    deliveries.push({ zoneId: row.zoneId, kind: row.kind, message: read.value });
  }
  const handled = rows.slice(0, deliveries.length);
  const notHandled = rows.slice(deliveries.length + (unreadable ? 1 : 0)).map((r) => r.id);
  let results;
  try {
    results = deliveries.length > 0 ? await handler(deliveries) : [];
  } catch (error) {
    results = deliveries.map((_, i) => (i === 0 ? { kind: 'failed' as const, reason: String(error) } : { kind: 'skipped' as const }));
  }
  const skipped = [...notHandled];
  await removeDelivered(em, handled.filter((_, i) => results[i]?.kind === 'done').map((r) => r.id));
  for (const [i, row] of handled.entries()) {
    const result = results[i] ?? { kind: 'skipped' as const };
    if (result.kind === 'failed') await retryLater(em, row.id, zoneBackoffMs(row.attempts), `node agent: ${result.reason}`);
    if (result.kind === 'skipped') skipped.push(row.id);
  }
  await releaseClaimed(em, skipped);
}

/** The claimed rows of internal agents, one run per agent (rows come sorted by id). */
function runsByAgent(rows: Claimed[]): Claimed[][] {
  const runs = new Map<string, Claimed[]>();
  for (const row of rows) {
    const key = `${row.zoneId}\u0000${row.target}`;
    const run = runs.get(key);
    if (run) run.push(row);
    else runs.set(key, [row]);
  }
  return [...runs.values()];
}

async function deliverPush(em: EntityManager, row: Claimed, timeoutMs: number): Promise<void> {
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
  const settled = await inTransaction(em, (tx) => settleWithAck(tx, row.zoneId, row.target, ack));
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
  const { pollMs = 1000, leaseMs = 30_000, batch = 20, timeoutMs = 15_000, internalBatch = 100 } = options;
  const nodeAgent = options.nodeAgentBatch ?? inSequence(options.nodeAgent ?? onObjectForNode);
  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);
  let wakePending = false;
  // One context for every drain, as the zone endpoint has (http/zone-routes.ts): raw statements only, no identity map.
  const em = orm.em.fork();

  const drainOnce = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const due: Claimed[] = await claimDue(em, batch, leaseMs, internalBatch);
      if (due.length === 0 || stopped) return total;
      total += due.length;
      await Promise.all([
        ...runsByAgent(due.filter((row) => row.mode === 'Internal')).map((run) => deliverInternal(em, run, nodeAgent)),
        ...due.filter((row) => row.mode === 'Push').map((row) => deliverPush(em, row, timeoutMs)),
      ]);
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
      // Many messages queued while a drain runs need one more drain after it, not one each.
      if (stopped || wakePending) return;
      wakePending = true;
      running = running.then(
        () => ((wakePending = false), drainOnce()),
        () => ((wakePending = false), drainOnce()),
      );
      void running.catch(() => {});
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => {});
    },
  };
}
