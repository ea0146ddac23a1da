import type { MikroORM } from '@mikro-orm/postgresql';
import type { EdfiProblem } from '../edfi/edfi-problem.js';
import type { EdfiSpec } from '../edfi/edfi-spec.js';
import { iterateSyntheticDistrict, type SyntheticDistrictOptions } from '../seed/synthetic-district.js';
import type { ProgressBar } from './progress.js';
import { readRecordFile, type SourceError, type SourceRecord } from './record-files.js';
import { RecordWriter, type RecordOutcome } from './record-writer.js';

/**
 * The loads behind `rex node seed` and `rex node load`: records stream
 * through a {@link RecordWriter} in batches, with progress and a report of
 * every rejected record; a rejected record never stops the load.
 */

/** Records per batch: a batch is written level by level, so bigger batches mean fewer, fuller statements. */
const BATCH = 2500;

/** A record that was not loaded, and why. */
export interface Rejection {
  /** Where it came from: `file:line`, `file#item`, or `synthetic #n`. */
  at: string;
  resource?: string;
  status: number;
  /** One line: the problem's title, detail and validation errors. */
  reason: string;
}

/** What a load did. */
export interface LoadSummary {
  created: number;
  updated: number;
  rejected: number;
}

/** Hooks of a load: progress and rejections. */
export interface LoadHooks {
  progress?: ProgressBar;
  onRejected?: (rejection: Rejection) => void;
}

/**
 * Loads the deterministic synthetic district. The generator yields records
 * in dependency order, so one pass suffices. Progress counts students.
 */
export async function seedSyntheticDistrict(orm: MikroORM, spec: EdfiSpec, options: SyntheticDistrictOptions, hooks: LoadHooks = {}): Promise<LoadSummary> {
  const writer = new RecordWriter(orm, spec);
  const summary: LoadSummary = { created: 0, updated: 0, rejected: 0 };
  let batch: Array<{ record: SourceRecord; student: boolean }> = [];
  let n = 0;
  // Pipelined as the bulk endpoint: validate the next batch while the previous one is written.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    const current = batch;
    batch = [];
    const records = current.map((b) => b.record);
    const prepared = await writer.prepare(records);
    await inFlight;
    inFlight = writer.commit(prepared).then((outcomes) => {
      tally(summary, records, outcomes, hooks);
      hooks.progress?.tick(current.filter((b) => b.student).length);
    });
  };
  for (const record of iterateSyntheticDistrict(options)) {
    n++;
    const source: SourceRecord = { kind: 'record', file: 'synthetic', line: n, at: `synthetic #${n}`, ...record };
    batch.push({ record: source, student: record.resource === 'students' });
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  await inFlight;
  await refreshStatistics(orm, summary);
  return summary;
}

/**
 * Loads Ed-Fi records from files in dependency order, whatever order the
 * files are in: a first pass counts the records of each resource (cheaply:
 * NDJSON lines are not parsed), then one pass per dependency level present
 * loads that level's records.
 */
export async function loadRecordFiles(orm: MikroORM, spec: EdfiSpec, files: readonly string[], hooks: LoadHooks = {}): Promise<LoadSummary> {
  const writer = new RecordWriter(orm, spec);
  const summary: LoadSummary = { created: 0, updated: 0, rejected: 0 };
  const reported = new Set<string>();
  const reportUnreadable = (item: SourceError) => {
    if (reported.has(item.at)) return;
    reported.add(item.at);
    summary.rejected++;
    hooks.progress?.tick();
    hooks.onRejected?.({ at: item.at, resource: item.resource, status: 400, reason: item.problem });
  };
  const perLevel = new Map<number, number>();
  for (const file of files) {
    for await (const item of readRecordFile(file, (resource) => (count(perLevel, writer.levelOfName(resource)), false))) {
      if (item.kind === 'unreadable') {
        count(perLevel, -1);
        reportUnreadable(item);
      } else count(perLevel, writer.levelOfName(item.resource));
    }
  }
  hooks.progress?.setTotal([...perLevel.values()].reduce((a, b) => a + b, 0));
  for (const level of [...perLevel.keys()].filter((l) => l >= 0).sort((a, b) => a - b)) {
    let batch: SourceRecord[] = [];
    const flush = async () => {
      tally(summary, batch, await writer.write(batch), hooks);
      hooks.progress?.tick(batch.length);
      batch = [];
    };
    for (const file of files) {
      // Levels go by resource name, known before parsing; the writer refuses unknown resources (404).
      for await (const item of readRecordFile(file, (resource) => writer.levelOfName(resource) === level)) {
        if (item.kind === 'unreadable') reportUnreadable(item);
        else batch.push(item);
        if (batch.length >= BATCH) await flush();
      }
    }
    if (batch.length > 0) await flush();
  }
  await refreshStatistics(orm, summary);
  return summary;
}

/**
 * After a big load the planner's statistics lag until autovacuum analyzes the
 * table (up to a minute); a paging read right after `seed` would meanwhile
 * sort whole resources instead of walking the paging index.
 */
async function refreshStatistics(orm: MikroORM, summary: LoadSummary): Promise<void> {
  if (summary.created + summary.updated >= 1000) await orm.em.fork().execute('ANALYZE edfi_document');
}

/** One line describing a problem: title, detail, validation errors and errors. */
export function describeProblem(problem: EdfiProblem): string {
  const validation = Object.entries(problem.validationErrors).map(([path, messages]) => `${path} ${messages.join(' ')}`);
  return [`${problem.title}: ${problem.detail}`, ...validation, ...problem.errors].join(' | ');
}

function tally(summary: LoadSummary, records: readonly SourceRecord[], outcomes: readonly RecordOutcome[], hooks: LoadHooks): void {
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 201) summary.created++;
    else if (outcome.status === 200) summary.updated++;
    else {
      summary.rejected++;
      const record = records[i]!;
      const reason = 'problem' in outcome ? describeProblem(outcome.problem) : String(outcome.status);
      hooks.onRejected?.({ at: record.at, resource: record.resource, status: outcome.status, reason });
    }
  });
}

function count(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Seeds the synthetic district once: when the node holds no student yet
 * (the sandbox's first start). Returns the summary, or undefined when the
 * node already had students.
 */
export async function seedIfEmpty(orm: MikroORM, spec: EdfiSpec, options: SyntheticDistrictOptions, hooks: LoadHooks = {}): Promise<LoadSummary | undefined> {
  const existing = await orm.em.fork().execute(`SELECT 1 FROM edfi_document WHERE resource = 'ed-fi/students' LIMIT 1`);
  if (existing.length > 0) return undefined;
  return seedSyntheticDistrict(orm, spec, options, hooks);
}
