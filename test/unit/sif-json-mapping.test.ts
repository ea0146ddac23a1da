import { describe, expect, it } from 'vitest';
import { buildSifXml, checkSifJson, parseSifXml, type SifJsonDocument } from '../../src/sif/json-mapping.js';
import { decodeSif, encodeSif } from '../../src/sif/sif-codec.js';
import { writeSifMessage } from '../../src/sif/sif-write.js';
import { everyMessage } from '../support/sif-samples.js';

function parsed(xml: string | Buffer): SifJsonDocument {
  const result = parseSifXml(xml);
  if (result.kind !== 'ok') throw new Error(`${result.error.category}/${result.error.code} ${result.error.extendedDesc}`);
  return result.value;
}

function refusal(xml: string | Buffer, limits = {}) {
  const result = parseSifXml(xml, limits);
  if (result.kind === 'ok') throw new Error('expected a refusal');
  return result.error;
}

const NS = 'http://www.sifinfo.org/infrastructure/2.x';
const ping = (inner = '') =>
  `<SIF_Message xmlns="${NS}" Version="2.4"><SIF_SystemControl><SIF_Header><SIF_MsgId>0123456789ABCDEF0123456789ABCDEF</SIF_MsgId><SIF_Timestamp>2026-11-23T06:00:00Z</SIF_Timestamp><SIF_SourceId>A${inner}</SIF_SourceId></SIF_Header><SIF_SystemControlData><SIF_Ping/></SIF_SystemControlData></SIF_SystemControl></SIF_Message>`;

