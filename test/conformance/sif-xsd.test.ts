import { describe, expect, it } from 'vitest';
import { buildSifXml, parseSifXml } from '../../src/sif/json-mapping.js';
import { encodeSif } from '../../src/sif/sif-codec.js';
import { everyMessage } from '../support/sif-samples.js';
import { canonicalXml, validateAgainstSifXsd } from '../support/xsd-validate.js';

describe('SIF messages we emit validate against the official US 2.4 XSD', () => {
  it('every message type, every ack status, ACL, zone status and error ack', () => {
    const documents = Object.fromEntries(Object.entries(everyMessage()).map(([name, message]) => [name, encodeSif(message, 'xml')]));
    expect(Object.keys(documents).length).toBeGreaterThan(30);
    expect(validateAgainstSifXsd(documents)).toEqual({});
  });

  it('catches an invalid document (the check is real)', () => {
    const broken = encodeSif(everyMessage()['ping']!, 'xml').replace('<SIF_Ping/>', '<SIF_Pong/>');
    expect(Object.keys(validateAgainstSifXsd({ broken }))).toEqual(['broken']);
  });

  it('XML → JSON → XML keeps the canonical form, for prefixed and pretty-printed input', () => {
    const xml = encodeSif(everyMessage()['response']!, 'xml');
    const pretty = xml
      .replace('<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x"', '<sif:SIF_Message xmlns:sif="http://www.sifinfo.org/infrastructure/2.x"')
      .replace(/<(\/?)(?!sif:|\?)([A-Za-z_])/g, '<$1sif:$2')
      .replace(/></g, '>\n  <');
    const parsed = parseSifXml(pretty);
    if (parsed.kind !== 'ok') throw new Error(parsed.error.extendedDesc);
    const rebuilt = buildSifXml(parsed.value);
    expect(canonicalXml(rebuilt)).toBe(canonicalXml(xml));
    expect(validateAgainstSifXsd({ pretty, rebuilt })).toEqual({});
  });
});
