import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify, decodeProtectedHeader } from 'jose';

/**
 * Records packets travel sealed end to end (DESIGN §5): the sender signs the
 * packet (JWS, RS256, RFC 7515) and encrypts the signed packet to the
 * recipient district's key (JWE, RSA-OAEP-256 + A256GCM, RFC 7516). The
 * router forwards the ciphertext and can read neither the packet nor who
 * signed it inside.
 */

/** Content type of the signed packet inside the JWE (RFC 7516 §4.1.12 "cty"). */
const SIGNED_PACKET = 'rex-packet+jws';

/** The result of opening a sealed packet. */
export type OpenedPacket =
  | { ok: true; payload: Uint8Array; senderKeyId: string }
  | { ok: false; reason: 'not-for-us' | 'unknown-sender' | 'bad-signature' | 'malformed'; detail: string };

/** Signs `payload` with the sender's key and encrypts it to the recipient's public key. */
export async function sealPacket(
  payload: Uint8Array,
  sender: { keyId: string; privateKey: KeyObject | string },
  recipientPublicKey: KeyObject | string,
): Promise<string> {
  const signed = await new CompactSign(payload)
    .setProtectedHeader({ alg: 'RS256', kid: sender.keyId })
    .sign(asPrivate(sender.privateKey));
  return new CompactEncrypt(new TextEncoder().encode(signed))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: SIGNED_PACKET })
    .encrypt(asPublic(recipientPublicKey));
}

/**
 * Decrypts a sealed packet with the recipient's key and verifies the sender's
 * signature with the key `senderKey` finds for the signer's key id.
 */
export async function openPacket(
  sealed: string,
  recipientPrivateKey: KeyObject | string,
  senderKey: (keyId: string) => KeyObject | string | undefined | Promise<KeyObject | string | undefined>,
): Promise<OpenedPacket> {
  let signed: string;
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(sealed, asPrivate(recipientPrivateKey));
    if (protectedHeader.cty !== SIGNED_PACKET) return { ok: false, reason: 'malformed', detail: 'the packet is not a signed rex packet' };
    signed = new TextDecoder().decode(plaintext);
  } catch (error) {
    return { ok: false, reason: 'not-for-us', detail: `cannot decrypt: ${(error as Error).message}` };
  }
  let keyId: string | undefined;
  try {
    keyId = decodeProtectedHeader(signed).kid;
  } catch {
    return { ok: false, reason: 'malformed', detail: 'the signed packet has no readable header' };
  }
  const key = keyId ? await senderKey(keyId) : undefined;
  if (!keyId || !key) return { ok: false, reason: 'unknown-sender', detail: `no key known for signer ${keyId ?? '(none)'}` };
  try {
    const { payload } = await compactVerify(signed, asPublic(key), { algorithms: ['RS256'] });
    return { ok: true, payload, senderKeyId: keyId };
  } catch (error) {
    return { ok: false, reason: 'bad-signature', detail: (error as Error).message };
  }
}

function asPrivate(key: KeyObject | string): KeyObject {
  return typeof key === 'string' ? createPrivateKey(key) : key;
}

function asPublic(key: KeyObject | string): KeyObject {
  return typeof key === 'string' ? createPublicKey(key) : key;
}
