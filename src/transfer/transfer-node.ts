import { join } from 'node:path';
import type { RexConfig } from '../config/load-config.js';
import { loadOrCreateAtRestKey } from '../crypto/at-rest.js';
import type { DistrictRef, UserRef } from './transfer-entity.js';

/** What the workflow needs to know about the district node it runs on. */
export interface TransferNode {
  /** This district. */
  district: DistrictRef;
  /** `node.transfer.autoReleaseExactMatches`: release exact matches without a person (DESIGN §6.5 opt-in). */
  autoReleaseExactMatches: boolean;
  /** The key received packets are encrypted with at rest. */
  atRestKey: Buffer;
  /** Asks the node's outbox to deliver now rather than at its next poll (absent when no worker runs here). */
  wakeOutbox?: () => void;
}

/** The actor of the workflow's automatic steps (matching, automatic release, receipt). */
export const SYSTEM_USER: UserRef = { username: 'system', name: 'Records exchange (automatic)' };

const outboxes = new Map<string, () => void>();

/** The node's view for the workflow, from its configuration (the at-rest key is created at first use in `dataDir/keys`). */
export function transferNodeOf(config: RexConfig): TransferNode {
  const settings = config.node;
  if (!settings) throw new Error('the records-transfer workflow runs on a district node (a "node" section in the configuration)');
  const district = { ncesId: settings.district.ncesId, name: settings.district.name };
  return {
    district,
    autoReleaseExactMatches: settings.transfer?.autoReleaseExactMatches ?? false,
    atRestKey: loadOrCreateAtRestKey(join(config.dataDir, 'keys', 'at-rest.key')),
    wakeOutbox: () => outboxes.get(district.ncesId)?.(),
  };
}

/** Waits between drains while the woken outbox finds nothing yet (a handler's writes commit after it returns). */
const WAKE_DELAYS_MS = [0, 2, 5, 10, 20, 40, 80];

/**
 * Tells the workflow how to make the node's outbox deliver at once (the
 * process that runs the outbox worker calls this), so a request or a
 * release leaves without waiting for the worker's next poll. A message
 * handler's writes commit only after it returns, so a wake that finds
 * nothing due drains again a little later, a few times, before leaving the
 * rest to the worker's poll.
 */
export function registerTransferOutbox(ncesId: string, drain: () => Promise<number>): () => void {
  const attempt = (step: number): void => {
    const delay = WAKE_DELAYS_MS[step];
    if (delay === undefined) return;
    setTimeout(() => {
      drain().then(
        (sent) => (sent > 0 ? undefined : attempt(step + 1)),
        () => attempt(step + 1),
      );
    }, delay).unref();
  };
  const wake = () => attempt(0);
  outboxes.set(ncesId, wake);
  return () => {
    if (outboxes.get(ncesId) === wake) outboxes.delete(ncesId);
  };
}
