import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The `Content-Digest` field value for a body (RFC 9530 §2), using SHA-256:
 * a structured-field dictionary `sha-256=:<base64>:`.
 */
export function contentDigest(body: Uint8Array | string): string {
  if (body.length === 0) return EMPTY_DIGEST;
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

/** Most signed calls are GETs with an empty body. */
const EMPTY_DIGEST = `sha-256=:${createHash('sha256').update('').digest('base64')}:`;

/**
 * Checks a `Content-Digest` field against the body. Only SHA-256 and SHA-512
 * are accepted (RFC 9530 §5 lists the insecure algorithms we refuse).
 */
export function verifyContentDigest(field: string | undefined, body: Uint8Array | string): boolean {
  if (!field) return false;
  // The common case, one SHA-256 member exactly as we send it, is a string comparison.
  if (field === contentDigest(body)) return true;
  let checked = false;
  for (const member of field.split(',')) {
    const match = /^\s*(sha-256|sha-512)=:([A-Za-z0-9+/=]+):\s*$/.exec(member);
    if (!match) continue;
    const expected = createHash(match[1] === 'sha-256' ? 'sha256' : 'sha512').update(body).digest();
    const given = Buffer.from(match[2]!, 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    checked = true;
  }
  return checked;
}
