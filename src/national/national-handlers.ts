import type { EntityManager } from '@mikro-orm/postgresql';
import type { SifMessage } from '../sif/sif-message.js';
import type { NationalEnvelope } from './national-envelope.js';

/** A verified, decrypted message from another district, as handlers receive it. */
export interface NationalDelivery {
  /** The transaction the message is processed in: the handler's writes commit with the inbox record, or not at all. */
  tx: EntityManager;
  message: SifMessage;
  envelope: NationalEnvelope;
  /** The opened sealed payload (the sender's JWS verified), if the message carried one. */
  payload?: Uint8Array;
  /**
   * Runs `effect` once the message's transaction has committed (and never if
   * it rolls back): for work that must see the handler's writes, such as
   * waking the outbox to send what the handler enqueued.
   */
  afterCommit(effect: () => void): void;
}

/** Handles one message type; throwing rolls the processing back and the message is delivered again later. */
export type NationalHandler = (delivery: NationalDelivery) => Promise<void>;

/** The message types other districts send through the zone. */
export type NationalMessageType = 'SIF_Request' | 'SIF_Response' | 'SIF_Event';

/**
 * Where features (the records-transfer workflow, …) plug into a node's
 * national zone: every verified message of a type is handed to each handler
 * of that type, inside the message's exactly-once transaction. Each node has
 * its own, so several nodes can run in one process (as tests do).
 */
export class NationalHandlers {
  private readonly handlers = new Map<NationalMessageType, NationalHandler[]>();

  /** Registers a handler; returns a function that removes it. */
  on(type: NationalMessageType, handler: NationalHandler): () => void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
    return () => this.handlers.set(type, (this.handlers.get(type) ?? []).filter((h) => h !== handler));
  }

  /** Runs the handlers of the delivery's type, one after another. */
  async dispatch(delivery: NationalDelivery): Promise<void> {
    for (const handler of this.handlers.get(delivery.envelope.type as NationalMessageType) ?? []) await handler(delivery);
  }
}
