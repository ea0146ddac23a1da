import { describe, expect, it } from 'vitest';
import { parseSifXml, readPlainSifXml } from '../../src/sif/json-mapping.js';
import { encodeSif } from '../../src/sif/sif-codec.js';
import { newHeader, SIF_VERSION, type SifRequest } from '../../src/sif/sif-message.js';
import { answerPackets } from '../../src/sis-agent/sis-answers.js';
import { buildSisRoster } from '../../src/sis-agent/sis-roster.js';

const NS = 'http://www.sifinfo.org/infrastructure/2.x';
const HEADER = '<SIF_Header><SIF_MsgId>0123456789ABCDEF0123456789ABCDEF</SIF_MsgId><SIF_Timestamp>2026-11-24T06:00:00Z</SIF_Timestamp><SIF_SourceId>SIS</SIF_SourceId></SIF_Header>';

/** A SIF_Event around a StudentPersonal body (the root's attributes and the body vary per case). */
const event = (body: string, root = `xmlns="${NS}" Version="2.4"`) =>
  `<SIF_Message ${root}><SIF_Event>${HEADER}<SIF_ObjectData><SIF_EventObject ObjectName="StudentPersonal" Action="Add"><StudentPersonal RefId="5B000000000000000000000000000001">${body}</StudentPersonal></SIF_EventObject></SIF_ObjectData></SIF_Event></SIF_Message>`;
const NAME = '<Name Type="04"><LastName>Lastname</LastName><FirstName>First</FirstName></Name>';

/** What the full path (validator, then parser) makes of a text: a comment before the root keeps it off the plain reader and means nothing to the result. */
function fullParse(text: string) {
  return parseSifXml(text.replace('<SIF_Message', '<!-- to the full parser --><SIF_Message'));
}

/** What the messages of the simulated SIS look like on the wire: an event of every object, and response packets. */
function rosterMessages(): Array<[string, string]> {
  const roster = buildSisRoster({ students: 20, district: { ncesId: '0499901', name: 'Saguaro Unified', state: 'AZ' } });
  const firstOfEach = [...new Map(roster.objects.map((o) => [o.objectName, o])).keys()].map((name) => roster.byName(name)[0]!);
  const events = firstOfEach.map((o): [string, string] => [
    `a ${o.objectName} event`,
    encodeSif({ type: 'SIF_Event', version: SIF_VERSION, header: newHeader('SIS-AGENT'), objectName: o.objectName, action: 'Change', object: { [o.objectName]: o.object } }, 'xml'),
  ]);
  const request: SifRequest = { type: 'SIF_Request', version: SIF_VERSION, header: newHeader('REX-NODE'), versions: [SIF_VERSION], maxBufferSize: 16384, query: { objectName: 'StudentPersonal', elements: [] } };
  const packets = answerPackets(roster, request).slice(0, 2).map((packet, i): [string, string] => [
    `a SIF_Response packet of StudentPersonal (#${i + 1})`,
    encodeSif({ type: 'SIF_Response', version: SIF_VERSION, header: newHeader('SIS-AGENT'), requestMsgId: 'A'.repeat(32), packetNumber: i + 1, morePackets: false, ...packet }, 'xml'),
  ]);
  return [...events, ...packets];
}

