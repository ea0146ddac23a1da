import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Encryption at rest for what a node stores (received packets): AES-256-GCM
 * with a key kept in the node's data directory. Layout: version byte,
 * 12-byte IV, 16-byte tag, ciphertext.
 */
const VERSION = 1;

/** Reads the node's at-rest key from `file`, or creates it there (mode 0600). */
export function loadOrCreateAtRestKey(file: string): Buffer {
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
}

/** Encrypts `plaintext`; `context` (e.g. the record id) is authenticated but not stored. */
export function encryptAtRest(key: Buffer, plaintext: Uint8Array, context = ''): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

/** Decrypts what encryptAtRest produced; undefined when it was altered or the context differs. */
export function decryptAtRest(key: Buffer, sealed: Uint8Array, context = ''): Buffer | undefined {
  const data = Buffer.from(sealed);
  if (data.length < 29 || data[0] !== VERSION) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(1, 13));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(data.subarray(13, 29));
    return Buffer.concat([decipher.update(data.subarray(29)), decipher.final()]);
  } catch {
    return undefined;
  }
}
