/**
 * The one mapping between a SIF 2.x `SIF_Message` in XML and the same message
 * in JSON (DESIGN §4: "the same message as JSON, with one documented,
 * round-trip-tested mapping"). Zones accept and answer both forms; the
 * typed model in sif-message.ts is read from and written to this JSON form.
 *
 * Rules, XML → JSON:
 *
 * 1. The document is a JSON object with exactly one property, `SIF_Message`.
 * 2. Every element becomes a property named by its local name. All elements
 *    must be in the SIF 2.x namespace `http://www.sifinfo.org/infrastructure/2.x`
 *    (infrastructure and data objects share it in SIF 2.x); any prefix or
 *    default-namespace spelling is accepted, and the namespace is implied in
 *    JSON. An element in another namespace is refused (SIF_Error 1/3).
 * 3. Attributes become properties named `@` + name (`@Version`, `@ObjectName`).
 *    Namespace declarations are not carried. Qualified attributes keep their
 *    conventional prefix: `@xsi:nil`, `@xsi:type`, `@xml:lang`; others are refused.
 * 4. An element with neither attributes nor child elements becomes its text,
 *    a string (an empty element becomes `""`). Text is never converted to
 *    numbers or booleans and never trimmed, so values survive exactly.
 * 5. An element with attributes and text becomes an object with its
 *    attributes and `#text`. An element with child elements becomes an
 *    object; whitespace between child elements is not carried.
 * 6. Repeated elements: sibling elements of one name become a JSON array in
 *    document order. Elements the XSD declares repeatable in infrastructure
 *    (e.g. `SIF_Version` in `SIF_Register`, `SIF_Object` in `SIF_Provide`,
 *    `SIF_Context`, `SIF_Condition`, the objects in a `SIF_Response`'s
 *    `SIF_ObjectData`) are always arrays, even with one member, so a program
 *    reading JSON need not guess; see ALWAYS_ARRAYS. Inside data objects the
 *    XSD's repeatables are not listed here: one occurrence is a value, two or
 *    more an array.
 * 7. Comments, processing instructions and the XML declaration are not
 *    carried; CDATA sections become ordinary text. Character and the five
 *    predefined entity references are decoded. DOCTYPE and ENTITY
 *    declarations are refused before parsing (never expanded, never fetched).
 *
 * JSON → XML is the reverse: properties become elements in the object's
 * property order, arrays become repeated elements, `@…` become attributes,
 * `#text` becomes text, the root carries the SIF namespace as its default
 * namespace (and `xmlns:xsi` when an `@xsi:…` attribute is used).
 * Round trips: XML → JSON → XML gives the same document in canonical form
 * (same elements, attributes and text, no insignificant whitespace);
 * JSON → XML → JSON gives the same JSON for JSON produced by this mapping.
 * Known limit: mixed content (text between child elements) keeps its text
 * as one `#text` after the children.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readCompactSifXml } from './compact-sif-xml.js';
import { readPlainXml, type PlainXmlBuilder } from './plain-xml.js';
import { sifError, sifFail, sifOk, SifErrorSignal, type SifResult } from './sif-error.js';

/** The SIF 2.x namespace of infrastructure messages and data objects. */
export const SIF_NAMESPACE = 'http://www.sifinfo.org/infrastructure/2.x';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** A value in the JSON form: text, an element object, or repeated elements. */
export type SifJsonValue = string | SifJsonObject | SifJsonValue[];
/** An element in the JSON form: `@attributes`, `#text` and child elements. */
export interface SifJsonObject {
  [name: string]: SifJsonValue;
}
/** A whole message in the JSON form: `{ "SIF_Message": { … } }`. */
export interface SifJsonDocument {
  SIF_Message: SifJsonObject;
}

