import { createPublicKey, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentDigest, verifyContentDigest } from '../../src/crypto/content-digest.js';
import {
  COVERED_COMPONENTS,
  parseSignature,
  signatureBase,
  signRequest,
  signRequestOffThread,
  signableFromUrl,
  verifyParsedSignature,
  verifyParsedSignatureOffThread,
  type SignableRequest,
} from '../../src/crypto/http-signature.js';
import { generateRsaKeyPair, keyIdOf } from '../../src/crypto/keys.js';
import { ReplayGuard } from '../../src/crypto/replay-guard.js';

const pair = generateRsaKeyPair();
const other = generateRsaKeyPair();
const publicKey = createPublicKey(pair.publicKeyPem);
const keyId = keyIdOf(pair.publicKeyPem);
const body = JSON.stringify({ state: 'AZ', city: 'Mesa' });

function signed(overrides: Partial<SignableRequest> = {}, payload = body): { request: SignableRequest; payload: string } {
  const request = signableFromUrl('POST', 'http://router.example:4000/v1/directory?state=AZ', { 'content-type': 'application/json' });
  const headers = signRequest(request, payload, { keyId, privateKey: pair.privateKeyPem });
  return { request: { ...request, ...overrides, headers: { ...request.headers, ...headers, ...overrides.headers } }, payload };
}

function check(request: SignableRequest, payload: string | Buffer = body, now?: number) {
  const parsed = parseSignature(request, payload, 300, now);
  if (!parsed.ok) return parsed.fault;
  return verifyParsedSignature(request, parsed.signature, publicKey) ? 'verified' : 'bad-signature';
}

describe('RFC 9530 Content-Digest', () => {
  it('round-trips and detects a changed body', () => {
    const digest = contentDigest('hello');
    expect(digest).toBe('sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:');
    expect(verifyContentDigest(digest, 'hello')).toBe(true);
    expect(verifyContentDigest(digest, 'hellO')).toBe(false);
    expect(verifyContentDigest('md5=:XUFAKrxLKna5cZ2REBfFkg==:', 'hello')).toBe(false);
    expect(verifyContentDigest(undefined, 'hello')).toBe(false);
  });
});

