import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { prepareDocument } from '../edfi/document-identity.js';
import { edfiFailure, edfiProblem, isEdfiFailure, type EdfiFailure, type EdfiProblem } from '../edfi/edfi-problem.js';
import type { EdfiSpec } from '../edfi/edfi-spec.js';
import { resourceKey } from '../edfi/resource-model.js';
import { upsertDocument } from '../records/document-store.js';
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
    const outcomes = new Array<RecordOutcome>(records.length);
    const byLevel = new Map<number, number[]>();
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const level = this.levelOf(record.project ?? 'ed-fi', record.resource);
      const same = byLevel.get(level);
      if (same) same.push(i);
      else byLevel.set(level, [i]);
    }
    for (const level of [...byLevel.keys()].sort((a, b) => a - b)) {
      const indexes = byLevel.get(level)!;
      const size = Math.ceil(indexes.length / this.concurrency);
      const chunks: number[][] = [];
      for (let start = 0; start < indexes.length; start += size) chunks.push(indexes.slice(start, start + size));
      await Promise.all(chunks.map((chunk) => this.writeChunk(records, chunk, outcomes)));
    }
    return outcomes;
  }

  /** One transaction for a chunk; if it fails as a whole (deadlock, lost connection), each record gets its own. */
  private async writeChunk(records: readonly RecordInput[], chunk: number[], outcomes: RecordOutcome[]): Promise<void> {
    try {
      await this.orm.em.fork().transactional(async (em) => {
        for (const i of chunk) outcomes[i] = await this.writeOne(em, records[i]!);
      });
    } catch {
      for (const i of chunk) {
        outcomes[i] = await this.orm.em
          .fork()
          .transactional((em) => this.writeOne(em, records[i]!))
          .catch((error: unknown) => failed(edfiFailure('internal-server-error', `The record could not be written: ${(error as Error).message}`)));
      }
    }
  }

  private async writeOne(em: Parameters<Parameters<MikroORM['em']['transactional']>[0]>[0], record: RecordInput): Promise<RecordOutcome> {
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
    const result = await upsertDocument(em, prepared);
    if (result.kind === 'failed') return failed(result.failure);
    return { status: result.kind === 'created' ? 201 : 200, id: result.id };
  }
}

function failed(failure: EdfiFailure): RecordOutcome {
  const problem = edfiProblem(failure, randomUUID());
  return { status: problem.status, problem };
}
