import type { MikroORM } from '@mikro-orm/postgresql';
import { claimDue, settle, DEFAULT_RETRY, type DeliveryOutcome, type OutboxMessage, type RetryPolicy } from './outbox.js';

/** How the worker hands a message over; it decides between delivered, retry and failed. */
export type Deliver = (message: OutboxMessage) => Promise<DeliveryOutcome>;

/** A running outbox worker. */
export interface OutboxWorker {
  /** Delivers what is due now and resolves when the batch is settled. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Polls the outbox and delivers due messages, a batch at a time. A delivery
 * that throws counts as a retry. `wake()` of the returned worker is not
 * needed: enqueueing code can call `drain()` to send at once.
 */
export function startOutboxWorker(
  orm: MikroORM,
  deliver: Deliver,
  options: { pollMs?: number; batch?: number; leaseMs?: number; policy?: RetryPolicy } = {},
): OutboxWorker {
  const { pollMs = 500, batch = 20, leaseMs = 30_000, policy = DEFAULT_RETRY } = options;
  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);

  const drainOnce = async (): Promise<number> => {
    const em = orm.em.fork();
    const due = await claimDue(em, batch, leaseMs);
    await Promise.all(
      due.map(async (message) => {
        const outcome = await deliver(message).catch((error: unknown): DeliveryOutcome => ({ kind: 'retry', error: String(error) }));
        await settle(em, message, outcome, policy);
      }),
    );
    return due.length;
  };
  const drain = (): Promise<number> => {
    running = running.then(drainOnce, drainOnce);
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void drain().catch(() => {});
  }, pollMs);
  timer.unref();
  return {
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => {});
    },
  };
}
