import { buildSifXml, checkSifJson, parseSifXml, utf8Text, type SifJsonDocument, type SifParseLimits } from './json-mapping.js';
import { sifError, type SifError } from './sif-error.js';
import type { SifMessage } from './sif-message.js';
import { originalIds, readSifMessage } from './sif-read.js';
import { writeSifMessage } from './sif-write.js';

/** The two wire forms of a SIF_Message (DESIGN §4). */
export type SifFormat = 'xml' | 'json';

/** Media types we answer with. */
export const SIF_MEDIA_TYPE: Readonly<Record<SifFormat, string>> = {
  xml: 'application/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** The format of a Content-Type header: XML for application/xml, text/xml and +xml types, JSON for application/json and +json. */
export function formatOfMediaType(contentType: string | undefined): SifFormat | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml')) return 'xml';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  return undefined;
}

/**
 * The format to answer in: the first of XML or JSON that the Accept header
 * names (by q order), else the request's own format.
 */
export function answerFormat(accept: string | undefined, requestFormat: SifFormat): SifFormat {
  if (!accept) return requestFormat;
  const ranges = accept
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.split(';').map((s) => s.trim());
      const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
      return { range: range.toLowerCase(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { range } of ranges) {
    const format = formatOfMediaType(range);
    if (format) return format;
    if (range === '*/*' || range === 'application/*') return requestFormat;
  }
  return requestFormat;
}

/** A decoded message, or the error and whatever ids of the original could be read (for the error ack). */
export type SifDecoded =
  | { kind: 'ok'; message: SifMessage; document: SifJsonDocument }
  | { kind: 'error'; error: SifError; original: { msgId: string | null; sourceId: string | null } };

/**
 * Decodes an untrusted body in either format into the typed model, applying
 * the parsing limits and safety rules of json-mapping.ts.
 */
export function decodeSif(body: string | Uint8Array, format: SifFormat, limits: SifParseLimits = {}): SifDecoded {
  return readParsed(format === 'xml' ? parseSifXml(body, limits) : parseSifJson(body, limits));
}

/** Decodes a JSON-form message that is already parsed (for example one SIF_Ack of a batch answer). */
export function decodeSifJsonValue(value: unknown): SifDecoded {
  return readParsed(checkSifJson(value));
}

function readParsed(parsed: ReturnType<typeof checkSifJson>): SifDecoded {
  if (parsed.kind === 'error') return { kind: 'error', error: parsed.error, original: originalIds(undefined) };
  const read = readSifMessage(parsed.value);
  if (read.kind === 'error') return { kind: 'error', error: read.error, original: originalIds(parsed.value) };
  return { kind: 'ok', message: read.value, document: parsed.value };
}

function parseSifJson(body: string | Uint8Array, limits: SifParseLimits) {
  const maxBytes = limits.maxBytes ?? 10 * 1024 * 1024;
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > maxBytes) return { kind: 'error' as const, error: sifError(12, 1, `the message is ${size} bytes; this zone accepts at most ${maxBytes}`) };
  let value: unknown;
  try {
    value = JSON.parse(utf8Text(body));
  } catch (error) {
    return { kind: 'error' as const, error: sifError(1, 2, `the body is not well-formed JSON: ${(error as Error).message}`) };
  }
  return checkSifJson(value);
}

/** Serializes a JSON-form document in the given format. */
export function encodeSifDocument(document: SifJsonDocument, format: SifFormat): string {
  return format === 'xml' ? buildSifXml(document) : JSON.stringify(document);
}

/** Serializes a typed message in the given format. */
export function encodeSif(message: SifMessage, format: SifFormat): string {
  return encodeSifDocument(writeSifMessage(message), format);
}
