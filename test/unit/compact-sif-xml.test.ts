import { describe, expect, it } from 'vitest';
import { readCompactSifXml } from '../../src/sif/compact-sif-xml.js';
import { parseSifXml } from '../../src/sif/json-mapping.js';

const NS = 'http://www.sifinfo.org/infrastructure/2.x';
const header = (gap = '') =>
  `<SIF_Header>${gap}<SIF_MsgId>0123456789ABCDEF0123456789ABCDEF</SIF_MsgId>${gap}<SIF_Timestamp>2026-11-24T06:00:00-07:00</SIF_Timestamp>${gap}<SIF_SourceId>Pull.Agent_1</SIF_SourceId>${gap}</SIF_Header>`;
const getMessage = (gap = '', root = `xmlns="${NS}" Version="2.4"`, control = '<SIF_GetMessage/>') =>
  `<SIF_Message ${root}>${gap}<SIF_SystemControl>${gap}${header(gap)}${gap}<SIF_SystemControlData>${gap}${control}${gap}</SIF_SystemControlData>${gap}</SIF_SystemControl>${gap}</SIF_Message>`;
const statusAck = (gap = '', status = '<SIF_Code>1</SIF_Code>', original = 'FEDCBA9876543210FEDCBA9876543210') =>
  `<SIF_Message xmlns="${NS}" Version="2.4">${gap}<SIF_Ack>${gap}${header(gap)}${gap}<SIF_OriginalSourceId>PUB</SIF_OriginalSourceId>${gap}<SIF_OriginalMsgId>${original}</SIF_OriginalMsgId>${gap}<SIF_Status>${gap}${status}${gap}</SIF_Status>${gap}</SIF_Ack>${gap}</SIF_Message>`;

/** What the full parser makes of a text: a comment before the root keeps it off the shortcut and means nothing to the result. */
function fullParse(text: string) {
  const result = parseSifXml(text.replace('<SIF_Message', '<!-- to the full parser --><SIF_Message'));
  if (result.kind !== 'ok') throw new Error(`${result.error.category}/${result.error.code} ${result.error.extendedDesc}`);
  return result.value;
}

describe('compact SIF_GetMessage and SIF_Ack', () => {
  const read = [
    ['a compact SIF_GetMessage', getMessage()],
    ['one laid out with spaces, tabs and line ends', getMessage('\r\n\t  ')],
    ['Version before xmlns', getMessage('', `Version="2.3" xmlns="${NS}"`)],
    ['an empty element with a space', getMessage('', undefined, '<SIF_GetMessage />')],
    ['one with the XML declaration our own agents write', `<?xml version="1.0" encoding="UTF-8"?>${getMessage()}`],
    ['one with a single-quoted, standalone declaration and a line end', `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n${getMessage()}`],
    ['a compact status ack', statusAck()],
    ['a status ack with a declaration', `<?xml version="1.0"?>${statusAck()}`],
    ['a laid-out status ack with status 3', statusAck('\n  ', '<SIF_Code>3</SIF_Code>')],
  ] as const;
  for (const [what, text] of read) {
    it(`reads ${what} exactly as the full parser does`, () => {
      const compact = readCompactSifXml(text);
      expect(compact).toBeDefined();
      expect(compact).toEqual(fullParse(text));
    });
  }

  const left = [
    ['a declaration of another encoding', `<?xml version="1.0" encoding="ISO-8859-1"?>${getMessage()}`],
    ['a declaration of XML 1.1', `<?xml version="1.1"?>${getMessage()}`],
    ['white space before the declaration', ` <?xml version="1.0"?>${getMessage()}`],
    ['a processing instruction', `<?xml-stylesheet href="x"?>${getMessage()}`],
    ['a comment', getMessage().replace('<SIF_SystemControl>', '<SIF_SystemControl><!-- hi -->')],
    ['an entity in a value', statusAck('', '<SIF_Code>1</SIF_Code>', 'FEDCBA&#57;876543210FEDCBA9876543210')],
    ['CDATA', statusAck('', '<SIF_Code><![CDATA[1]]></SIF_Code>')],
    ['a namespace prefix', getMessage().replace(/<(\/?)SIF_/g, '<$1s:SIF_').replace(`xmlns="${NS}"`, `xmlns:s="${NS}"`)],
    ['a foreign namespace', getMessage('', 'xmlns="urn:other" Version="2.4"')],
    ['another system control', getMessage('', undefined, '<SIF_Ping/>')],
    ['an ack with SIF_Desc', statusAck('', '<SIF_Code>1</SIF_Code><SIF_Desc>ok</SIF_Desc>')],
    ['an ack with a SIF_Error', statusAck().replace(/<SIF_Status>.*<\/SIF_Status>/, '<SIF_Error><SIF_Category>1</SIF_Category><SIF_Code>2</SIF_Code><SIF_Desc>x</SIF_Desc></SIF_Error>')],
    ['a header with SIF_DestinationId', getMessage().replace('</SIF_SourceId>', '</SIF_SourceId><SIF_DestinationId>ZIS</SIF_DestinationId>')],
    ['a no-break space between elements (not XML white space)', getMessage('\u00a0')],
    ['single-quoted attributes', getMessage('', `xmlns='${NS}' Version='2.4'`)],
    ['text after the root', `${getMessage()}x`],
    ['an unclosed root', getMessage().replace('</SIF_Message>', '')],
  ] as const;
  for (const [what, text] of left) {
    it(`leaves a message with ${what} to the full parser`, () => {
      expect(readCompactSifXml(text)).toBeUndefined();
    });
  }

  it('leaves malformed look-alikes to the full parser, which refuses them as before', () => {
    const result = parseSifXml(getMessage().replace('</SIF_Header>', '</SIF_Headr>'));
    expect(result.kind === 'error' && `${result.error.category}/${result.error.code}`).toBe('1/2');
  });
});
