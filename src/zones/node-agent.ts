import type { SifMessage } from '../sif/sif-message.js';
import type { QueueKind } from './zone-queue.js';

/**
 * The seam between a zone and the node's own agent (zone file `nodeAgent`).
 * The zone delivers to the node agent through its durable queue like to any
 * agent, but in process: the delivery worker calls the handler and removes
 * the message when it resolves (a throw means "retry later").
 *
 * The mapping of SIF objects into the node's Ed-Fi store plugs in here
 * (issue 5, Ed-Fi mapping); until then the default handler accepts and
 * drops every message.
 */
export interface NodeAgentDelivery {
  zoneId: string;
  kind: QueueKind;
  message: SifMessage;
}

/** Receives events, requests and responses addressed to the node's own agent. */
export type NodeAgentHandler = (delivery: NodeAgentDelivery) => Promise<void>;

/**
 * What became of one delivery of a batch: `done` (the zone removes it),
 * `failed` (retried after a backoff) or `skipped` (not attempted because an
 * earlier message it must follow failed; given back as it was).
 */
export type NodeAgentResult = { kind: 'done' } | { kind: 'failed'; reason: string } | { kind: 'skipped' };

/**
 * Receives consecutive messages of one zone's queue for the node agent, in
 * queue order, and answers one result per delivery (same order). A handler
 * may work on them concurrently as long as a message that must follow a
 * failed one is `skipped`, so per-agent order and exactly-once hold.
 */
export type NodeAgentBatchHandler = (deliveries: NodeAgentDelivery[]) => Promise<NodeAgentResult[]>;

/** The default handler: accepts and drops (no Ed-Fi mapping yet). */
export const onObjectForNode: NodeAgentHandler = async () => {};

/**
 * A batch handler calling a one-message handler in order: it stops at the
 * first throw, and the messages after it are skipped (they wait behind it).
 */
export function inSequence(handler: NodeAgentHandler): NodeAgentBatchHandler {
  return async (deliveries) => {
    const results: NodeAgentResult[] = [];
    for (const delivery of deliveries) {
      if (results.some((r) => r.kind !== 'done')) {
        results.push({ kind: 'skipped' });
        continue;
      }
      try {
        await handler(delivery);
        results.push({ kind: 'done' });
      } catch (error) {
        results.push({ kind: 'failed', reason: String(error) });
      }
    }
    return results;
  };
}
