import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signableFromUrl, signRequest } from '../../src/crypto/http-signature.js';
import { keyIdOf } from '../../src/crypto/keys.js';
import { ReplayGuard } from '../../src/crypto/replay-guard.js';
import { authenticateCaller, CallerCache } from '../../src/router/callers.js';
import type { District } from '../../src/router/district-entity.js';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

function district(status: string): District {
  return { ncesId: '0100001', status, publicKeyPem } as unknown as District;
}

/** A district table whose reads are held until released, like a slow database. */
function heldLoads(current: () => District) {
  const waiting: Array<() => void> = [];
  let reads = 0;
  const load = (_keyId: string) =>
    new Promise<District>((resolve) => {
      reads++;
      const snapshot = current();
      waiting.push(() => resolve(snapshot));
    });
  return { load, release: () => waiting.splice(0).forEach((go) => go()), reads: () => reads };
}

describe('the router caller cache', () => {
  it('answers many concurrent calls of one unknown key with one database read', async () => {
    const table = heldLoads(() => district('active'));
    const cache = new CallerCache(table.load);
    const calls = Array.from({ length: 50 }, () => cache.get('key-1'));
    table.release();
    const callers = await Promise.all(calls);
    expect(table.reads()).toBe(1);
    expect(new Set(callers).size).toBe(1);
    expect(callers[0]!.district.status).toBe('active');
    expect(cache.peek('key-1')).toBe(callers[0]);
  });

  it('does not keep what a read begun before a change saw (a revocation is not undone by it)', async () => {
    let status = 'active';
    const table = heldLoads(() => district(status));
    const cache = new CallerCache(table.load);
    const early = cache.get('key-1');
    status = 'revoked';
    cache.invalidate('0100001');
    table.release();
    expect((await early)!.district.status).toBe('active');
    expect(cache.peek('key-1')).toBeUndefined();
    const later = cache.get('key-1');
    table.release();
    expect((await later)!.district.status).toBe('revoked');
    expect(table.reads()).toBe(2);
  });

  it('judges a caller revoked while its signature was being verified as revoked', async () => {
    let status = 'active';
    const cache = new CallerCache(async () => district(status));
    const keyId = keyIdOf(publicKeyPem);
    await cache.get(keyId);
    const request = signableFromUrl('GET', 'http://router.example/v1/status');
    const signed = { ...request, headers: signRequest(request, '', { keyId, privateKey }) };
    const checking = authenticateCaller(signed, '', { callers: cache, replays: new ReplayGuard(300), windowSeconds: 300 }, 'registered');
    // authenticateCaller now waits for the thread pool's verdict; the operator revokes meanwhile.
    status = 'revoked';
    cache.invalidate('0100001');
    const outcome = await checking;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.refusal.kind).toBe('certificate-revoked');
  });
});
