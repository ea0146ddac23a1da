import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Client keys, secrets and access tokens: generation and hashing, with
 * node:crypto only. Secrets are hashed with scrypt (a slow, memory-hard KDF)
 * because a person may paste them anywhere; tokens are 256-bit random values,
 * so SHA-256 suffices and keeps each API call's check cheap.
 */

/** scrypt cost parameters: N=2^15, r=8, p=1 (about 32 MiB, tens of ms per check). */
const SCRYPT = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;

/** A new client key: 20 characters, unambiguous for copy and paste. */
export function newClientKey(): string {
  return randomBytes(15).toString('base64url').replace(/[-_]/g, 'x');
}

/** A new client secret: 256 random bits, base64url. */
export function newClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A new opaque bearer token: 256 random bits, base64url. */
export function newAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/** How an access token is stored and looked up: its SHA-256. */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Hashes a secret as `scrypt$N$r$p$salt$hash` (salt and hash base64url). */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(secret, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Whether `secret` matches a stored hash, compared in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(secret, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function derive(secret: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { N, r, p, maxmem: SCRYPT.maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