describe('RFC 9421 signatures', () => {
  it('verifies an untouched request and reports its key and nonce', () => {
    const { request } = signed();
    const parsed = parseSignature(request, body, 300);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.signature.keyId).toBe(keyId);
    expect(parsed.signature.components).toEqual(['@method', '@authority', '@path', '@query', 'content-digest']);
    expect(verifyParsedSignature(request, parsed.signature, publicKey)).toBe(true);
  });

  it.each([
    ['@method', { method: 'PUT' }],
    ['@authority', { authority: 'evil.example:4000' }],
    ['@path', { path: '/v1/withdrawal' }],
    ['@query', { query: 'state=MN' }],
  ] as const)('refuses a request whose %s was changed', (_component, change) => {
    expect(check(signed(change).request)).toBe('bad-signature');
  });

  it('gives the same verdicts on the thread pool as in line', async () => {
    const verdicts = async (request: SignableRequest) => {
      const parsed = parseSignature(request, body, 300);
      if (!parsed.ok) throw new Error(parsed.detail);
      return [verifyParsedSignature(request, parsed.signature, publicKey), await verifyParsedSignatureOffThread(request, parsed.signature, publicKey)];
    };
    expect(await verdicts(signed().request)).toEqual([true, true]);
    expect(await verdicts(signed({ path: '/v1/withdrawal' }).request)).toEqual([false, false]);
    const { request } = signed();
    const parsed = parseSignature(request, body, 300);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(await verifyParsedSignatureOffThread(request, parsed.signature, createPublicKey(other.publicKeyPem))).toBe(false);
    expect(await verifyParsedSignatureOffThread(request, { ...parsed.signature, signature: Buffer.alloc(3) }, publicKey)).toBe(false);
  });

  it('signs on the thread pool exactly as in line: same headers for the same created and nonce', async () => {
    const request = signableFromUrl('POST', 'http://node.example/national/messages', { 'content-type': 'application/json' });
    const options = { keyId, privateKey: pair.privateKeyPem, created: 1_790_000_000, nonce: 'fixed-nonce' };
    const offThread = await signRequestOffThread(request, body, options);
    // RSASSA-PKCS1-v1_5 is deterministic, so the two signatures are byte for byte the same.
    expect(offThread).toEqual(signRequest(request, body, options));
    const parsed = parseSignature({ ...request, headers: { ...request.headers, ...offThread } }, body, 300, 1_790_000_000);
    expect(parsed.ok && verifyParsedSignature({ ...request, headers: { ...request.headers, ...offThread } }, parsed.signature, publicKey)).toBe(true);
  });

  it('refuses a changed body (digest mismatch)', () => {
    expect(check(signed().request, body.replace('Mesa', 'Tempe'))).toBe('digest-mismatch');
  });

  it('refuses a changed body whose Content-Digest was recomputed', () => {
    const tampered = body.replace('Mesa', 'Tempe');
    const { request } = signed({ headers: { 'content-digest': contentDigest(tampered) } });
    expect(check(request, tampered)).toBe('bad-signature');
  });

  it.each([
    // One second before the signed value (not before now: signing and editing may fall in different seconds).
    ['created', (i: string) => i.replace(/created=(\d+)/, (_match, created: string) => `created=${Number(created) - 1}`)],
    ['nonce', (i: string) => i.replace(/nonce="[^"]+"/, 'nonce="another"')],
    ['keyid', (i: string) => i.replace(/keyid="[^"]+"/, 'keyid="someone-else"')],
  ])('refuses a request whose %s parameter was changed', (_name, edit) => {
    const { request } = signed();
    const input = edit(String(request.headers['signature-input']));
    expect(check({ ...request, headers: { ...request.headers, 'signature-input': input } })).toBe('bad-signature');
  });

  it('reads signatures written by other RFC 9421 signers: another label and parameter order, more members', () => {
    const request = signableFromUrl('GET', 'http://router.example:4000/v1/status', { 'content-digest': contentDigest('') });
    const created = Math.floor(Date.now() / 1000);
    const list = COVERED_COMPONENTS.map((c) => `"${c}"`).join(' ');
    const params = `(${list});nonce="n-1";alg="rsa-v1_5-sha256";keyid="${keyId}";created=${created}`;
    const signature = sign('sha256', Buffer.from(signatureBase(request, [...COVERED_COMPONENTS], params)), pair.privateKeyPem).toString('base64');
    const headers = { ...request.headers, 'signature-input': `mine=${params}, other=("@method");created=1`, signature: `mine=:${signature}:, other=:AAAA:` };
    const parsed = parseSignature({ ...request, headers }, '', 300);
    expect(parsed.ok && parsed.signature).toMatchObject({ label: 'mine', keyId, nonce: 'n-1', created, params });
    expect(check({ ...request, headers }, '')).toBe('verified');
  });

  it('refuses a signature made with another key', () => {
    const request = signableFromUrl('GET', 'http://router.example:4000/v1/status');
    const headers = signRequest(request, '', { keyId, privateKey: other.privateKeyPem });
    expect(check({ ...request, headers }, '')).toBe('bad-signature');
  });

  it('refuses unsigned, malformed and incomplete signatures', () => {
    const { request } = signed();
    expect(check({ ...request, headers: {} })).toBe('missing');
    expect(check({ ...request, headers: { ...request.headers, signature: 'sig1=nope' } })).toBe('malformed');
    const partial = String(request.headers['signature-input']).replace(' "content-digest"', '');
    expect(check({ ...request, headers: { ...request.headers, 'signature-input': partial } })).toBe('uncovered-component');
    const otherAlg = String(request.headers['signature-input']).replace('rsa-v1_5-sha256', 'hmac-sha256');
    expect(check({ ...request, headers: { ...request.headers, 'signature-input': otherAlg } })).toBe('unsupported-algorithm');
  });

  it('refuses signatures created outside the window', () => {
    const { request } = signed();
    const now = Math.floor(Date.now() / 1000);
    expect(check(request, body, now + 301)).toBe('stale');
    expect(check(request, body, now - 301)).toBe('stale');
    expect(check(request, body, now + 299)).toBe('verified');
  });
});

describe('ReplayGuard', () => {
  it('accepts a nonce once, and forgets it only after two windows', () => {
    let now = 0;
    const guard = new ReplayGuard(300, () => now);
    expect(guard.accept('k', 'n1')).toBe(true);
    expect(guard.accept('k', 'n1')).toBe(false);
    expect(guard.accept('other-key', 'n1')).toBe(true);
    now = 599_000;
    expect(guard.accept('k', 'n1')).toBe(false);
    now = 600_000;
    expect(guard.accept('k', 'n1')).toBe(false);
    now = 2_400_000;
    expect(guard.accept('k', 'n1')).toBe(true);
  });
});
