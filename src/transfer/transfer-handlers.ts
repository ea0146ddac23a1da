import { onNationalMessage, type NationalDelivery } from '../national/national-handlers.js';
import { RECORD_OBJECT } from '../national/national-envelope.js';
import type { TransferNode } from './transfer-node.js';
import { decodePayload, STATUS_OBJECT } from './transfer-payloads.js';
import { receiveAnswer, receiveRequest, receiveStatus } from './transfer-receiving.js';

/**
 * Plugs the workflow into the node's national zone handlers. The handler
 * registry is one per process while a test may run several nodes in one
 * process, so the workflow registers its handlers once and hands each
 * message to the node it is addressed to (SIF_DestinationId, checked by the
 * receiver against the node's own id).
 */
const nodes = new Map<string, TransferNode>();
let registered = false;

/** Attaches a node's workflow to incoming national messages; returns a function that detaches it. */
export function attachTransferWorkflow(node: TransferNode): () => void {
  if (!registered) {
    registered = true;
    onNationalMessage('SIF_Request', (delivery) => dispatch(delivery));
    onNationalMessage('SIF_Response', (delivery) => dispatch(delivery));
    onNationalMessage('SIF_Event', (delivery) => dispatch(delivery));
  }
  nodes.set(node.district.ncesId, node);
  return () => {
    if (nodes.get(node.district.ncesId) === node) nodes.delete(node.district.ncesId);
  };
}

/** Hands a verified delivery to the workflow of its destination, when it is a workflow message. */
async function dispatch(delivery: NationalDelivery): Promise<void> {
  const { envelope, tx } = delivery;
  const node = envelope.destinationId ? nodes.get(envelope.destinationId) : undefined;
  const payload = decodePayload(delivery.payload);
  if (!node || !payload) return;
  if (envelope.type === 'SIF_Request' && payload.kind === 'request' && envelope.objectName === RECORD_OBJECT) return receiveRequest(tx, node, envelope, payload);
  if (envelope.type === 'SIF_Response' && (payload.kind === 'packet' || payload.kind === 'rejection')) return receiveAnswer(tx, node, envelope, payload, delivery.payload!);
  if (envelope.type === 'SIF_Event' && payload.kind === 'status' && envelope.objectName === STATUS_OBJECT) return receiveStatus(tx, envelope, payload);
}
