import { createPrivateKey } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { signRequest, signableFromUrl } from '../../src/crypto/http-signature.js';
import { sealPacket } from '../../src/crypto/sealed-packet.js';
import { buildNationalMessage, NATIONAL_ZONE_PATH, RECORD_OBJECT, type NationalIntent } from '../../src/national/national-envelope.js';
import { decodeSif, encodeSif, type SifFormat } from '../../src/sif/sif-codec.js';
import { newMsgId, type SifAck, type SifMessage } from '../../src/sif/sif-message.js';
import type { TestDistrict } from './district-keys.js';

const HOST = 'router.test';

/** Posts a body to the NationalRouter zone through inject, signed by `district` (tamper may change the headers). */
export async function zoneCall(
  app: FastifyInstance,
  district: TestDistrict,
  body: string | Buffer,
  format: SifFormat = 'xml',
  tamper?: (headers: Record<string, string>) => void,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { host: HOST, 'content-type': format === 'xml' ? 'application/xml' : 'application/json' };
  Object.assign(headers, signRequest(signableFromUrl('POST', `http://${HOST}${NATIONAL_ZONE_PATH}`, headers), body, { keyId: district.keyId, privateKey: createPrivateKey(district.keys.privateKeyPem) }));
  tamper?.(headers);
  return app.inject({ method: 'POST', url: NATIONAL_ZONE_PATH, headers, payload: body });
}

/** A zone message from `from` to `to` whose payload is sealed to `to`'s key. */
export async function sealedMessage(
  from: TestDistrict,
  to: TestDistrict,
  payload: string,
  intent: Partial<NationalIntent> = {},
  format: SifFormat = 'xml',
): Promise<{ message: SifMessage; body: string }> {
  const sealed = await sealPacket(Buffer.from(payload), { keyId: from.keyId, privateKey: from.keys.privateKeyPem }, to.keys.publicKeyPem);
  const full = { type: 'SIF_Request', msgId: newMsgId(), destinationId: to.ncesId, objectName: RECORD_OBJECT, ...intent } as NationalIntent;
  const message = buildNationalMessage(from.ncesId, full, sealed);
  return { message, body: encodeSif(message, format) };
}

/** Reads a SIF_Ack answer. */
export function ackOf(response: LightMyRequestResponse): SifAck {
  const format: SifFormat = String(response.headers['content-type']).includes('json') ? 'json' : 'xml';
  const decoded = decodeSif(response.body, format);
  if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error(`not a SIF_Ack: ${response.body}`);
  return decoded.message;
}
