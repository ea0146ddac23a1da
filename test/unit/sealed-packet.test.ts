import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptAtRest, encryptAtRest } from '../../src/crypto/at-rest.js';
import { generateRsaKeyPair, keyIdOf } from '../../src/crypto/keys.js';
import { openPacket, sealPacket } from '../../src/crypto/sealed-packet.js';

const sender = generateRsaKeyPair();
const recipient = generateRsaKeyPair();
const stranger = generateRsaKeyPair();
const senderKeyId = keyIdOf(sender.publicKeyPem);
const packet = new TextEncoder().encode(JSON.stringify({ student: { firstName: 'Zoë', lastSurname: "O'Brien", localNote: 'ZoeMarker7q' } }));
const keys = (id: string) => (id === senderKeyId ? sender.publicKeyPem : undefined);

describe('sealed packets (JWS inside JWE)', () => {
  it('opens for the recipient and names the verified sender', async () => {
    const sealed = await sealPacket(packet, { keyId: senderKeyId, privateKey: sender.privateKeyPem }, recipient.publicKeyPem);
    // Neither the plain text nor its base64url form (a signed but unencrypted packet) shows through.
    // Both markers are long enough that random ciphertext never contains them by chance.
    expect(sealed).not.toContain('ZoeMarker7q');
    expect(sealed).not.toContain(Buffer.from(packet).toString('base64url').slice(8, 28));
    const opened = await openPacket(sealed, recipient.privateKeyPem, keys);
    expect(opened).toMatchObject({ ok: true, senderKeyId });
    if (opened.ok) expect(new TextDecoder().decode(opened.payload)).toContain("O'Brien");
  });

  it('does not open for another key', async () => {
    const sealed = await sealPacket(packet, { keyId: senderKeyId, privateKey: sender.privateKeyPem }, recipient.publicKeyPem);
    expect(await openPacket(sealed, stranger.privateKeyPem, keys)).toMatchObject({ ok: false, reason: 'not-for-us' });
  });

  it('refuses a packet signed by a key other than the one registered for its key id', async () => {
    const forged = await sealPacket(packet, { keyId: senderKeyId, privateKey: stranger.privateKeyPem }, recipient.publicKeyPem);
    expect(await openPacket(forged, recipient.privateKeyPem, keys)).toMatchObject({ ok: false, reason: 'bad-signature' });
    const unknown = await sealPacket(packet, { keyId: 'nobody', privateKey: stranger.privateKeyPem }, recipient.publicKeyPem);
    expect(await openPacket(unknown, recipient.privateKeyPem, keys)).toMatchObject({ ok: false, reason: 'unknown-sender' });
  });

  it('refuses ciphertext that was altered', async () => {
    const sealed = await sealPacket(packet, { keyId: senderKeyId, privateKey: sender.privateKeyPem }, recipient.publicKeyPem);
    const parts = sealed.split('.');
    parts[3] = parts[3]!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await openPacket(parts.join('.'), recipient.privateKeyPem, keys)).toMatchObject({ ok: false });
  });
});

describe('encryption at rest', () => {
  const key = randomBytes(32);
  it('round-trips, and refuses altered data or another context', () => {
    const sealed = encryptAtRest(key, packet, 'transfer-1');
    expect(decryptAtRest(key, sealed, 'transfer-1')?.toString()).toContain('Zoë');
    expect(decryptAtRest(key, sealed, 'transfer-2')).toBeUndefined();
    sealed[sealed.length - 1] = sealed[sealed.length - 1]! ^ 1;
    expect(decryptAtRest(key, sealed, 'transfer-1')).toBeUndefined();
    expect(decryptAtRest(randomBytes(32), encryptAtRest(key, packet))).toBeUndefined();
  });
});