describe('the plain XML reader', () => {
  const read: Array<[string, string]> = [
    ...rosterMessages(),
    ['an XML declaration', `<?xml version="1.0" encoding="UTF-8"?>${event(NAME)}`],
    ['a single-quoted, standalone declaration and a line end', `<?xml version='1.0' encoding='utf-8' standalone='no' ?>\n${event(NAME)}`],
    ['laid out with spaces, tabs and line ends', event(NAME.replace(/></g, '>\n\t  <'))],
    ['single-quoted attributes and spaces around =', event(NAME.replace('Type="04"', "Type = '04'"), `xmlns='${NS}'  Version='2.4' `)],
    ['spaces before > and /> and in end tags', event(`${NAME}<MiddleName ></MiddleName ><Nickname />`)],
    ['empty elements, both ways', event(`${NAME}<MiddleName></MiddleName><PreferredName/>`)],
    ['the five predefined entities in text and attributes', event(NAME.replace('Lastname', 'O&apos;Brien &amp; &lt;Sons&gt; &quot;Jr&quot;').replace('"04"', '"0&amp;4"'))],
    ['> in text and in an attribute', event(NAME.replace('Lastname', 'a > b').replace('"04"', '"0>4"'))],
    ['a quote of the other kind inside a value', event(NAME.replace('"04"', `"it's"`).replace('Lastname', `say "hi"`))],
    ['white space as the only text of an element', event(`${NAME}<MiddleName>   </MiddleName>`)],
    ['text with an element in it (mixed content)', event(`${NAME}<Note>before<B>bold</B>after</Note>`)],
    ['a namespace prefix', event(NAME).replace(/<(\/?)(SIF_|StudentPersonal|Name|LastName|FirstName)/g, '<$1s:$2').replace(`xmlns="${NS}"`, `xmlns:s="${NS}"`)],
    ['xsi:nil with its namespace declared', event(`${NAME}<MiddleName xsi:nil="true"/>`, `xmlns="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Version="2.4"`)],
    ['a namespace declared on an inner element', event(`${NAME}<x:Extra xmlns:x="${NS}">1</x:Extra>`)],
    ['non-ASCII text', event(NAME.replace('Lastname', 'Muñoz-Nguyễn 李'))],
    ['names with digits, dots, dashes and underscores', event(`${NAME}<A1.b-c_d>1</A1.b-c_d>`)],
  ];
  for (const [what, text] of read) {
    it(`reads ${what} as the full path does`, () => {
      expect(readPlainSifXml(text)).toBeDefined();
      const plain = parseSifXml(text);
      expect(plain.kind).toBe('ok');
      expect(plain).toEqual(fullParse(text));
    });
  }

  it('leaves a well-formed message in a foreign namespace to the full path, which words the SIF_Error', () => {
    const text = event(NAME, 'xmlns="urn:other" Version="2.4"');
    expect(readPlainSifXml(text)).toBeUndefined();
    const plain = parseSifXml(text);
    expect(plain.kind === 'error' && [plain.error.category, plain.error.code]).toEqual([1, 3]);
    expect(plain).toEqual(fullParse(text));
  });

  const refused: Array<[string, string, number]> = [
    ['elements nested deeper than the limit', event(`${NAME}${'<A>'.repeat(70)}1${'</A>'.repeat(70)}`), 3],
    ['an attribute in an undeclared namespace', event(NAME.replace('Type="04"', 'Type="04" q:Kind="x"')), 3],
    ['a root other than SIF_Message', event(NAME).replace(/SIF_Message/g, 'SIF_Other'), 3],
  ];
  for (const [what, text, code] of refused) {
    it(`leaves a well-formed message with ${what} to the full path, which refuses it with 1/${code}`, () => {
      expect(readPlainSifXml(text)).toBeUndefined();
      const result = parseSifXml(text);
      expect(result.kind === 'error' && [result.error.category, result.error.code]).toEqual([1, code]);
      expect(result).toEqual(fullParse(text));
    });
  }

  const left: Array<[string, string]> = [
    ['a comment', event(`<!-- hi -->${NAME}`)],
    ['CDATA', event(NAME.replace('Lastname', '<![CDATA[Lastname]]>'))],
    ['a processing instruction', event(`<?pi x?>${NAME}`)],
    ['a declaration of another encoding', `<?xml version="1.0" encoding="ISO-8859-1"?>${event(NAME)}`],
    ['white space before the declaration', ` <?xml version="1.0"?>${event(NAME)}`],
    ['a character reference', event(NAME.replace('Lastname', 'L&#97;stname'))],
    ['a carriage return (XML normalizes line ends)', event(NAME.replace('><', '>\r\n<'))],
    ['a tab in an attribute value (XML normalizes it)', event(NAME.replace('"04"', '"0\t4"'))],
    ['a non-ASCII element name', event(`${NAME}<Náme>1</Náme>`)],
    ['a name with two colons', event(`${NAME}<a:b:c>1</a:b:c>`)],
    // Not well-formed, but the validator lets these two through: whatever it does, the reader leaves it to it.
    ['< in an attribute value', event(NAME.replace('"04"', '"0<4"'))],
    [']]> in text', event(NAME.replace('Lastname', 'a]]>b'))],
  ];
  for (const [what, text] of left) {
    it(`leaves a message with ${what} to the full path, with the same result`, () => {
      expect(readPlainSifXml(text)).toBeUndefined();
      expect(parseSifXml(text)).toEqual(fullParse(text));
    });
  }

  const malformed: Array<[string, string]> = [
    ['an end tag that does not match', event(NAME.replace('</FirstName>', '</LastName>'))],
    ['an unclosed element', event(NAME.replace('</FirstName>', ''))],
    ['an unclosed root', event(NAME).replace('</SIF_Message>', '')],
    ['a second root', `${event(NAME)}<SIF_Message/>`],
    ['text after the root', `${event(NAME)}x`],
    ['text before the root', `x${event(NAME)}`],
    ['an attribute twice', event(NAME.replace('Type="04"', 'Type="04" Type="05"'))],
    ['an unquoted attribute value', event(NAME.replace('"04"', '04'))],
    ['an attribute without a value', event(NAME.replace('Type="04"', 'Type'))],
    ['attributes without space between them', event(NAME.replace('Type="04"', 'Type="04"Kind="x"'))],
    ['a bare &', event(NAME.replace('Lastname', 'Smith & Sons'))],
    ['an undefined entity', event(NAME.replace('Lastname', '&nbsp;'))],
    ['a start tag cut off', event(NAME).slice(0, -30)],
    ['an empty body', ''],
  ];
  for (const [what, text] of malformed) {
    it(`refuses ${what} through the full path (not well-formed: 1/2)`, () => {
      expect(readPlainSifXml(text)).toBeUndefined();
      const result = parseSifXml(text);
      expect(result.kind === 'error' && [result.error.category, result.error.code]).toEqual([1, 2]);
    });
  }

  it('agrees with the full path on 3,000 random mutations of a message (seeded): whatever it accepts, the full path accepts the same way', () => {
    const base = `<?xml version="1.0" encoding="UTF-8"?>${event(`${NAME}<Demographics><Gender>F</Gender></Demographics><EmailList><Email Type="Primary">a&amp;b@example.org</Email></EmailList>`)}`;
    const pieces = ['<', '>', '/', '&', '&amp;', ';', '"', "'", '=', ' ', ':', 'x', '</a>', '<a>', '<a/>', '\n', '\t', '&#65;', '<!--c-->', 'é'];
    let seed = 20261124;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      let text = base;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length);
        const kind = random(3);
        if (kind === 0) text = text.slice(0, at) + text.slice(at + 1 + random(4));
        else if (kind === 1) text = text.slice(0, at) + pieces[random(pieces.length)]! + text.slice(at);
        else text = text.slice(0, at) + text.slice(at, at + 1 + random(12)) + text.slice(at);
      }
      if (readPlainSifXml(text) === undefined) continue;
      accepted += 1;
      expect({ text, result: parseSifXml(text) }).toEqual({ text, result: fullParse(text) });
    }
    // The mutations must leave some texts the reader takes, or the comparison above says nothing.
    expect(accepted).toBeGreaterThan(100);
  });
});
