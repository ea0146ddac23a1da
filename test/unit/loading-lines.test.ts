import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { linesOf } from '../../src/loading/text-lines.js';

async function lines(chunks: Array<string | Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of linesOf(Readable.from(chunks, { objectMode: true }))) out.push(line);
  return out;
}

describe('NDJSON line splitting', () => {
  it('splits LF and CRLF lines across chunk boundaries and keeps a last line without newline', async () => {
    expect(await lines(['{"a":1}\n{"b"', ':2}\r\n\n{"c":3}'])).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
    expect(await lines(['x\r', '\ny\n'])).toEqual(['x', 'y']);
  });

  it('decodes UTF-8 characters split between buffers', async () => {
    const bytes = Buffer.from('{"n":"Zoë Nuñez"}\n', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1;
    expect(await lines([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(['{"n":"Zoë Nuñez"}']);
  });
});
