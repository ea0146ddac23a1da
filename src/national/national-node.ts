import type { MikroORM } from '@mikro-orm/postgresql';
import type { RexConfig } from '../config/load-config.js';
import type { DeliveryOutcome, OutboxMessage } from '../outbox/outbox.js';
import { startOutboxWorker, type OutboxWorker } from '../outbox/outbox-worker.js';
import type { NationalHandlers } from './national-handlers.js';
import { startNationalPoller, type NationalPoller } from './national-poller.js';
import { deliverNationalMessage, NATIONAL_OUTBOX } from './national-sender.js';
import { NationalTrust } from './national-trust.js';

/** The node's side of the national zone while the node runs. */
export interface NationalMessaging {
  trust: NationalTrust;
  outbox: OutboxWorker;
  poller?: NationalPoller;
  stop(): Promise<void>;
}

/**
 * Starts the node's outbox worker (which delivers, among others, messages for
 * the national router) and, in pull mode, the poller that fetches messages
 * from the router.
 */
export function startNationalMessaging(config: RexConfig, orm: MikroORM, handlers: NationalHandlers, log: (line: string) => void = () => {}): NationalMessaging {
  const trust = new NationalTrust(config, orm);
  const outbox = startOutboxWorker(orm, (message) => deliverOutboxMessage(trust, message), { pollMs: 250 });
  const settings = config.node!;
  const poller = settings.deliveryMode === 'pull' ? startNationalPoller(trust, orm, handlers, settings.pollIntervalMs ?? 2000, log) : undefined;
  return {
    trust,
    outbox,
    ...(poller ? { poller } : {}),
    async stop() {
      await poller?.stop();
      await outbox.stop();
    },
  };
}

/**
 * The node's one outbox worker hands each message to the deliverer of its
 * destination; a destination without one is left for later (a feature that
 * adds a destination adds its deliverer here).
 */
async function deliverOutboxMessage(trust: NationalTrust, message: OutboxMessage): Promise<DeliveryOutcome> {
  if (message.destination === NATIONAL_OUTBOX) return deliverNationalMessage(trust, message);
  return { kind: 'retry', error: `no deliverer for outbox destination ${message.destination}` };
}
