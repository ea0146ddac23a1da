import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { prepareDocument, type PreparedDocument } from '../edfi/document-identity.js';
import { edfiFailure, edfiProblem, isEdfiFailure, type EdfiFailure, type EdfiProblem } from '../edfi/edfi-problem.js';
import type { EdfiSpec } from '../edfi/edfi-spec.js';
import { resourceKey } from '../edfi/resource-model.js';
import { upsertDocument, type UpsertResult } from '../records/document-store.js';
import { upsertDocuments } from '../records/batch-upsert.js';
import { scopedRecordOf, type RecordScope } from '../clients/record-scope.js';
import { dependencyLevels } from './load-order.js';

/**
 * Writes many Ed-Fi records fast, for `rex node seed`, `rex node load` and
 * the bulk endpoint: each record is validated and upserted exactly as a POST
 * would be (same engine, same problems), but records are written in batches,
 * one transaction (one commit) per batch, several batches at once.
 *
 * Order: within a batch, records are grouped by dependency level and the
 * levels are written one after the other, so a record may reference any
 * record earlier in the stream (in an earlier batch, or in this one at a
 * lower level). Records of one level never reference each other, so a
 * level's records are spread over `concurrency` connections.
 */

/** A record to write. */
export interface RecordInput {
  resource: string;
  /** `ed-fi` (default) or `rex`. */
  project?: string;
  document: unknown;
}

/** The outcome of one record: 201 created, 200 updated, or a problem. */
export type RecordOutcome = { status: 200 | 201; id: string } | { status: number; problem: EdfiProblem };

/** Fewest records per transaction when a level's records are spread over connections. */
const MIN_CHUNK = 200;

/** A batch after validation: refusals so far, and the documents to write (by the records' positions). */
export interface PreparedBatch {
  readonly records: readonly RecordInput[];
  readonly outcomes: Array<RecordOutcome | undefined>;
  readonly documents: ReadonlyArray<PreparedDocument | undefined>;
}

/** Options of a writer. */
export interface RecordWriterOptions {
  /** The caller's scope (bulk endpoint); records outside it are refused with 403. */
  scope?: RecordScope;
  /** Parallel transactions per level (default 3: this machine has 2 cores and PostgreSQL does half the work). */
  concurrency?: number;
}

/** Writes batches of records through the engine. */
export class RecordWriter {
  private readonly levels: Map<string, number>;
  private readonly concurrency: number;

  constructor(
    private readonly orm: MikroORM,
    private readonly spec: EdfiSpec,
    private readonly options: RecordWriterOptions = {},
  ) {
    this.levels = dependencyLevels(spec.model);
    this.concurrency = Math.max(1, options.concurrency ?? 3);
  }

  /** The dependency level of a resource (unknown resources: 0; they are refused anyway). */
  levelOf(project: string, resource: string): number {
    const model = this.spec.resource(project, resource);
    return model ? (this.levels.get(resourceKey(model.project, model.name)) ?? 0) : 0;
  }

  /** The level of a resource known only by name (core first, then the `rex` extension), for ordering files before parsing them. */
  levelOfName(resource: string): number {
    return this.spec.resource('ed-fi', resource) ? this.levelOf('ed-fi', resource) : this.levelOf('rex', resource);
  }

  /** Writes a batch; outcomes come back in the order of `records`. */
  async write(records: readonly RecordInput[]): Promise<RecordOutcome[]> {
    return this.commit(await this.prepare(records));
  }

  /**
   * First phase: validates every record and checks the scope (CPU work in
   * this process). Safe to run for the next batch while {@link commit} of
   * the previous one waits on PostgreSQL.
   */
  async prepare(records: readonly RecordInput[]): Promise<PreparedBatch> {
    const outcomes = new Array<RecordOutcome | undefined>(records.length);
    const documents = new Array<PreparedDocument | undefined>(records.length);
    const em = this.orm.em.fork();
    for (let i = 0; i < records.length; i++) {
      const prepared = await this.prepareOne(em, records[i]!);
      if ('key' in prepared) documents[i] = prepared;
      else outcomes[i] = prepared;
    }
    return { records, outcomes, documents };
  }

