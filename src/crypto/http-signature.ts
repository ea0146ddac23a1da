import { randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { contentDigest, verifyContentDigest } from './content-digest.js';

/**
 * HTTP Message Signatures (RFC 9421) for requests between rex processes.
 *
 * Every signature covers the method, authority, path, query and the
 * `Content-Digest` of the body (RFC 9530), plus `created`, `keyid`, `alg` and
 * a random `nonce` in its parameters, so that no part of a request can be
 * changed or replayed unseen. We use `rsa-v1_5-sha256` (RFC 9421 §3.3.2).
 */

/** The components every signature must cover (RFC 9421 §2.2 derived components, and one field). */
export const COVERED_COMPONENTS = ['@method', '@authority', '@path', '@query', 'content-digest'] as const;

/** Our one signature algorithm (RFC 9421 §3.3.2). */
export const SIGNATURE_ALGORITHM = 'rsa-v1_5-sha256';

/** The parts of a request that signatures cover. Header names are lower case. */
export interface SignableRequest {
  method: string;
  /** Host and port, as in the Host header. */
  authority: string;
  /** Path without the query. */
  path: string;
  /** The query string without its leading `?`, or empty. */
  query: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The headers a signer adds to a request. */
export type SignatureHeaders = {
  'content-digest': string;
  'signature-input': string;
  signature: string;
};

/** How to sign. */
export interface SignOptions {
  keyId: string;
  privateKey: KeyObject | string;
  /** Seconds since the epoch; defaults to now. */
  created?: number;
  nonce?: string;
}

/** Why a signature was refused. */
export type SignatureFault =
  | 'missing'
  | 'malformed'
  | 'unsupported-algorithm'
  | 'uncovered-component'
  | 'digest-mismatch'
  | 'stale'
  | 'bad-signature';

/** A signature parsed from the request, not yet verified. */
export interface ParsedSignature {
  label: string;
  components: string[];
  keyId: string;
  nonce: string;
  created: number;
  /** The serialized signature parameters, exactly as covered by `@signature-params`. */
  params: string;
  signature: Buffer;
}

/** Outcome of parsing and checking a signature's form, digest and age. */
export type SignatureParse = { ok: true; signature: ParsedSignature } | { ok: false; fault: SignatureFault; detail: string };

/** Splits a URL into the parts a signature covers. */
export function signableFromUrl(method: string, url: string | URL, headers: SignableRequest['headers'] = {}): SignableRequest {
  const u = typeof url === 'string' ? new URL(url) : url;
  return { method, authority: u.host, path: u.pathname, query: u.search.slice(1), headers };
}

/**
 * Signs a request: returns the `Content-Digest`, `Signature-Input` and
 * `Signature` headers to send with it.
 */
export function signRequest(request: SignableRequest, body: Uint8Array | string, options: SignOptions): SignatureHeaders {
  const input = signingInput(request, body, options);
  return signatureHeaders(input, sign('sha256', input.base, options.privateKey));
}

/**
 * Like {@link signRequest}, but the RSA signature is computed on libuv's
 * thread pool, so the event loop goes on meanwhile (the router signs every
 * delivery to a node, about a millisecond of CPU each).
 */
export async function signRequestOffThread(request: SignableRequest, body: Uint8Array | string, options: SignOptions): Promise<SignatureHeaders> {
  const input = signingInput(request, body, options);
  return signatureHeaders(input, await signOnPool('sha256', input.base, options.privateKey));
}

/** crypto.sign with a callback runs on the thread pool. */
const signOnPool = promisify(sign);

interface SigningInput {
  digest: string;
  params: string;
  base: Buffer;
}

function signingInput(request: SignableRequest, body: Uint8Array | string, options: SignOptions): SigningInput {
  const digest = contentDigest(body);
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const nonce = options.nonce ?? randomBytes(16).toString('base64url');
  const list = COVERED_COMPONENTS.map((c) => `"${c}"`).join(' ');
  const params = `(${list});created=${created};keyid="${options.keyId}";alg="${SIGNATURE_ALGORITHM}";nonce="${nonce}"`;
  const withDigest = { ...request, headers: { ...request.headers, 'content-digest': digest } };
  return { digest, params, base: Buffer.from(signatureBase(withDigest, [...COVERED_COMPONENTS], params)) };
}

function signatureHeaders(input: SigningInput, signature: Buffer): SignatureHeaders {
  return { 'content-digest': input.digest, 'signature-input': `sig1=${input.params}`, signature: `sig1=:${signature.toString('base64')}:` };
}

/**
 * Parses the request's signature and checks everything that needs no key:
 * its form, that it covers every required component, the body's digest and
 * that `created` lies within `windowSeconds` of `now`.
 */
export function parseSignature(
  request: SignableRequest,
  body: Uint8Array | string,
  windowSeconds: number,
  now = Math.floor(Date.now() / 1000),
): SignatureParse {
  const input = single(request.headers['signature-input']);
  const value = single(request.headers.signature);
  if (!input || !value) return fail('missing', 'the request has no Signature-Input and Signature headers');
  const parsed = parseSignatureInput(input);
  if (!parsed) return fail('malformed', 'Signature-Input is not a valid signature definition');
  const signature = parseSignatureValue(value, parsed.label);
  if (!signature) return fail('malformed', `Signature has no byte sequence labelled ${parsed.label}`);
  const { alg, keyid, nonce, created } = parsed.values;
  if (alg !== SIGNATURE_ALGORITHM) return fail('unsupported-algorithm', `alg must be ${SIGNATURE_ALGORITHM}`);
  if (typeof keyid !== 'string' || typeof nonce !== 'string' || typeof created !== 'number') {
    return fail('malformed', 'the signature needs keyid, nonce and created parameters');
  }
  const missing = COVERED_COMPONENTS.find((c) => !parsed.components.includes(c));
  if (missing) return fail('uncovered-component', `the signature does not cover ${missing}`);
  if (!verifyContentDigest(single(request.headers['content-digest']), body)) {
    return fail('digest-mismatch', 'Content-Digest does not match the body');
  }
  if (Math.abs(now - created) > windowSeconds) return fail('stale', 'the signature was created outside the accepted window');
  return {
    ok: true,
    signature: { label: parsed.label, components: parsed.components, keyId: keyid, nonce, created, params: parsed.params, signature },
  };
}

/** Verifies a parsed signature with the signer's public key. */
export function verifyParsedSignature(request: SignableRequest, parsed: ParsedSignature, publicKey: KeyObject): boolean {
  try {
    return verify('sha256', signedBytes(request, parsed), publicKey, parsed.signature);
  } catch {
    return false;
  }
}

/**
 * Like {@link verifyParsedSignature}, but the RSA verification runs on
 * libuv's thread pool (`crypto.verify` with a callback), so a busy router's
 * event loop goes on parsing and answering other requests meanwhile: the
 * verification is the largest single cost of a signed call.
 */
export function verifyParsedSignatureOffThread(request: SignableRequest, parsed: ParsedSignature, publicKey: KeyObject): Promise<boolean> {
  // A malformed signature or key rejects, as the inline form throws: not verified.
  return verifyOnPool('sha256', signedBytes(request, parsed), publicKey, parsed.signature).then(Boolean, () => false);
}

/** crypto.verify with a callback runs on the thread pool. */
const verifyOnPool = promisify(verify);

/** The bytes a parsed signature covers: its signature base, UTF-8 encoded. */
function signedBytes(request: SignableRequest, parsed: ParsedSignature): Buffer {
  return Buffer.from(signatureBase(request, parsed.components, parsed.params));
}

/** The signature base (RFC 9421 §2.5): the exact bytes a signature covers. */
export function signatureBase(request: SignableRequest, components: string[], params: string): string {
  let base = '';
  for (const component of components) base += `"${component}": ${componentValue(request, component)}\n`;
  return `${base}"@signature-params": ${params}`;
}

function componentValue(request: SignableRequest, component: string): string {
  switch (component) {
    case '@method':
      return request.method.toUpperCase();
    case '@authority':
      return request.authority.toLowerCase();
    case '@path':
      return request.path;
    case '@query':
      // RFC 9421 §2.2.7: an absent query is the lone "?".
      return `?${request.query}`;
    default: {
      const value = request.headers[component];
      return (Array.isArray(value) ? value.join(', ') : (value ?? '')).trim();
    }
  }
}

const LABEL = /^[a-z*][a-z0-9_\-.*]*$/;
const TOKEN_VALUE = /^[A-Za-z*][A-Za-z0-9:/!#$%&'*+\-.^_`|~]*$/;

/** The inner list our own signers write (signRequest), recognised without parsing it item by item. */
const OUR_COMPONENTS_LIST = `(${COVERED_COMPONENTS.map((c) => `"${c}"`).join(' ')})`;

/**
 * A Signature-Input exactly as signRequest writes it: one member with our
 * component list and the four parameters in our order, each quoted string
 * without escapes (RFC 8941 §3.3.3). Nearly every call looks like this, and
 * one regular expression recognises it; anything else goes to the general
 * parser, which accepts the same fields in any form the RFCs allow.
 */
const OUR_SIGNATURE_INPUT = new RegExp(
  `^([a-z*][a-z0-9_\\-.*]*)=(${OUR_COMPONENTS_LIST.replace(/[()]/g, '\\$&')};created=(\\d{1,15});keyid="([^"\\\\]*)";alg="([^"\\\\]*)";nonce="([^"\\\\]*)")$`,
);

/**
 * Parses the first member of a Signature-Input dictionary (RFC 9421 §4.1): a
 * label, an inner list of quoted component names and its parameters
 * (RFC 8941 §3.1.1). Written by hand, with few regular expressions, because
 * it runs on every request.
 */
function parseSignatureInput(field: string) {
  const ours = OUR_SIGNATURE_INPUT.exec(field);
  if (ours) {
    const [, label, params, created, keyid, alg, nonce] = ours as unknown as string[];
    return { label: label!, params: params!, components: [...COVERED_COMPONENTS] as string[], values: { created: Number(created), keyid, alg, nonce } };
  }
  const eq = field.indexOf('=');
  const open = eq + 1;
  if (eq < 1 || field.charCodeAt(open) !== 40 /* ( */) return undefined;
  const label = field.slice(0, eq).trim();
  if (!LABEL.test(label)) return undefined;
  let close: number;
  let components: string[] | undefined;
  if (field.startsWith(OUR_COMPONENTS_LIST, open)) {
    close = open + OUR_COMPONENTS_LIST.length - 1;
    components = [...COVERED_COMPONENTS];
  } else {
    close = field.indexOf(')', open);
    if (close < 0) return undefined;
    components = parseComponents(field.slice(open + 1, close));
  }
  if (!components) return undefined;
  const comma = field.indexOf(',', close);
  const paramsText = field.slice(close + 1, comma < 0 ? undefined : comma).trimEnd();
  const values = parseParameters(paramsText);
  if (!values) return undefined;
  return { label, params: field.slice(open, close + 1) + paramsText, components, values };
}

/** `"@method" "@path" …` → the names, or undefined if an item is not a plain quoted string. */
function parseComponents(list: string): string[] | undefined {
  if (list === '') return [];
  const components: string[] = [];
  for (const item of list.split(' ')) {
    const inner = item.slice(1, -1);
    if (item.length < 2 || item[0] !== '"' || item[item.length - 1] !== '"' || inner.includes('"') || inner.includes('\\')) return undefined;
    components.push(inner);
  }
  return components;
}

/** The parameters a signature carries (RFC 9421 §2.3); others are kept in `other`. */
interface SignatureParameters {
  created?: number | string;
  keyid?: number | string;
  alg?: number | string;
  nonce?: number | string;
}

/**
 * `;created=1;keyid="k"` → { created: 1, keyid: 'k' }, or undefined if
 * malformed: parameters are keys with an integer, a quoted string (no
 * escapes) or a token value (RFC 8941 §3.1.2). A scanner, not regular
 * expressions per parameter: this runs on every signed call.
 */
function parseParameters(text: string): SignatureParameters | undefined {
  const values: SignatureParameters = {};
  const end = text.length;
  let at = 0;
  while (at < end) {
    if (text.charCodeAt(at) !== 59 /* ; */) return undefined;
    const eq = text.indexOf('=', at + 1);
    if (eq < 0) return undefined;
    const name = text.slice(at + 1, eq);
    if (!isKey(name)) return undefined;
    let next = text.indexOf(';', eq + 1);
    let value: number | string;
    if (text.charCodeAt(eq + 1) === 34 /* " */) {
      const closing = text.indexOf('"', eq + 2);
      if (closing < 0 || text.charCodeAt(closing - 1) === 92 /* \ */) return undefined;
      value = text.slice(eq + 2, closing);
      if (value.includes('\\')) return undefined;
      next = closing + 1;
      if (next < end && text.charCodeAt(next) !== 59) return undefined;
    } else {
      const raw = text.slice(eq + 1, next < 0 ? end : next);
      if (raw !== '' && raw.length <= 16 && INTEGER.test(raw)) value = Number(raw);
      else if (TOKEN_VALUE.test(raw)) value = raw;
      else return undefined;
      if (next < 0) next = end;
    }
    if (name === 'created' || name === 'keyid' || name === 'alg' || name === 'nonce') values[name] = value;
    at = next;
  }
  return values;
}

const INTEGER = /^-?\d+$/;

/** An RFC 8941 key: lower case letter or `*`, then lower case letters, digits, `_ - . *`. */
function isKey(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const lower = c >= 97 && c <= 122;
    if (lower || c === 42 /* * */) continue;
    if (i > 0 && ((c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46)) continue;
    return false;
  }
  return true;
}

const BASE64 = /^[A-Za-z0-9+/=]*$/;

/** Finds the byte sequence for `label` in a Signature dictionary (RFC 9421 §4.2). */
function parseSignatureValue(field: string, label: string): Buffer | undefined {
  // The usual field holds one member, `label=:…:`, as our signers write it.
  const start = label.length + 2;
  const end = field.indexOf(':', start);
  if (end > 0 && field.startsWith(label) && field.charCodeAt(start - 2) === 61 /* = */ && field.charCodeAt(start - 1) === 58 /* : */) {
    const bytes = field.slice(start, end);
    const rest = field.slice(end + 1).trimStart();
    if (BASE64.test(bytes) && (rest === '' || rest.startsWith(','))) return Buffer.from(bytes, 'base64');
  }
  for (const member of field.split(',')) {
    const match = /^\s*([a-z*][a-z0-9_\-.*]*)=:([A-Za-z0-9+/=]*):\s*$/.exec(member);
    if (match && match[1] === label) return Buffer.from(match[2]!, 'base64');
  }
  return undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function fail(fault: SignatureFault, detail: string): SignatureParse {
  return { ok: false, fault, detail };
}
