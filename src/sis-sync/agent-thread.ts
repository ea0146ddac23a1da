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
  | { type: 'log'; level: 'info' | 'warn' | 'error'; object: object; message: string }
  | { type: 'drained'; id: number; count?: number; error?: string }
  | { type: 'stopped' };

/** Where the thread's log lines go (the node app's logger). */
export interface AgentThreadLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

const RESTART_DELAY_MS = 1000;

/** Starts the delivery thread; its `drain()` resolves once the thread has drained. */
export function startSisAgentThread(data: AgentThreadData, log: AgentThreadLog): ZoneDeliveryWorker {
  const drains = new Map<number, { resolve: (n: number) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let stopping: Promise<void> | undefined;
  let running = false;
  let worker = start();

  function start(): Worker {
    const thread = startTsWorker(new URL('./agent-thread-main.ts', import.meta.url), data);
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
      if (!stopping) setTimeout(() => (stopping ? undefined : (worker = start())), RESTART_DELAY_MS).unref();
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
