import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (RFC 7914) from node:crypto. The hash string
 * carries its own parameters and salt in the PHC string format,
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64 without padding), so the
 * cost can be raised later and old hashes still verify.
 */

/**
 * scrypt cost N = 2^15, r = 8, p = 3: one of the equivalent minimums of the
 * OWASP Password Storage Cheat Sheet (N = 2^17 with p = 1 would need 128 MiB
 * per hash; this needs 32 MiB and the same work).
 */
const DEFAULT_COST = { ln: 15, r: 8, p: 3 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: string, salt: Buffer, cost: { ln: number; r: number; p: number }, length: number): Promise<Buffer> {
  const N = 2 ** cost.ln;
  // node's default maxmem (32 MiB) is exactly 128·N·r for the default cost, which it refuses: allow twice that.
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, DEFAULT_COST, KEY_BYTES);
  return `$scrypt$ln=${DEFAULT_COST.ln},r=${DEFAULT_COST.r},p=${DEFAULT_COST.p}$${b64(salt)}$${b64(key)}`;
}

/**
 * Whether a password matches a stored hash. The comparison is constant-time
 * (timingSafeEqual); a malformed or absurdly expensive stored hash never
 * matches.
 */
export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const parts = PHC.exec(stored);
  if (!parts) return false;
  const [ln, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const expected = Buffer.from(parts[5]!, 'base64');
  if (ln < 10 || ln > 20 || r < 1 || p < 1 || expected.length < 16) return false;
  const key = await derive(password, Buffer.from(parts[4]!, 'base64'), { ln, r, p }, expected.length);
  return timingSafeEqual(key, expected);
}

/** A stored hash that matches no password; verifying against it costs as much as a real one (for unknown users). */
export const UNMATCHABLE_HASH = `$scrypt$ln=${DEFAULT_COST.ln},r=${DEFAULT_COST.r},p=${DEFAULT_COST.p}$${b64(Buffer.alloc(SALT_BYTES))}$${b64(Buffer.alloc(KEY_BYTES))}`;

/** A random password for a new user: 24 characters of base64url (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