/** Limits for parsing untrusted input. */
export interface SifParseLimits {
  /** Largest accepted body in bytes (default 10 MiB). */
  maxBytes?: number;
  /** Deepest accepted element nesting (default 64). */
  maxDepth?: number;
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;

/**
 * Child elements that the SIF 2.4 XSD declares with maxOccurs > 1, keyed by
 * `Parent/Child`; they are always JSON arrays (rule 6).
 */
const ALWAYS_ARRAYS = new Set<string>([
  ...['SIF_Register', 'SIF_Request', 'SIF_ServiceInput', 'SIF_VersionList', 'SIF_SupportedVersions'].map((p) => `${p}/SIF_Version`),
  'SIF_Protocol/SIF_Property',
  'SIF_Contexts/SIF_Context',
  ...[
    'SIF_Provide', 'SIF_Unprovide', 'SIF_Subscribe', 'SIF_Unsubscribe',
    'SIF_ProvideObjects', 'SIF_SubscribeObjects', 'SIF_PublishAddObjects', 'SIF_PublishChangeObjects',
    'SIF_PublishDeleteObjects', 'SIF_RequestObjects', 'SIF_RespondObjects',
    'SIF_ProvideAccess', 'SIF_SubscribeAccess', 'SIF_PublishAddAccess', 'SIF_PublishChangeAccess',
    'SIF_PublishDeleteAccess', 'SIF_RequestAccess', 'SIF_RespondAccess', 'SIF_ObjectList',
  ].map((p) => `${p}/SIF_Object`),
  ...['SIF_ProvideService', 'SIF_RespondService', 'SIF_RequestService', 'SIF_SubscribeService', 'SIF_ServiceList'].map((p) => `${p}/SIF_Service`),
  'SIF_Operations/SIF_Operation',
  ...['SIF_QueryObject', 'SIF_Select', 'SIF_ColumnHeaders', 'SIF_OrderBy'].map((p) => `${p}/SIF_Element`),
  'SIF_ConditionGroup/SIF_Conditions',
  'SIF_Conditions/SIF_Condition',
  'SIF_From/SIF_Join',
  'SIF_Join/SIF_JoinOn',
  'SIF_Rows/R',
  'R/C',
  'SIF_RequestMsgIds/SIF_RequestMsgId',
  'SIF_ServiceMsgIds/SIF_ServiceMsgId',
  'SIF_Providers/SIF_Provider',
  'SIF_Subscribers/SIF_Subscriber',
  'SIF_AddPublishers/SIF_Publisher',
  'SIF_ChangePublishers/SIF_Publisher',
  'SIF_DeletePublishers/SIF_Publisher',
  'SIF_Responders/SIF_Responder',
  'SIF_Requesters/SIF_Requester',
  'SIF_SIFNodes/SIF_SIFNode',
  'SIF_SupportedProtocols/SIF_Protocol',
  'SIF_SupportedAuthentication/SIF_ProtocolName',
  'SIF_ServiceProviders/SIF_ServiceProvider',
  'SIF_ServiceResponders/SIF_ServiceResponder',
  'SIF_ServiceRequesters/SIF_ServiceRequester',
  'SIF_ServiceSubscribers/SIF_ServiceSubscriber',
]);

/** Whether `child` under `parent` is always a JSON array (rule 6). */
export function isAlwaysArray(parent: string, child: string): boolean {
  // Every object in a SIF_Response's SIF_ObjectData repeats (SIF_ResponseObjectsType).
  if (parent === 'SIF_ObjectData' && child !== 'SIF_EventObject') return true;
  return ALWAYS_ARRAYS_BY_PARENT.get(parent)?.has(child) ?? false;
}

/** ALWAYS_ARRAYS by parent: looked up for every element parsed, without building a key string. */
const ALWAYS_ARRAYS_BY_PARENT = new Map<string, Set<string>>();
for (const pair of ALWAYS_ARRAYS) {
  const [parent, child] = pair.split('/') as [string, string];
  const children = ALWAYS_ARRAYS_BY_PARENT.get(parent) ?? new Set<string>();
  ALWAYS_ARRAYS_BY_PARENT.set(parent, children.add(child));
}

// ---------------------------------------------------------------- XML → JSON

/** Text between elements, in fast-xml-parser's `preserveOrder` form. */
type OrderedText = { '#text': string };
/** An element in that form: its children under its qualified name, its attributes (undecoded) under `:@`. */
type OrderedElement = { [tag: string]: OrderedNode[] } & { ':@'?: Record<string, string> };
type OrderedNode = OrderedText | OrderedElement;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded by decodeEntities below, which knows only the XML
  // predefined ones and character references: nothing can be expanded.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
  // Callbacks get the parser's path matcher, not a path string built for every tag: we pass none.
  jPath: false,
});

/**
 * Parses an untrusted SIF_Message body (bytes or text) into the JSON form.
 * Refuses, with the SIF_Error the specification names: bodies over the size
 * limit (12/1), bytes that are not UTF-8 or XML that is not well-formed
 * (1/2), DOCTYPE/ENTITY declarations, foreign namespaces, a root other than
 * SIF_Message or nesting too deep (1/3). A plain SIF_GetMessage or
 * status-only SIF_Ack is read without the XML parser (compact-sif-xml.ts),
 * and any other valid message in plain XML by one well-formedness-checking
 * pass (plain-xml.ts) straight into the same JSON form; the validator and
 * the parser take the rest, and word every error.
 */
