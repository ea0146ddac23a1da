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

/**
 * Tells the workflow how to make the node's outbox deliver at once (the
 * process that runs the outbox worker calls this), so a request or a
 * release leaves without waiting for the worker's next poll. Callers wake
 * the outbox only after their transaction committed (message handlers via
 * `afterCommit`), so one drain finds what they enqueued; a failed drain
 * leaves the rest to the worker's poll and backoff.
 */
export function registerTransferOutbox(ncesId: string, drain: () => Promise<number>): () => void {
  const wake = () => void drain().catch(() => {});
  outboxes.set(ncesId, wake);
  return () => {
    if (outboxes.get(ncesId) === wake) outboxes.delete(ncesId);
  };
}
