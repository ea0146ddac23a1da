import type { SifJsonObject } from '../sif/json-mapping.js';
import type { SifEvent } from '../sif/sif-message.js';
import { sisMapper } from '../sis-mapping/sis-mapping.js';
import type { NodeAgentDelivery, NodeAgentResult } from '../zones/node-agent.js';

/**
 * How the SIS node agent works through a batch of queued messages: split
 * into segments that are safe to apply concurrently inside, and run one
 * segment after the other. A segment is a run of consecutive SIF_Events of
 * one zone and object type, split by RefId into groups applied one after
 * the other (the last one wins, as in sequence); anything else (a
 * SIF_Response packet) is a segment of its own. Events of different types
 * are never reordered, so an object is always there before an event that
 * references it.
 */

/** Deliveries (by index in the batch) that may run concurrently, group by group. */
export interface Segment {
  deliveries: NodeAgentDelivery[];
  /** Indexes into the batch, per group; each group runs in order. */
  groups: number[][];
}

/** How many groups of a segment are applied at the same time (each in its own transaction). */
export const SEGMENT_CONCURRENCY = 4;

function eventKey(delivery: NodeAgentDelivery): { type: string; object: SifJsonObject | undefined } | undefined {
  const message = delivery.message;
  if (message.type !== 'SIF_Event') return undefined;
  const object = message.object[message.objectName];
  return { type: `${delivery.zoneId}\u0000${message.objectName}`, object: typeof object === 'object' && !Array.isArray(object) ? object : undefined };
}

/** Splits a batch into segments, in order. */
export function eventSegments(deliveries: NodeAgentDelivery[]): Segment[] {
  const segments: Segment[] = [];
  let current: { type: string; objectName: string; indexes: number[] } | undefined;
  const close = () => {
    if (current) segments.push(groupByRefId(deliveries, current.objectName, current.indexes));
    current = undefined;
  };
  deliveries.forEach((delivery, i) => {
    const key = eventKey(delivery);
    if (!key) {
      close();
      segments.push({ deliveries, groups: [[i]] });
      return;
    }
    if (current?.type !== key.type) {
      close();
      current = { type: key.type, objectName: (delivery.message as { objectName: string }).objectName, indexes: [] };
    }
    current.indexes.push(i);
  });
  close();
  return segments;
}

function groupByRefId(deliveries: NodeAgentDelivery[], objectName: string, indexes: number[]): Segment {
  const mapper = sisMapper(objectName);
  const groups = new Map<string, number[]>();
  for (const i of indexes) {
    const object = eventKey(deliveries[i]!)?.object;
    // An object referencing its own type (none today) must see the referenced one first: keep such a run in order.
    if (!mapper || !object || mapper.references(object).some(([name]) => name === objectName)) return { deliveries, groups: [indexes] };
    const key = mapper.refIdOf(object) ?? `#${i}`;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  return { deliveries, groups: [...groups.values()] };
}

/**
 * Runs a segment, writing each delivery's result into `results`; within a
 * group a failure skips the rest of the group. Resolves with whether every
 * delivery of the segment is done.
 */
export async function runSegment(segment: Segment, handle: (delivery: NodeAgentDelivery) => Promise<void>, results: NodeAgentResult[]): Promise<boolean> {
  const queue = [...segment.groups];
  let ok = true;
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const i of group) {
        try {
          await handle(segment.deliveries[i]!);
          results[i] = { kind: 'done' };
        } catch (error) {
          results[i] = { kind: 'failed', reason: String(error) };
          ok = false;
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEGMENT_CONCURRENCY, queue.length) }, worker));
  return ok;
}

/**
 * The segment's events when it can be applied as one batch of Adds (every
 * delivery an Add and every RefId alone in its group, so order inside does
 * not matter); undefined otherwise.
 */
export function addBatchOf(segment: Segment): Array<{ index: number; event: SifEvent }> | undefined {
  if (segment.groups.length < 2 || segment.groups.some((g) => g.length !== 1)) return undefined;
  const events: Array<{ index: number; event: SifEvent }> = [];
  for (const [index] of segment.groups) {
    const message = segment.deliveries[index!]!.message;
    if (message.type !== 'SIF_Event' || message.action !== 'Add') return undefined;
    events.push({ index: index!, event: message });
  }
  return events;
}
