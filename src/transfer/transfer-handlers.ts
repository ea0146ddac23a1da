import type { NationalDelivery, NationalHandlers } from '../national/national-handlers.js';
import { RECORD_OBJECT } from '../national/national-envelope.js';
import type { TransferNode } from './transfer-node.js';
import { decodePayload, STATUS_OBJECT } from './transfer-payloads.js';
import { receiveAnswer, receiveRequest, receiveStatus } from './transfer-receiving.js';

/** Attaches a node's workflow to the node's incoming national messages; returns a function that detaches it. */
export function attachTransferWorkflow(handlers: NationalHandlers, node: TransferNode): () => void {
  const detachers = (['SIF_Request', 'SIF_Response', 'SIF_Event'] as const).map((type) => handlers.on(type, (delivery) => dispatch(node, delivery)));
  return () => detachers.forEach((detach) => detach());
}

/** Hands a verified delivery to the workflow, when it is a workflow message. */
async function dispatch(node: TransferNode, delivery: NationalDelivery): Promise<void> {
  const { envelope, tx } = delivery;
  const payload = decodePayload(delivery.payload);
  if (!payload) return;
  if (envelope.type === 'SIF_Request' && payload.kind === 'request' && envelope.objectName === RECORD_OBJECT) {
    await receiveRequest(tx, node, envelope, payload);
    // What matching enqueued (the packet, or news of the request) leaves as soon as it is committed.
    delivery.afterCommit(() => node.wakeOutbox?.());
    return;
  }
  if (envelope.type === 'SIF_Response' && (payload.kind === 'packet' || payload.kind === 'rejection')) return receiveAnswer(tx, node, envelope, payload, delivery.payload!);
  if (envelope.type === 'SIF_Event' && payload.kind === 'status' && envelope.objectName === STATUS_OBJECT) return receiveStatus(tx, envelope, payload);
}