describe('XML ↔ JSON mapping', () => {
  it('round-trips every message: XML → JSON → XML is identical and JSON → XML → JSON is equal', () => {
    for (const [name, message] of Object.entries(everyMessage())) {
      const json = writeSifMessage(message);
      const xml = buildSifXml(json);
      const back = parsed(xml);
      expect(back, name).toEqual(json);
      expect(buildSifXml(back), name).toBe(xml);
    }
  });

  it('maps attributes to @names, text with attributes to #text, repeatables to arrays', () => {
    const json = writeSifMessage(everyMessage()['extendedRequest']!);
    const request = parsed(buildSifXml(json)).SIF_Message['SIF_Request'] as any;
    expect(request.SIF_Version).toEqual(['2.4']);
    expect(request.SIF_ExtendedQuery.SIF_Select.SIF_Element).toEqual([{ '@ObjectName': 'StudentPersonal', '#text': 'Name/LastName' }]);
    expect(request.SIF_ExtendedQuery.SIF_Select['@RowCount']).toBe('All');
  });

  it('accepts any namespace prefix, keeps text exactly and decodes entities and character references', () => {
    const xml = `<?xml version="1.0"?><!-- hi --><s:SIF_Message xmlns:s="${NS}" Version="2.4"><s:SIF_Event><s:SIF_Header><s:SIF_MsgId>0123456789ABCDEF0123456789ABCDEF</s:SIF_MsgId><s:SIF_Timestamp>2026-11-23T06:00:00Z</s:SIF_Timestamp><s:SIF_SourceId>A</s:SIF_SourceId></s:SIF_Header><s:SIF_ObjectData><s:SIF_EventObject ObjectName="StudentPersonal" Action="Add"><StudentPersonal xmlns="${NS}" RefId="A1B2C3D4E5F60718293A4B5C6D7E8F90"><LocalId> 007 &amp; &#x41;&#66;<![CDATA[<x>]]></LocalId></StudentPersonal></s:SIF_EventObject></s:SIF_ObjectData></s:SIF_Event></s:SIF_Message>`;
    const event = parsed(xml).SIF_Message['SIF_Event'] as any;
    expect(event.SIF_ObjectData.SIF_EventObject.StudentPersonal.LocalId).toBe(' 007 & AB<x>');
  });

  it('writes XML with the five special characters escaped, empty elements closed and namespaces declared on the root only', () => {
    const tricky = `a & b < c > d "e" 'f'`;
    const xml = buildSifXml({
      SIF_Message: {
        '@Version': '2.4',
        '@xmlns': 'urn:not-carried',
        SIF_Event: {
          SIF_Header: { SIF_MsgId: '0123456789ABCDEF0123456789ABCDEF', SIF_SourceId: tricky },
          SIF_ObjectData: {
            SIF_EventObject: {
              '@ObjectName': 'StudentPersonal',
              '@Action': 'Add',
              StudentPersonal: { '@RefId': tricky, LocalId: '', Name: { '@Type': '04', '@xmlns:x': 'urn:x' }, BirthDate: { '@xsi:nil': 'true' }, Alias: ['1', { '#text': tricky }] },
            },
          },
        },
      },
    });
    const escaped = 'a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;';
    expect(xml).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><SIF_Message xmlns="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" Version="2.4"><SIF_Event>` +
        `<SIF_Header><SIF_MsgId>0123456789ABCDEF0123456789ABCDEF</SIF_MsgId><SIF_SourceId>${escaped}</SIF_SourceId></SIF_Header>` +
        `<SIF_ObjectData><SIF_EventObject ObjectName="StudentPersonal" Action="Add"><StudentPersonal RefId="${escaped}"><LocalId/><Name Type="04"/><BirthDate xsi:nil="true"/><Alias>1</Alias><Alias>${escaped}</Alias></StudentPersonal></SIF_EventObject></SIF_ObjectData>` +
        `</SIF_Event></SIF_Message>`,
    );
    const event = parsed(xml).SIF_Message['SIF_Event'] as any;
    expect(event.SIF_Header.SIF_SourceId).toBe(tricky);
    expect(event.SIF_ObjectData.SIF_EventObject.StudentPersonal['@RefId']).toBe(tricky);
    expect(buildSifXml({ SIF_Message: { SIF_Ack: { SIF_Status: { SIF_Code: '1' } } } })).not.toContain('xmlns:xsi');
  });

  it('refuses DOCTYPE and ENTITY declarations before parsing (no expansion, no external fetch)', () => {
    const billion = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>${ping('&lol2;')}`;
    const external = `<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:1/evil.dtd">${ping()}`;
    for (const xml of [billion, external, ping().replace('<SIF_Ping/>', '<SIF_Ping/><!ENTITY x "y">')]) {
      expect(refusal(xml)).toMatchObject({ category: 1, code: 3 });
    }
  });

  it('refuses malformed XML, undefined entities, bad UTF-8 and a bare ampersand with 1/2', () => {
    expect(refusal('<SIF_Message><a></SIF_Message>')).toMatchObject({ category: 1, code: 2 });
    expect(refusal(ping('&nbsp;'))).toMatchObject({ category: 1, code: 2 });
    expect(refusal(ping('& b'))).toMatchObject({ category: 1, code: 2 });
    expect(refusal(Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x3e]))).toMatchObject({ category: 1, code: 2 });
    expect(refusal('')).toMatchObject({ category: 1 });
  });

  it('refuses foreign namespaces, a wrong root and deep nesting with 1/3; oversized bodies with 12/1', () => {
    expect(refusal(`<SIF_Message Version="2.4"/>`)).toMatchObject({ category: 1, code: 3 });
    expect(refusal(`<Other xmlns="${NS}"/>`)).toMatchObject({ category: 1, code: 3 });
    expect(refusal(ping().replace('<SIF_Ping/>', '<SIF_Ping xmlns="urn:other"/>'))).toMatchObject({ category: 1, code: 3 });
    const deep = `<SIF_Message xmlns="${NS}">${'<a>'.repeat(80)}${'</a>'.repeat(80)}</SIF_Message>`;
    expect(refusal(deep)).toMatchObject({ category: 1, code: 3 });
    expect(refusal(ping(), { maxBytes: 100 })).toMatchObject({ category: 12, code: 1 });
  });

  it('checks the JSON form: one SIF_Message property, strings/objects/arrays, valid names', () => {
    expect(checkSifJson({ SIF_Message: { '@Version': '2.4' } }).kind).toBe('ok');
    for (const bad of [[], { a: 1 }, { SIF_Message: { x: 1 } }, { SIF_Message: { 'bad name': '' } }, { SIF_Message: { a: [[{}]] } }, { SIF_Message: { '@a': {} } }]) {
      expect(checkSifJson(bad)).toMatchObject({ kind: 'error', error: { category: 1, code: 3 } });
    }
    // The refusal says where the problem is.
    const nested = { SIF_Message: { SIF_Header: { SIF_Security: [{ '@ok': 'x' }, { 'bad name': '' }] } } };
    expect(checkSifJson(nested)).toMatchObject({ error: { extendedDesc: expect.stringContaining('SIF_Message/SIF_Header/SIF_Security/bad name: not a valid element name') } });
    expect(checkSifJson({ SIF_Message: { a: { '@b': 1 } } })).toMatchObject({ error: { extendedDesc: expect.stringContaining('SIF_Message/a/@b: must be a string') } });
  });

  it('decodes the same message from XML and JSON to the same typed model', () => {
    for (const [name, message] of Object.entries(everyMessage())) {
      const fromXml = decodeSif(encodeSif(message, 'xml'), 'xml');
      const fromJson = decodeSif(Buffer.from(encodeSif(message, 'json')), 'json');
      expect(fromXml.kind, name).toBe('ok');
      expect(fromJson.kind, name).toBe('ok');
      if (fromXml.kind === 'ok' && fromJson.kind === 'ok') {
        expect(fromXml.message, name).toEqual(message);
        expect(fromJson.message, name).toEqual(message);
      }
    }
  });

  it('refuses malformed JSON with 1/2', () => {
    expect(decodeSif('{"SIF_Message":', 'json')).toMatchObject({ kind: 'error', error: { category: 1, code: 2 } });
    // Bytes that are not UTF-8, between good bodies: the decoder is shared and keeps no state from one body to the next.
    const good = Buffer.from(encodeSif(everyMessage().ping!, 'json'));
    expect(decodeSif(good.subarray(0, good.length - 2), 'json').kind).toBe('error');
    expect(decodeSif(Buffer.concat([Buffer.from('{"SIF_Message":"'), Buffer.from([0xe2, 0x82]), Buffer.from('"}')]), 'json')).toMatchObject({ error: { category: 1, code: 2 } });
    expect(decodeSif(good, 'json').kind).toBe('ok');
  });
});
