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
}

/** Handles one message type; throwing rolls the processing back and the message is delivered again later. */
export type NationalHandler = (delivery: NationalDelivery) => Promise<void>;

/** The message types other districts send through the zone. */
export type NationalMessageType = 'SIF_Request' | 'SIF_Response' | 'SIF_Event';

/**
 * Where features (the records-transfer workflow, …) plug into the national
 * zone: every verified message of a type is handed to each handler of that
 * type, inside the message's exactly-once transaction.
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

/** The handlers of this process. */
export const nationalHandlers = new NationalHandlers();

/** Registers a handler for messages of `type` from other districts (see NationalHandlers). */
export function onNationalMessage(type: NationalMessageType, handler: NationalHandler): () => void {
  return nationalHandlers.on(type, handler);
}
