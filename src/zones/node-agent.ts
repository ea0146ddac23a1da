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

/** The default handler: accepts and drops (no Ed-Fi mapping yet). */
export const onObjectForNode: NodeAgentHandler = async () => {};
