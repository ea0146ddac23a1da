import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duration, ProgressBar } from '../../src/loading/progress.js';
import { readRecordFile, resourceFromFileName, type SourceError, type SourceRecord } from '../../src/loading/record-files.js';

const dir = mkdtempSync(join(tmpdir(), 'rex-loading-files-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function all(path: string, wanted?: (resource: string) => boolean): Promise<Array<SourceRecord | SourceError>> {
  const items: Array<SourceRecord | SourceError> = [];
  for await (const item of readRecordFile(path, wanted)) items.push(item);
  return items;
}

describe('reading record files', () => {
  it('reads NDJSON records line by line, reporting unreadable lines with file:line and skipping blank ones', async () => {
    const path = file(
      'mixed.ndjson',
      [
        '{"resource":"students","project":"ed-fi","document":{"studentUniqueId":"1"}}',
        '',
        '{"resource":"schools","document":{"schoolId":5}}',
        '{not json',
        '{"resource":"students","document":[]}',
      ].join('\n'),
    );
    const items = await all(path);
    expect(items.map((i) => [i.kind, i.line, i.at])).toEqual([
      ['record', 1, `${path}:1`],
      ['record', 3, `${path}:3`],
      ['unreadable', 4, `${path}:4`],
      ['unreadable', 5, `${path}:5`],
    ]);
    expect(items[1]).toMatchObject({ resource: 'schools', project: 'ed-fi', document: { schoolId: 5 } });
    expect((items[2] as SourceError).problem).toMatch(/^not valid JSON/);
  });

  it('skips other resources cheaply when asked for some', async () => {
    const path = file('two.jsonl', '{"resource":"students","document":{}}\n{"resource":"schools","document":{}}\n');
    expect((await all(path, (r) => r === 'schools')).map((i) => i.line)).toEqual([2]);
  });

  it('reads JSON arrays, single records and plain documents named by their file', async () => {
    const array = file('batch.json', JSON.stringify([{ resource: 'schools', document: { schoolId: 1 } }, 42]));
    expect((await all(array)).map((i) => [i.kind, i.at])).toEqual([
      ['record', `${array}#1`],
      ['unreadable', `${array}#2`],
    ]);
    const plain = file('studentSchoolAssociations.json', JSON.stringify([{ entryDate: '2025-08-01' }]));
    expect(await all(plain)).toMatchObject([{ kind: 'record', resource: 'studentSchoolAssociations', project: 'ed-fi', document: { entryDate: '2025-08-01' } }]);
    const ext = file('rex.studentHealthConditions.ndjson', '{"studentReference":{"studentUniqueId":"1"}}\n');
    expect(await all(ext)).toMatchObject([{ resource: 'studentHealthConditions', project: 'rex' }]);
    const ndjsonInJson = file('records.json', '{"resource":"schools","document":{}}\n{"resource":"students","document":{}}\n');
    expect((await all(ndjsonInJson)).map((i) => i.kind)).toEqual(['record', 'record']);
    expect(resourceFromFileName('/x/my data.json')).toBeUndefined();
  });
});

describe('progress bar', () => {
  it('shows done/total, rate and time left, and prints messages above the bar', () => {
    let now = 0;
    const written: string[] = [];
    const bar = new ProgressBar({ label: 'loading', total: 1000, output: { write: (t: string) => written.push(t), isTTY: false }, intervalMs: 1000, now: () => now });
    now = 2000;
    bar.tick(100);
    expect(written.at(-1)).toBe('loading  10.0%  100/1,000  50/s  ETA 18s\n');
    bar.log('students.ndjson:7 students: rejected');
    expect(written.at(-1)).toBe('students.ndjson:7 students: rejected\n');
    now = 4000;
    bar.tick(900);
    expect(bar.finish()).toBe(250);
    expect(written.at(-1)).toBe('loading: 1,000 in 4s (250/s)\n');
  });

  it('redraws one line in place on a TTY', () => {
    let now = 0;
    const written: string[] = [];
    const bar = new ProgressBar({ label: 'seed', total: 10, output: { write: (t: string) => written.push(t), isTTY: true, columns: 100 }, now: () => now });
    now = 500;
    bar.tick(5);
    expect(written.at(-1)).toMatch(/^\r\x1b\[2Kseed \[█{15}░{15}\]  50\.0%  5\/10  10\/s  ETA 1s$/);
    expect(duration(3725)).toBe('1h02m');
    expect(duration(65)).toBe('1m05s');
    expect(duration(Infinity)).toBe('?');
  });
});

describe('dependency levels of the data standard', () => {
  it('puts every resource above the ones it references, abstract targets standing for their subclasses', async () => {
    const { edfiSpec } = await import('../../src/edfi/edfi-spec.js');
    const { dependencyLevels } = await import('../../src/loading/load-order.js');
    const model = edfiSpec().model;
    const levels = dependencyLevels(model);
    expect(levels.get('ed-fi/sexDescriptors')).toBe(0);
    expect(levels.get('ed-fi/students')).toBeLessThan(levels.get('ed-fi/studentSchoolAssociations')!);
    expect(levels.get('ed-fi/localEducationAgencies')).toBeLessThan(levels.get('ed-fi/schools')!);
    expect(levels.get('ed-fi/schools')).toBeLessThan(levels.get('ed-fi/courses')!); // courses reference educationOrganizations
    for (const [key, resource] of Object.entries(model.resources)) {
      for (const reference of resource.references) {
        const target = levels.get(reference.target);
        if (target !== undefined && reference.target !== key) expect(levels.get(key)!, `${key} → ${reference.target}`).toBeGreaterThan(target);
      }
    }
  });
});
