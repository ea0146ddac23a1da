import { decodeSif, decodeSifJsonValue, encodeSif, formatOfMediaType, answerFormat, SIF_MEDIA_TYPE, type SifDecoded, type SifFormat } from '../sif/sif-codec.js';
import { errorAck, statusAck, type AckTarget } from '../sif/sif-build.js';
import { sifError, type SifError } from '../sif/sif-error.js';
import type { SifAck, SifMessage } from '../sif/sif-message.js';
import type { SifStatusCode } from '../sif/sif-codes.js';

/**
 * The SIF protocol operations the NationalRouter zone uses, in one place:
 * the router and the nodes decode and answer messages only through these,
 * so the transport depends on src/sif through this narrow seam.
 */
export { answerFormat, formatOfMediaType, sifError, SIF_MEDIA_TYPE };
export type { AckTarget, SifAck, SifDecoded, SifError, SifFormat, SifMessage, SifStatusCode };

/** Decodes a body in XML or JSON form. */
export function decodeMessage(body: Uint8Array | string, format: SifFormat, maxBytes?: number): SifDecoded {
  return decodeSif(body, format, maxBytes === undefined ? {} : { maxBytes });
}

/** Decodes a JSON-form message that is already parsed, such as one SIF_Ack of a batch answer. */
export function decodeMessageValue(value: unknown): SifDecoded {
  return decodeSifJsonValue(value);
}

/** Serializes a message in XML or JSON form. */
export function encodeMessage(message: SifMessage, format: SifFormat): string {
  return encodeSif(message, format);
}

/** A SIF_Ack with a status. */
export function ackWithStatus(from: string, target: AckTarget, code: SifStatusCode, desc?: string): SifAck {
  return statusAck(from, target, code, undefined, desc);
}

/** A SIF_Ack with an error. */
export function ackWithError(from: string, target: AckTarget, error: SifError): SifAck {
  return errorAck(from, target, error);
}

/**
 * A SIF_Ack (status 0) wrapping a message in SIF_Status/SIF_Data, for
 * SIF_GetMessage, with the wrapped message's bytes spliced in verbatim so the
 * receiver can check the sender's Content-Digest and signature over them.
 * Returns the body and the byte range of the wrapped message; `prolog` is
 * what was cut from the original's start (an XML declaration cannot stand
 * inside an element), which the receiver puts back before checking.
 */
export function wrapMessageAck(
  from: string,
  target: AckTarget,
  original: Buffer,
  format: SifFormat,
): { body: Buffer; offset: number; length: number; prolog: Buffer } {
  const marker = `REX-WRAPPED-${target.msgId ?? 'X'}-MARKER`;
  const ack = statusAck(from, target, 0, { kind: 'message', message: { '#text': marker } });
  const text = encodeSif(ack, format);
  const placeholder = format === 'xml' ? `<SIF_Message>${marker}</SIF_Message>` : `{"SIF_Message":{"#text":"${marker}"}}`;
  const at = text.indexOf(placeholder);
  if (at < 0) throw new Error('the SIF_Ack builder did not write the wrapped message placeholder');
  const prologLength = format === 'xml' ? xmlPrologLength(original) : 0;
  const before = Buffer.from(text.slice(0, at));
  const inner = original.subarray(prologLength);
  const after = Buffer.from(text.slice(at + placeholder.length));
  return { body: Buffer.concat([before, inner, after]), offset: before.length, length: inner.length, prolog: original.subarray(0, prologLength) };
}

/** Bytes of a leading byte-order mark, XML declaration and whitespace. */
function xmlPrologLength(bytes: Buffer): number {
  const head = bytes.subarray(0, 512).toString('latin1');
  const match = /^(\xEF\xBB\xBF)?\s*(<\?xml[^>]*\?>)?\s*/.exec(head);
  return match ? match[0].length : 0;
}
