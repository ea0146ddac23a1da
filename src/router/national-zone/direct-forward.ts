import type { EntityManager } from '@mikro-orm/postgresql';
import { createBatcher, type Batcher } from '../../storage/statement-batcher.js';
import type { CallerCache } from '../callers.js';
import { postDeliveries, type NodeVerdict } from './push-delivery.js';
import type { RouterSigner } from './router-signer.js';
import type { DeliveryRow, MessageWriter, QueuedMessage } from './zone-queue.js';

/**
 * The direct path to push-mode districts: a message the router has checked
 * goes to its destination's node at once, and only its routing metadata is
 * stored (zone_message, for duplicates and for the SIF_Response a request
 * will get), written while the node works. The queue (zone-queue.ts)
 * keeps messages for pull-mode districts, for nodes that do not answer, and
 * for districts that still have queued messages, which new ones must not
 * overtake.
 *
 * Nothing is lost when the router dies mid-way: the sender has no SIF_Ack
 * yet, so its outbox sends the message again, and the node, which processes
 * each SIF_MsgId once, acknowledges a copy it already has with status 7.
 */
export interface DirectPathOptions {
  signer: RouterSigner;
  callers: CallerCache;
  /** Records routing metadata (zone-queue.ts, createMessageRecorder). */
  recorder: MessageWriter;
  /** How long a node has to answer before the message is queued instead. */
  timeoutMs?: number;
}

/** A SIF_Request on its way to its node, for the SIF_Response that may come back before it is recorded. */
export interface RequestInFlight {
  sourceId: string;
  destinationId: string;
  objectName: string | null;
}

const DIRECT_TIMEOUT_MS = 2_000;

/**
 * One delivery at a time per node, each carrying what arrived meanwhile, and
 * a lone message waits up to 2 ms for company: every delivery costs one RSA
 * signature (about a millisecond of CPU) whatever it carries. Measured with
 * bench:transfer: two deliveries at a time without waiting made most of them
 * single messages (median 1–2), and the router's CPU per message rose by a
 * sixth; this way the median delivery carries 15–17.
 */
const BATCHING = { maxBatch: 64, maxInFlight: 1, minBatch: 16, lingerMs: 2 };

/** Delivers checked messages straight to push-mode nodes, batched per node. */
export class DirectPath {
  private readonly batchers = new Map<string, Batcher<DeliveryRow, NodeVerdict>>();
  private readonly requests = new Map<string, RequestInFlight>();
  /** Destinations with queued messages waiting; each count is how many messages are being queued for it right now. */
  private readonly backlog = new Map<string, number>();

  constructor(private readonly options: DirectPathOptions) {}

  /** True when new messages for the district go to the queue, behind the ones waiting there. */
  hasBacklog(destinationId: string): boolean {
    return this.backlog.has(destinationId);
  }

  /**
   * Delivers a message to its node now, and records its routing metadata
   * meanwhile. Resolves false when the node already had it (status 7: the
   * node processes each SIF_MsgId once, so it knows best). When the node does
   * not take it, `queue` queues it (already recorded), while it still counts
   * as in flight; false then means a copy already waits in the queue.
   */
  async deliver(message: QueuedMessage, endpoint: string, queue: (recorded: boolean) => Promise<boolean>): Promise<boolean> {
    const { envelope } = message;
    if (envelope.type === 'SIF_Request') {
      this.requests.set(envelope.msgId, { sourceId: envelope.sourceId, destinationId: envelope.destinationId, objectName: message.objectName ?? null });
    }
    try {
      // The record only has to exist by the time the sender is answered (a SIF_Response needs its request's), so it is written while the node works.
      const [answer] = await Promise.all([this.batcherFor(envelope.destinationId).add(rowOf(message, endpoint)), this.options.recorder.add(message)]);
      if (answer.verdict === 'done') return !answer.seenBefore;
      // Even a copy recorded before is queued: the router may have died before delivering it.
      return await this.queueBehind(envelope.destinationId, () => queue(true));
    } finally {
      if (envelope.type === 'SIF_Request') this.requests.delete(envelope.msgId);
    }
  }

  /** A SIF_Request being delivered on this path, by its SIF_MsgId. */
  requestInFlight(msgId: string): RequestInFlight | undefined {
    return this.requests.get(msgId);
  }

  /** Queues a message for a district; from now on its new messages queue behind it until the queue is empty. */
  async queueBehind(destinationId: string, queue: () => Promise<boolean>): Promise<boolean> {
    this.backlog.set(destinationId, (this.backlog.get(destinationId) ?? 0) + 1);
    try {
      return await queue();
    } finally {
      this.backlog.set(destinationId, this.backlog.get(destinationId)! - 1);
    }
  }

  /** Reads which push-mode districts have queued messages (at start, and whenever the push worker has caught up). */
  async refreshBacklog(em: EntityManager): Promise<void> {
    // One index probe per push-mode district, rather than a pass over a queue that pull districts may keep long.
    const rows = await em.execute<Array<{ destination_id: string }>>(
      `SELECT d.nces_id AS destination_id FROM district d
        WHERE d.delivery_mode = 'push' AND EXISTS (SELECT 1 FROM zone_delivery q WHERE q.destination_id = d.nces_id)`,
    );
    const waiting = new Set(rows.map((r) => r.destination_id));
    for (const [destination, queueing] of this.backlog) if (queueing === 0 && !waiting.has(destination)) this.backlog.delete(destination);
    for (const destination of waiting) if (!this.backlog.has(destination)) this.backlog.set(destination, 0);
  }

  /** True when some district has queued messages. */
  get anyBacklog(): boolean {
    return this.backlog.size > 0;
  }

  private batcherFor(destinationId: string) {
    let batcher = this.batchers.get(destinationId);
    if (!batcher) {
      const options = { signer: this.options.signer, callers: this.options.callers, timeoutMs: this.options.timeoutMs ?? DIRECT_TIMEOUT_MS };
      batcher = createBatcher((rows: DeliveryRow[]) => postDeliveries(options, rows), BATCHING);
      this.batchers.set(destinationId, batcher);
    }
    return batcher;
  }
}

function rowOf(message: QueuedMessage, endpoint: string): DeliveryRow {
  const { envelope } = message;
  return {
    seq: '0',
    sourceId: envelope.sourceId,
    msgId: envelope.msgId,
    destinationId: envelope.destinationId,
    messageType: envelope.type,
    contentType: message.contentType,
    body: message.body,
    originKeyId: message.originKeyId,
    origin: message.origin,
    attempts: 1,
    endpoint,
  };
}
