/*
 * A reader for SIF messages in the plain XML that agents write: elements and
 * attributes with ASCII names, text, the five predefined entity references,
 * and an optional XML declaration (version 1.0, UTF-8). It hands start tags,
 * text and end tags to a builder as it goes (json-mapping.ts builds the JSON
 * form from them, without an intermediate tree), in one pass instead of the
 * validator's pass and the parser's. On every text it reads, the document is
 * well-formed by construction (XML 1.0 §2.1): one root, start and end tags
 * that match, attributes quoted and each named once, no `<` in a value, no
 * `&` outside a reference. Anything outside that subset gives `undefined`,
 * and the caller takes the full path (XMLValidator, then the parser), which
 * also words every error: comments, CDATA, processing instructions, DOCTYPE,
 * character references, non-ASCII names, carriage returns and other
 * characters that XML normalizes or forbids, and every malformed text.
 * test/unit/plain-xml.test.ts checks that both paths give the same JSON.
 * Reading the XML was the largest part of a SIF_Event's CPU time in the node
 * (bench:sif): this pass, building the JSON form as it goes, reads a
 * StudentPersonal event in about a fifth of the time fast-xml-parser alone
 * takes to parse it.
 */

/**
 * What the reader hands each piece of the document to, in document order.
 * A builder refuses a document by throwing; the reader lets it through to
 * its caller. `result` is asked for once the text was read to its end.
 */
export interface PlainXmlBuilder<T> {
  /** A start tag: its qualified name and its attributes (values undecoded), undefined when it has none. */
  start(name: string, attributes: Record<string, string> | undefined): void;
  /** Character data (entity references undecoded) inside the innermost open element. */
  text(run: string): void;
  /** The end of the innermost open element. */
  end(): void;
  result(): T | undefined;
}

/** An XML declaration (XML 1.0 §2.8) of version 1.0 in UTF-8, only at the very start. */
const DECLARATION = /^<\?xml[ \t\n]+version=(?:"1\.0"|'1\.0')(?:[ \t\n]+encoding=(?:"[Uu][Tt][Ff]-8"|'[Uu][Tt][Ff]-8'))?(?:[ \t\n]+standalone=(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/;
/** What the subset leaves to the full path: CR (end-of-line handling, §2.11), characters XML forbids (§2.2), `]]>`, comments, CDATA, DOCTYPE and processing instructions. */
const OUTSIDE_SUBSET = /[\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\]\]>|<[!?]/g;
/** Each `&` starts one of the five predefined references (§4.6). */
const AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos);)/;
/** Attribute values that XML would normalize (§3.3.3) or that may not appear in them. */
const UNPLAIN_VALUE = /[<\t\n]/;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const COLON = 0x3a;

/** Whether a character code is XML white space (§2.3; CR is outside the subset). */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a;
}

/** Whether a character code may start an ASCII name: a letter or `_`. */
function isNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f;
}

/** Whether a character code may continue an ASCII name: also a digit, `.` or `-`. */
function isNameChar(code: number): boolean {
  return isNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d;
}

/**
 * Reads the document into `builder` and answers what it built, or undefined
 * when the text is outside the plain subset (the caller then validates and
 * parses it in full).
 */
export function readPlainXml<T>(text: string, builder: PlainXmlBuilder<T>): T | undefined {
  let pos = 0;
  if (text.startsWith('<?xml')) {
    const declaration = DECLARATION.exec(text);
    if (!declaration) return undefined;
    pos = declaration[0].length;
  }
  OUTSIDE_SUBSET.lastIndex = pos;
  if (OUTSIDE_SUBSET.test(text)) return undefined;
  const reader = new PlainReader(text, pos, builder);
  return reader.document() ? builder.result() : undefined;
}

/** The reader's state: the text, where it is, and the open elements. */
class PlainReader<T> {
  /** The names of the open elements, innermost last. */
  private readonly open: string[] = [];

  constructor(
    private readonly text: string,
    private pos: number,
    private readonly builder: PlainXmlBuilder<T>,
  ) {}

  /** Whether the whole text is one root element in the subset, every piece handed to the builder. */
  document(): boolean {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== LT) return false;
    if (!this.element()) return false;
    while (this.open.length > 0) {
      const next = this.text.indexOf('<', this.pos);
      if (next < 0) return false;
      if (next > this.pos && !this.textRun(next)) return false;
      if (!(this.text.charCodeAt(next + 1) === SLASH ? this.endTag() : this.element())) return false;
    }
    this.skipSpace();
    return this.pos === this.text.length;
  }

  /** A start tag (or empty-element tag) at `pos`. */
  private element(): boolean {
    this.pos += 1;
    const name = this.name();
    if (name === undefined) return false;
    let attributes: Record<string, string> | undefined;
    for (;;) {
      const spaced = this.skipSpace();
      const code = this.text.charCodeAt(this.pos);
      if (code === GT || (code === SLASH && this.text.charCodeAt(this.pos + 1) === GT)) {
        this.builder.start(name, attributes);
        this.pos += code === GT ? 1 : 2;
        if (code === GT) this.open.push(name);
        else this.builder.end();
        return true;
      }
      if (!spaced) return false;
      const attribute = this.name();
      if (attribute === undefined) return false;
      const value = this.attributeValue();
      attributes ??= {};
      if (value === undefined || attribute in attributes) return false;
      attributes[attribute] = value;
    }
  }

  /** `= "value"` or `= 'value'` after an attribute name. */
  private attributeValue(): string | undefined {
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== EQUALS) return undefined;
    this.pos += 1;
    this.skipSpace();
    const quote = this.text[this.pos];
    if (quote !== '"' && quote !== "'") return undefined;
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) return undefined;
    const value = this.text.slice(this.pos + 1, end);
    if (UNPLAIN_VALUE.test(value) || (value.includes('&') && AMPERSAND.test(value))) return undefined;
    this.pos = end + 1;
    return value;
  }

  /** An end tag at `pos`: it must close the innermost open element. */
  private endTag(): boolean {
    this.pos += 2;
    const name = this.name();
    if (name === undefined || name !== this.open[this.open.length - 1]) return false;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) !== GT) return false;
    this.pos += 1;
    this.open.pop();
    this.builder.end();
    return true;
  }

  /** Character data from `pos` up to `end` (the next `<`), inside the innermost open element. */
  private textRun(end: number): boolean {
    const run = this.text.slice(this.pos, end);
    if (run.includes('&') && AMPERSAND.test(run)) return false;
    this.builder.text(run);
    this.pos = end;
    return true;
  }

  /** An ASCII name with at most one colon (prefix:local), each part starting with a letter or `_`. */
  private name(): string | undefined {
    const start = this.pos;
    if (!this.namePart()) return undefined;
    if (this.text.charCodeAt(this.pos) === COLON) {
      this.pos += 1;
      if (!this.namePart()) return undefined;
    }
    return this.text.slice(start, this.pos);
  }

  private namePart(): boolean {
    if (!isNameStart(this.text.charCodeAt(this.pos))) return false;
    do this.pos += 1;
    while (isNameChar(this.text.charCodeAt(this.pos)));
    return true;
  }

  /** Skips white space; whether there was any. */
  private skipSpace(): boolean {
    const start = this.pos;
    while (isSpace(this.text.charCodeAt(this.pos))) this.pos += 1;
    return this.pos > start;
  }
}
