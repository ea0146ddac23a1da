import type { Worker } from 'node:worker_threads';
import type { RexConfig } from '../config/load-config.js';
import { startTsWorker } from '../node/ts-worker.js';
import type { ZoneDeliveryWorker } from '../zones/zone-delivery.js';

/**
 * The zones' delivery worker with the SIS node agent (sis-node-agent.ts),
 * run in a worker thread of its own (agent-thread-main.ts) with its own
 * database connections. Mapping and upserting what the SIS publishes is
 * most of the node's work under SIF traffic; on the main thread it held up
 * the zone endpoint, whose answers every SIS connection waits for. The
 * queue stays in PostgreSQL, so the thread needs nothing from this one but
 * wake-ups: a thread that dies loses nothing (its claimed messages come
 * back when their lease ends) and is started again.
 */

/** What the thread is started with. */
export interface AgentThreadData {
  config: RexConfig;
  databaseUrl: string;
}

/** Messages to the thread. */
export type ToAgentThread = { type: 'wake' } | { type: 'drain'; id: number } | { type: 'stop' };

/** Messages from the thread. */
export type FromAgentThread =
  | { type: 'log'; level: 'info' | 'warn'; object: object; message: string }
  | { type: 'drained'; id: number; count?: number; error?: string }
  | { type: 'stopped' };

/** Where the thread's log lines go (the node app's logger). */
export interface AgentThreadLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** The wait before starting a thread that ended: a second, doubling while threads keep failing soon after their start. */
const RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 60_000;
/** A thread that ran this long ended for a new reason: the next one starts after the shortest wait again. */
const HEALTHY_RUN_MS = 60_000;

/** The wait before the next start, given the last wait and how long the thread that ended had run. */
export function restartDelayMs(lastDelayMs: number | undefined, ranMs: number): number {
  if (lastDelayMs === undefined || ranMs >= HEALTHY_RUN_MS) return RESTART_DELAY_MS;
  return Math.min(MAX_RESTART_DELAY_MS, lastDelayMs * 2);
}

/** Starts the delivery thread; its `drain()` resolves once the thread has drained. */
export function startSisAgentThread(data: AgentThreadData, log: AgentThreadLog): ZoneDeliveryWorker {
  const drains = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let stopping: Promise<void> | undefined;
  let running = false;
  let restartDelay: number | undefined;
  let worker = start();

  function start(): Worker {
    const thread = startTsWorker(new URL('./agent-thread-main.ts', import.meta.url), data);
    const startedAt = Date.now();
    running = true;
    thread.on('message', (message: FromAgentThread) => {
      if (message.type === 'log') log[message.level](message.object, message.message);
      if (message.type === 'drained') settleDrain(message);
    });
    thread.on('error', (error) => log.error({ err: error }, 'the SIS agent thread failed'));
    thread.on('exit', () => {
      running = false;
      for (const { reject } of drains.values()) reject(new Error('the SIS agent thread ended'));
      drains.clear();
      if (stopping) return;
      // A thread that cannot start (a database down, say) is not started again every second, each time logging its error.
      restartDelay = restartDelayMs(restartDelay, Date.now() - startedAt);
      log.warn({ restartInMs: restartDelay }, 'the SIS agent thread ended; starting it again');
      setTimeout(() => (stopping ? undefined : (worker = start())), restartDelay).unref();
    });
    return thread;
  }

  function settleDrain(message: Extract<FromAgentThread, { type: 'drained' }>): void {
    const waiting = drains.get(message.id);
    drains.delete(message.id);
    if (message.error === undefined) waiting?.resolve(message.count ?? 0);
    else waiting?.reject(new Error(message.error));
  }

  const send = (message: ToAgentThread) => worker.postMessage(message);
  let wakeScheduled = false;
  return {
    // The requests of one publish batch are answered in one turn of the event loop, each asking for a
    // wake-up: one message to the thread for all of them.
    wake() {
      if (wakeScheduled) return;
      wakeScheduled = true;
      setImmediate(() => {
        wakeScheduled = false;
        send({ type: 'wake' });
      });
    },
    drain() {
      const id = (nextId += 1);
      return new Promise<number>((resolve, reject) => {
        // A message to a thread that has ended would never be answered.
        if (!running) return reject(new Error('the SIS agent thread is not running'));
        drains.set(id, { resolve, reject });
        send({ type: 'drain', id });
      });
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        const thread = worker;
        if (!running) return resolve();
        // A thread still loading its modules answers once it listens; one stuck is ended anyway.
        const deadline = setTimeout(() => void thread.terminate(), 15_000);
        thread.once('exit', () => {
          clearTimeout(deadline);
          resolve();
        });
        thread.on('message', (message: FromAgentThread) => message.type === 'stopped' && void thread.terminate());
        thread.postMessage({ type: 'stop' } satisfies ToAgentThread);
      });
      return stopping;
    },
  };
}