  /** Second phase: writes the prepared documents, level by level, `concurrency` transactions at a time. */
  async commit(batch: PreparedBatch): Promise<RecordOutcome[]> {
    const byLevel = new Map<number, number[]>();
    batch.documents.forEach((document, i) => {
      if (!document) return;
      const level = this.levels.get(document.key) ?? 0;
      const same = byLevel.get(level);
      if (same) same.push(i);
      else byLevel.set(level, [i]);
    });
    for (const level of [...byLevel.keys()].sort((a, b) => a - b)) {
      const indexes = byLevel.get(level)!;
      // Small groups stay in one transaction: a commit costs more than a few hundred rows.
      const size = Math.max(MIN_CHUNK, Math.ceil(indexes.length / this.concurrency));
      const chunks: number[][] = [];
      for (let start = 0; start < indexes.length; start += size) chunks.push(indexes.slice(start, start + size));
      await Promise.all(chunks.map((chunk) => this.writeChunk(batch, chunk)));
    }
    return batch.outcomes as RecordOutcome[];
  }

  /**
   * One transaction and one multi-row upsert for a chunk (a record whose
   * identity repeats within the chunk is upserted after it, alone); if the
   * chunk fails as a whole (deadlock, lost connection), each record gets its
   * own transaction.
   */
  private async writeChunk(batch: PreparedBatch, chunk: number[]): Promise<void> {
    const { outcomes, documents } = batch;
    try {
      await this.orm.em.fork().transactional(async (em) => {
        const first: number[] = [];
        const repeated: number[] = [];
        const identities = new Set<string>();
        for (const i of chunk) {
          const identity = `${documents[i]!.key} ${documents[i]!.identityHash}`;
          (identities.has(identity) ? repeated : first).push(i);
          identities.add(identity);
        }
        const results = await upsertDocuments(em, first.map((i) => documents[i]!));
        results.forEach((result, j) => (outcomes[first[j]!] = outcomeOf(result)));
        for (const i of repeated) outcomes[i] = outcomeOf(await upsertDocument(em, documents[i]!));
      });
    } catch {
      for (const i of chunk) {
        outcomes[i] = await this.orm.em
          .fork()
          .transactional(async (em) => outcomeOf(await upsertDocument(em, documents[i]!)))
          .catch((error: unknown) => failed(edfiFailure('internal-server-error', `The record could not be written: ${(error as Error).message}`)));
      }
    }
  }

  /** Validates a record and checks the scope: the document to write, or the refusal. */
  private async prepareOne(em: EntityManager, record: RecordInput): Promise<PreparedDocument | RecordOutcome> {
    const project = record.project ?? 'ed-fi';
    const resource = this.spec.resource(project, record.resource);
    if (!resource) return failed(edfiFailure('not-found', `The resource /${project}/${record.resource} does not exist.`));
    const document = record.document;
    if (typeof document === 'object' && document !== null && 'id' in document) {
      return failed(edfiFailure('data-validation-failed', 'Resource identifiers cannot be assigned by the client.', { validationErrors: { '$.id': ['must not be sent.'] } }));
    }
    const prepared = prepareDocument(this.spec, resource, document);
    if (isEdfiFailure(prepared)) return failed(prepared);
    const scope = this.options.scope;
    if (scope && !(await scope.permitsWrite(em, scopedRecordOf(prepared)))) {
      return failed(edfiFailure('authorization', 'Access to the resource could not be authorized.', {
        errors: [`No relationships have been established between the caller's education organization id claims (${scope.educationOrganizationIds.join(', ')}) and the resource item.`],
      }));
    }
    return prepared;
  }
}

function outcomeOf(result: UpsertResult): RecordOutcome {
  if (result.kind === 'failed') return failed(result.failure);
  return { status: result.kind === 'created' ? 201 : 200, id: result.id };
}

function failed(failure: EdfiFailure): RecordOutcome {
  const problem = edfiProblem(failure, randomUUID());
  return { status: problem.status, problem };
}
