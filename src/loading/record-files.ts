import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { linesOf } from './text-lines.js';

/**
 * Reading Ed-Fi records from files, in the forms `rex node load` accepts:
 *
 * - NDJSON (`.ndjson`, `.jsonl`): one `{"resource":"students","project":"ed-fi","document":{…}}`
 *   per line (the SyntheticRecord shape), streamed line by line so any size loads in flat memory;
 * - JSON (`.json`): an array of such records, or a single one;
 * - a file named after its resource (`students.json`, `studentSchoolAssociations.ndjson`) holding
 *   plain documents: the resource comes from the name.
 */

/** One record read from a file, with where it came from. */
export interface SourceRecord {
  kind: 'record';
  file: string;
  /** Line number (NDJSON) or 1-based item number in the array (JSON). */
  line: number;
  /** Where it came from, for messages: `file:line` (NDJSON) or `file#item` (JSON arrays). */
  at: string;
  resource: string;
  project: string;
  document: Record<string, unknown>;
}

/** An item that could not even be read as a record. */
export interface SourceError {
  kind: 'unreadable';
  file: string;
  line: number;
  at: string;
  resource?: string;
  problem: string;
}

/** How a file is read. */
export function fileFormat(file: string): 'ndjson' | 'json' {
  return /\.(ndjson|jsonl)$/i.test(file) ? 'ndjson' : 'json';
}

/** The resource a file of plain documents holds, from its name (`students.ndjson` → students). */
export function resourceFromFileName(file: string): { resource: string; project: string } | undefined {
  const stem = basename(file).replace(/\.(ndjson|jsonl|json)$/i, '');
  const match = /^(?:(ed-fi|rex)[._])?([A-Za-z][A-Za-z0-9]*)$/.exec(stem);
  return match ? { resource: match[2]!, project: match[1] ?? 'ed-fi' } : undefined;
}

/**
 * Yields every record of a file. `wanted`, when given, skips records of other
 * resources cheaply (NDJSON lines are not even parsed when their `resource`
 * field names another one), so a load can make one pass per dependency level.
 * Items that cannot be read as records are always yielded.
 */
export async function* readRecordFile(file: string, wanted?: (resource: string) => boolean): AsyncGenerator<SourceRecord | SourceError> {
  const fallback = resourceFromFileName(file);
  if (fileFormat(file) === 'ndjson') {
    yield* readNdjson(file, fallback, wanted);
    return;
  }
  yield* readJson(file, fallback, wanted);
}

async function* readNdjson(
  file: string,
  fallback: { resource: string; project: string } | undefined,
  wanted?: (resource: string) => boolean,
): AsyncGenerator<SourceRecord | SourceError> {
  let line = 0;
  for await (const text of linesOf(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }))) {
    line++;
    if (text.trim() === '') continue;
    const named = RESOURCE_FIELD.exec(text)?.[1] ?? fallback?.resource;
    if (wanted && named && !wanted(named)) continue;
    const item = toRecord(parseJson(text), `${file}:${line}`, file, line, fallback);
    if (item.kind === 'unreadable' && !item.resource && named) item.resource = named;
    if (!wanted || item.kind === 'unreadable' || wanted(item.resource)) yield item;
  }
}

async function* readJson(
  file: string,
  fallback: { resource: string; project: string } | undefined,
  wanted?: (resource: string) => boolean,
): AsyncGenerator<SourceRecord | SourceError> {
  const text = await readFile(file, 'utf8');
  const parsed = parseJson(text);
  if (parsed instanceof SyntaxError && /\}\s*\r?\n\s*\{/.test(text)) {
    // Not one JSON value but several objects on separate lines: NDJSON in a .json file.
    yield* readNdjson(file, fallback, wanted);
    return;
  }
  if (parsed instanceof SyntaxError) {
    yield { kind: 'unreadable', file, line: 1, at: file, problem: `not valid JSON: ${parsed.message}` };
    return;
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  for (let i = 0; i < items.length; i++) {
    const item = toRecord(items[i], `${file}#${i + 1}`, file, i + 1, fallback);
    if (item.kind === 'unreadable' || !wanted || wanted(item.resource)) yield item;
  }
}

/** A cheap look at a line's `resource` field, before deciding to parse it. */
const RESOURCE_FIELD = /"resource"\s*:\s*"([^"\\]+)"/;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return error instanceof SyntaxError ? error : new SyntaxError(String(error));
  }
}

function toRecord(value: unknown, at: string, file: string, line: number, fallback: { resource: string; project: string } | undefined): SourceRecord | SourceError {
  if (value instanceof SyntaxError) return { kind: 'unreadable', file, line, at, problem: `not valid JSON: ${value.message}` };
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { kind: 'unreadable', file, line, at, problem: 'a record must be a JSON object' };
  const object = value as Record<string, unknown>;
  if (typeof object.resource === 'string' && object.document !== undefined) {
    const document = object.document;
    if (!document || typeof document !== 'object' || Array.isArray(document)) {
      return { kind: 'unreadable', file, line, at, resource: object.resource, problem: '"document" must be a JSON object' };
    }
    const project = typeof object.project === 'string' ? object.project : 'ed-fi';
    return { kind: 'record', file, line, at, resource: object.resource, project, document: document as Record<string, unknown> };
  }
  if (!fallback) {
    return { kind: 'unreadable', file, line, at, problem: 'no resource: give {"resource", "document"} records, or name the file after its resource (e.g. students.ndjson)' };
  }
  return { kind: 'record', file, line, at, resource: fallback.resource, project: fallback.project, document: object };
}