export function parseSifXml(body: string | Uint8Array, limits: SifParseLimits = {}): SifResult<SifJsonDocument> {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > maxBytes) return sifFail(sifError(12, 1, `the message is ${size} bytes; this zone accepts at most ${maxBytes}`));
  let text: string;
  try {
    text = utf8Text(body);
  } catch {
    return sifFail(sifError(1, 2, 'the body is not valid UTF-8'));
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) {
    return sifFail(sifError(1, 3, 'DOCTYPE and ENTITY declarations are not accepted: SIF messages are validated by XML Schema, and entities are never expanded'));
  }
  const compact = readCompactSifXml(text);
  if (compact) return sifOk(compact);
  const plain = readPlainSifXml(text, limits.maxDepth ?? DEFAULT_MAX_DEPTH);
  if (plain) return sifOk(plain);
  const wellFormed = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (wellFormed !== true) {
    return sifFail(sifError(1, 2, `${wellFormed.err.msg} (line ${wellFormed.err.line}, column ${wellFormed.err.col})`));
  }
  try {
    const nodes = parser.parse(text) as OrderedNode[];
    const roots = nodes.filter((n) => !('#text' in n) || String(n['#text']).trim() !== '');
    if (roots.length !== 1 || '#text' in roots[0]!) return sifFail(sifError(1, 2, 'the document must have exactly one root element'));
    const root = roots[0] as Exclude<OrderedNode, { '#text': string }>;
    const converted = convertElement(root, new Map([['xml', XML_NAMESPACE]]), 0, limits.maxDepth ?? DEFAULT_MAX_DEPTH);
    if (converted.name !== 'SIF_Message') return sifFail(sifError(1, 3, `the root element is ${converted.name}, not SIF_Message`));
    const message = typeof converted.value === 'string' ? {} : (converted.value as SifJsonObject);
    return sifOk({ SIF_Message: message });
  } catch (error) {
    if (error instanceof SifErrorSignal) return sifFail(error.error);
    throw error;
  }
}

/**
 * A message in the plain XML subset (plain-xml.ts) read straight into the
 * JSON form, by the same rules as convertElement; undefined when the text is
 * outside the subset or anything would be refused (namespace, depth, root),
 * so that the full path words the error.
 */
export function readPlainSifXml(text: string, maxDepth = DEFAULT_MAX_DEPTH): SifJsonDocument | undefined {
  try {
    return readPlainXml(text, new JsonFormBuilder(maxDepth));
  } catch (error) {
    if (error instanceof SifErrorSignal) return undefined;
    throw error;
  }
}

/** Builds the JSON form from the plain reader's pieces, element by element as convertElement does. */
class JsonFormBuilder implements PlainXmlBuilder<SifJsonDocument> {
  private readonly open: OpenElement[] = [];
  private root: { name: string; value: SifJsonValue } | undefined;
  private static readonly TOP_SCOPE = new Map([['xml', XML_NAMESPACE]]);

  constructor(private readonly maxDepth: number) {}

  start(qname: string, attributes: Record<string, string> | undefined): void {
    const parent = this.open[this.open.length - 1];
    this.open.push(openElement(qname, attributes, parent?.scope ?? JsonFormBuilder.TOP_SCOPE, this.open.length, this.maxDepth));
    if (parent) parent.hasChildren = true;
  }

  text(run: string): void {
    this.open[this.open.length - 1]!.text += run;
  }

  end(): void {
    const element = this.open.pop()!;
    const value = closeElement(element);
    const parent = this.open[this.open.length - 1];
    if (parent) appendChild(parent.result, parent.name, element.name, value);
    else this.root = { name: element.name, value };
  }

  result(): SifJsonDocument | undefined {
    if (this.root?.name !== 'SIF_Message') return undefined;
    return { SIF_Message: typeof this.root.value === 'string' ? {} : (this.root.value as SifJsonObject) };
  }
}

function elementTag(node: Exclude<OrderedNode, { '#text': string }>): string {
  const tag = Object.keys(node).find((k) => k !== ':@');
  if (tag === undefined) throw new SifErrorSignal(sifError(1, 2, 'an element has no name'));
  return tag;
}

function splitName(qname: string): [prefix: string, local: string] {
  const colon = qname.indexOf(':');
  return colon < 0 ? ['', qname] : [qname.slice(0, colon), qname.slice(colon + 1)];
}

function scopeOf(attributes: Record<string, string>, parentScope: Map<string, string>): Map<string, string> {
  let scope = parentScope;
  for (const [name, value] of Object.entries(attributes)) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    if (scope === parentScope) scope = new Map(parentScope);
    scope.set(name === 'xmlns' ? '' : name.slice(6), decodeEntities(value));
  }
  return scope;
}

