import { describe, expect, it } from 'vitest';
import { splitBySize } from '../../src/router/national-zone/push-delivery.js';
import type { DeliveryRow } from '../../src/router/national-zone/zone-queue.js';

function row(msgId: string, bytes: number): DeliveryRow {
  return {
    seq: '0', sourceId: '0400101', msgId, destinationId: '2700101', messageType: 'SIF_Request', contentType: 'application/json',
    body: Buffer.alloc(bytes), originKeyId: 'key', origin: { signature: '', signatureInput: '', contentDigest: '', authority: '' }, attempts: 1,
  };
}

describe('splitting deliveries by size', () => {
  it('keeps consecutive messages together up to the budget, in order, and sends a larger one alone', () => {
    const rows = [row('a', 400), row('b', 500), row('c', 200), row('d', 2_000), row('e', 100), row('f', 1_000)];
    const parts = splitBySize(rows, 1_000).map((part) => part.map((r) => r.msgId));
    expect(parts).toEqual([['a', 'b'], ['c'], ['d'], ['e'], ['f']]);
    expect(parts.flat()).toEqual(rows.map((r) => r.msgId));
  });

  it('keeps every message in one part when they fit', () => {
    expect(splitBySize([row('a', 10), row('b', 10)], 20).map((part) => part.length)).toEqual([2]);
  });
});
