import { describe, expect, it } from 'vitest';
import { canMove, isFinal, statusLabel, type TransferStatus } from '../../src/transfer/transfer-status.js';

describe('transfer status machine', () => {
  it.each<[TransferStatus, TransferStatus, boolean]>([
    ['requested', 'pending-release', true],
    ['requested', 'match-error', true],
    ['match-error', 'pending-release', true],
    ['pending-release', 'released', true],
    ['pending-release', 'rejected', true],
    ['released', 'rejected', false],
    ['rejected', 'released', false],
    ['requested', 'received', false],
  ])('releasing side: %s → %s allowed: %s', (from, to, allowed) => {
    expect(canMove('releasing', from, to)).toBe(allowed);
  });

  it.each<[TransferStatus, TransferStatus, boolean]>([
    ['requested', 'released', true],
    ['released', 'received', true],
    ['requested', 'received', true],
    ['received', 'released', false],
    ['rejected', 'received', false],
  ])('requesting side: %s → %s allowed: %s', (from, to, allowed) => {
    expect(canMove('requesting', from, to)).toBe(allowed);
  });

  it('ends with released or rejected on the releasing side and received or rejected on the requesting side', () => {
    expect(isFinal('releasing', 'released')).toBe(true);
    expect(isFinal('requesting', 'released')).toBe(false);
    expect(isFinal('requesting', 'received')).toBe(true);
    expect(statusLabel('requested')).toBe('request');
  });
});