function convertElement(
  node: Exclude<OrderedNode, { '#text': string }>,
  parentScope: Map<string, string>,
  depth: number,
  maxDepth: number,
): { name: string; value: SifJsonValue } {
  const tag = elementTag(node);
  const element = openElement(tag, node[':@'], parentScope, depth, maxDepth);
  for (const child of node[tag] as OrderedNode[]) {
    if ('#text' in child) {
      element.text += child['#text'];
      continue;
    }
    element.hasChildren = true;
    const converted = convertElement(child, element.scope, depth + 1, maxDepth);
    appendChild(element.result, element.name, converted.name, converted.value);
  }
  return { name: element.name, value: closeElement(element) };
}

/** An element being converted: what both readers (convertElement, JsonFormBuilder) gather before its value is known. */
interface OpenElement {
  name: string;
  scope: Map<string, string>;
  result: SifJsonObject;
  hasAttributes: boolean;
  /** Its character data so far, entity references undecoded. */
  text: string;
  hasChildren: boolean;
}

/**
 * Opens an element at `depth` (the root at 0): its namespace scope, its
 * local name, checked to be in the SIF namespace, and its attributes
 * (rules 2 and 3). Refusals are thrown as SifErrorSignal.
 */
function openElement(qname: string, attributes: Record<string, string> | undefined, parentScope: Map<string, string>, depth: number, maxDepth: number): OpenElement {
  if (depth > maxDepth) throw new SifErrorSignal(sifError(1, 3, `elements are nested deeper than ${maxDepth} levels`));
  const scope = attributes ? scopeOf(attributes, parentScope) : parentScope;
  const [prefix, name] = splitName(qname);
  const namespace = scope.get(prefix);
  if (namespace !== SIF_NAMESPACE) {
    throw new SifErrorSignal(sifError(1, 3, `element ${name} is in namespace ${namespace ?? '(none)'}; SIF 2.x elements are in ${SIF_NAMESPACE}`));
  }
  const result: SifJsonObject = {};
  let hasAttributes = false;
  for (const attribute in attributes) {
    if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) continue;
    result[`@${attributeName(attribute, scope, name)}`] = decodeEntities(attributes[attribute]!);
    hasAttributes = true;
  }
  return { name, scope, result, hasAttributes, text: '', hasChildren: false };
}

/** An element's value from its attributes and children (in `result`) and its text (rules 4 and 5). */
function closeElement(element: OpenElement): SifJsonValue {
  const text = decodeEntities(element.text);
  if (!element.hasChildren && !element.hasAttributes) return text;
  if (text !== '' && (!element.hasChildren || text.trim() !== '')) element.result['#text'] = text;
  return element.result;
}

function attributeName(qname: string, scope: Map<string, string>, element: string): string {
  const [prefix, local] = splitName(qname);
  if (prefix === '') return local;
  const namespace = scope.get(prefix);
  if (namespace === XSI_NAMESPACE) return `xsi:${local}`;
  if (namespace === XML_NAMESPACE) return `xml:${local}`;
  throw new SifErrorSignal(sifError(1, 3, `attribute ${qname} of ${element} is in an unsupported namespace ${namespace ?? '(undeclared)'}`));
}

function appendChild(target: SifJsonObject, parent: string, name: string, value: SifJsonValue): void {
  const existing = target[name];
  if (existing === undefined) {
    target[name] = isAlwaysArray(parent, name) ? [value] : value;
  } else if (Array.isArray(existing)) {
    existing.push(value);
  } else {
    target[name] = [existing, value];
  }
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the five predefined entities and character references; any other reference is malformed XML. */
function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new SifErrorSignal(sifError(1, 2, `an unescaped '&' in "${raw.slice(0, 80)}"`));
    if (ref in PREDEFINED) return PREDEFINED[ref]!;
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (numeric) {
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2]!, 10);
      if (isXmlChar(code)) return String.fromCodePoint(code);
      throw new SifErrorSignal(sifError(1, 2, `character reference &${ref}; is not an XML character`));
    }
    throw new SifErrorSignal(sifError(1, 2, `undefined entity &${ref}; (only the predefined entities are allowed)`));
  });
}

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

