import type { Readable } from 'node:stream';
import { linesOf } from './text-lines.js';
import type { RecordInput, RecordOutcome, RecordWriter } from './record-writer.js';
import { edfiFailure, edfiProblem } from '../edfi/edfi-problem.js';
import { randomUUID } from 'node:crypto';

/**
 * The bulk endpoint's work, free of HTTP: NDJSON records in, one NDJSON
 * result per record out (`{"line":3,"status":201,"id":"…"}` or
 * `{"line":4,"status":409,"problem":{…}}`), in input order. Input is read
 * line by line and written in batches, so memory stays flat however large
 * the upload.
 */

/** Records per batch written together. */
const BATCH = 500;

/** One result line. */
export type BulkResult = { line: number } & RecordOutcome;

/** Reads NDJSON records from `input` and calls `emit` with each result line (JSON text with its newline). */
export async function runBulk(input: Readable, writer: RecordWriter, emit: (text: string) => void): Promise<{ records: number; rejected: number }> {
  let batch: Array<{ line: number; record: RecordInput }> = [];
  const early: BulkResult[] = [];
  const totals = { records: 0, rejected: 0 };
  const send = (result: BulkResult) => {
    totals.records++;
    if (result.status >= 300) totals.rejected++;
    emit(`${JSON.stringify(result)}\n`);
  };
  // Pipelined: the next batch is validated while the previous one is being written; its write
  // starts only once the previous one committed (order, and references to earlier lines).
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    const lines = batch;
    const unreadable = early.splice(0);
    batch = [];
    const prepared = await writer.prepare(lines.map((b) => b.record));
    await inFlight;
    inFlight = writer.commit(prepared).then((outcomes) => {
      // Unreadable lines are answered in order with the batch they arrived in.
      const results: BulkResult[] = [...unreadable, ...lines.map((b, i) => ({ line: b.line, ...outcomes[i]! }))].sort((a, b) => a.line - b.line);
      results.forEach(send);
    });
  };
  let n = 0;
  for await (const text of linesOf(input)) {
    n++;
    if (text.trim() === '') continue;
    const parsed = readLine(text);
    if ('status' in parsed) early.push({ line: n, ...parsed });
    else batch.push({ line: n, record: parsed });
    if (batch.length + early.length >= BATCH) await flush();
  }
  await flush();
  await inFlight;
  return totals;
}

function readLine(text: string): RecordInput | RecordOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem(`The line is not valid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return problem('Each line must be a JSON object {"resource", "project", "document"}.');
  const { resource, project, document } = value as Record<string, unknown>;
  if (typeof resource !== 'string' || resource === '') return problem('"resource" is required: the resource name, e.g. "students".');
  if (project !== undefined && typeof project !== 'string') return problem('"project" must be a string: "ed-fi" or "rex".');
  if (!document || typeof document !== 'object' || Array.isArray(document)) return problem('"document" is required and must be a JSON object.');
  return { resource, project: project ?? 'ed-fi', document };
}

function problem(detail: string): RecordOutcome {
  const p = edfiProblem(edfiFailure('bad-request', detail), randomUUID());
  return { status: p.status, problem: p };
}
