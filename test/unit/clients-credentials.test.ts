import { describe, expect, it } from 'vitest';
import { hashSecret, newAccessToken, newClientKey, newClientSecret, tokenHash, verifySecret } from '../../src/clients/client-secrets.js';
import { GrantCache } from '../../src/clients/grant-cache.js';
import type { AccessGrant } from '../../src/clients/client-store.js';
import { bearerToken, readTokenRequest } from '../../src/clients/token-request.js';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('client secrets', () => {
  it('stores a secret as a salted scrypt hash that only the same secret matches', async () => {
    const secret = newClientSecret();
    const stored = await hashSecret(secret);
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored).not.toContain(secret);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(`${secret}x`, stored)).toBe(false);
    expect(await hashSecret(secret)).not.toBe(stored);
    expect(await verifySecret(secret, 'plain-text')).toBe(false);
  });

  it('makes distinct random keys, secrets and tokens; a token is looked up by its SHA-256', () => {
    expect(newClientKey()).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(new Set(Array.from({ length: 50 }, newAccessToken)).size).toBe(50);
    expect(tokenHash('abc').toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('token requests (RFC 6749 §4.4, §2.3.1, §5.2)', () => {
  it('takes the client from a Basic header, form-urlencoded inside', () => {
    expect(readTokenRequest(basic('my%20key', 's%3Acret'), { grant_type: 'client_credentials' })).toEqual({
      kind: 'ok',
      clientId: 'my key',
      clientSecret: 's:cret',
    });
  });

  it('takes the client from the body', () => {
    expect(readTokenRequest(undefined, { grant_type: 'client_credentials', client_id: 'k', client_secret: 's' })).toEqual({ kind: 'ok', clientId: 'k', clientSecret: 's' });
  });

  it('answers the RFC 6749 error codes', () => {
    expect(readTokenRequest(undefined, { client_id: 'k', client_secret: 's' })).toMatchObject({ error: 'invalid_request', status: 400 });
    expect(readTokenRequest(undefined, { grant_type: 'password', client_id: 'k', client_secret: 's' })).toMatchObject({ error: 'unsupported_grant_type', status: 400 });
    expect(readTokenRequest(undefined, { grant_type: 'client_credentials' })).toMatchObject({ error: 'invalid_client', status: 401, basic: false });
    expect(readTokenRequest('Basic bm9jb2xvbg==', { grant_type: 'client_credentials' })).toMatchObject({ error: 'invalid_client', status: 401, basic: true });
    expect(readTokenRequest(basic('k', 's'), { grant_type: 'client_credentials', client_id: 'k', client_secret: 's' })).toMatchObject({ error: 'invalid_request' });
    expect(readTokenRequest(undefined, 'grant_type=client_credentials')).toMatchObject({ error: 'invalid_request' });
  });

  it('reads bearer tokens (RFC 6750 §2.1)', () => {
    expect(bearerToken('Bearer abc-_.~+/9=')).toBe('abc-_.~+/9=');
    expect(bearerToken('bearer   xyz')).toBe('xyz');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer two words')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('grant cache', () => {
  const grant = (clientKey: string, expiresAt: number): AccessGrant => ({ clientKey, clientName: 'n', educationOrganizationIds: [1], expiresAt: new Date(expiresAt) });

  it('loads a token once, forgets it when its client changes, and never returns it past expiry', async () => {
    let now = 1_000;
    const loads: string[] = [];
    const grants: Record<string, AccessGrant> = { t1: grant('A', 5_000), t2: grant('B', 50_000) };
    const cache = new GrantCache(async (token) => (loads.push(token), grants[token] ?? null), 60_000, 100, () => now);
    expect((await cache.get('t1'))?.clientKey).toBe('A');
    expect((await cache.get('t1'))?.clientKey).toBe('A');
    expect(await cache.get('nope')).toBeNull();
    expect(loads).toEqual(['t1', 'nope']);
    await cache.get('t2');
    cache.invalidate('B');
    delete grants.t2;
    expect(await cache.get('t2')).toBeNull();
    now = 6_000;
    expect(await cache.get('t1')).toBeNull();
  });
});