// ---------------------------------------------------------------- JSON → XML

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const ATTRIBUTE = /^@(?:(?:xsi|xml):)?[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Checks that an untrusted JSON value has the JSON form of a SIF_Message
 * (rule 1–6 shapes: strings, objects, arrays of strings or objects, valid
 * names); refuses with SIF_Error 1/3 otherwise.
 */
export function checkSifJson(value: unknown): SifResult<SifJsonDocument> {
  if (!isPlainObject(value) || Object.keys(value).length !== 1 || !('SIF_Message' in value)) {
    return sifFail(sifError(1, 3, 'a JSON SIF message is an object with exactly one property, SIF_Message'));
  }
  const problem = shapeProblem(value['SIF_Message'], 0);
  if (problem) return sifFail(sifError(1, 3, `SIF_Message${problem}`));
  const message = value['SIF_Message'];
  return sifOk({ SIF_Message: typeof message === 'string' ? {} : (message as SifJsonObject) });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The first shape problem under `value`, as "/its/path: what is wrong"
 * relative to it. The path is put together on the way out of a problem only:
 * this runs on every JSON message, and nearly all of them have none.
 */
function shapeProblem(value: unknown, depth: number): string | undefined {
  if (depth > DEFAULT_MAX_DEPTH) return `: nested deeper than ${DEFAULT_MAX_DEPTH} levels`;
  if (typeof value === 'string') return undefined;
  if (!isPlainObject(value)) return ': must be a string or an object';
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (key === '#text' || key.startsWith('@')) {
      if (key !== '#text' && !ATTRIBUTE.test(key)) return `/${key}: not a valid attribute name`;
      if (typeof child !== 'string') return `/${key}: must be a string`;
      continue;
    }
    if (!NAME.test(key)) return `/${key}: not a valid element name`;
    const problem = Array.isArray(child) ? membersProblem(child, depth) : shapeProblem(child, depth + 1);
    if (problem) return `/${key}${problem}`;
  }
  return undefined;
}

/** The first shape problem of a repeated element's members (without wrapping a lone member in an array first). */
function membersProblem(members: unknown[], depth: number): string | undefined {
  for (const member of members) {
    if (Array.isArray(member)) return ': arrays cannot be nested';
    const problem = shapeProblem(member, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A body's text; throws a TypeError when its bytes are not UTF-8. */
export function utf8Text(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : STRICT_UTF8.decode(body);
}

/**
 * Serializes a JSON-form message as SIF_Message XML (UTF-8, with an XML
 * declaration), by the reverse of the rules above. Written out directly
 * rather than through an intermediate tree: every answer of a zone passes
 * here, and most are small. Namespace declarations in the JSON (`@xmlns…`)
 * are not carried (rule 3); the root declares the SIF namespace, and
 * `xmlns:xsi` when an `@xsi:…` attribute occurs anywhere.
 */
export function buildSifXml(document: SifJsonDocument): string {
  const writing = { usesXsi: false };
  const [attributes, content] = elementParts(document.SIF_Message, writing);
  const namespaces = ` xmlns="${SIF_NAMESPACE}"${writing.usesXsi ? ` xmlns:xsi="${XSI_NAMESPACE}"` : ''}`;
  return `<?xml version="1.0" encoding="UTF-8"?>${tagged('SIF_Message', namespaces + attributes, content)}`;
}

/** What an element's serialization found on the way that its root must declare. */
interface XmlWriting {
  usesXsi: boolean;
}

function elementXml(name: string, value: SifJsonValue, writing: XmlWriting): string {
  if (typeof value === 'string') return tagged(name, '', escapeXml(value));
  if (Array.isArray(value)) return tagged(name, '', '');
  const [attributes, content] = elementParts(value, writing);
  return tagged(name, attributes, content);
}

/** An element's attribute list and content (child elements in property order, then its text). */
function elementParts(value: SifJsonObject, writing: XmlWriting): [attributes: string, content: string] {
  let attributes = '';
  let children = '';
  let text = '';
  for (const key of Object.keys(value)) {
    const child = value[key]!;
    if (key === '#text') {
      text = escapeXml(child as string);
    } else if (key.charCodeAt(0) === 64 /* @ */) {
      if (key === '@xmlns' || key.startsWith('@xmlns:')) continue;
      if (key.startsWith('@xsi:')) writing.usesXsi = true;
      attributes += ` ${key.slice(1)}="${escapeXml(child as string)}"`;
    } else if (Array.isArray(child)) {
      for (const member of child) children += elementXml(key, member, writing);
    } else {
      children += elementXml(key, child, writing);
    }
  }
  return [attributes, children + text];
}

/** An element with its content, or the empty-element tag when it has none. */
function tagged(name: string, attributes: string, content: string): string {
  return content === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${content}</${name}>`;
}

const XML_SPECIAL = /[&<>"']/;
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or an attribute value with the five predefined entities escaped. */
function escapeXml(text: string): string {
  return XML_SPECIAL.test(text) ? text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!) : text;
}
