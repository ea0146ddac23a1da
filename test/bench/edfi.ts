/**
 * bench:edfi — the Ed-Fi API's write and read paths, in one run (issue 3):
 *
 *   (a) API writes: POST N students, then N studentSchoolAssociations, over real HTTP to a
 *       real node process, concurrency 16 (target ≥ 700 writes/s);
 *   (b) the bulk endpoint: the same records as one NDJSON upload to a second, fresh node
 *       (target ≥ 5,000 records/s);
 *   (c) full paging read of R students at limit 500 (target ≥ 20,000 records/s);
 *   (d) baseline: plain PostgreSQL inserts of the same JSON through `pg` into a bare
 *       (id, body jsonb) table: one row per statement at concurrency 16 (compare with a),
 *       and 500 rows per statement (compare with b); and a plain paging read of it (compare with c).
 *
 * Plus peak memory of the node processes and of this process. Every node runs with tokens
 * required; requests carry a bearer token of an LEA-wide client.
 *
 *   npm run bench:edfi
 *   BENCH_STUDENTS=2000 BENCH_READ_STUDENTS=20000 npm run bench:edfi     # a quick run
 *   BENCH_PROFILE_DIR=/tmp/prof npm run bench:edfi                         # CPU profiles of the nodes
 *   BENCH_ONLY=b,c npm run bench:edfi                                       # some of (a) (b) (c); (d) always runs
 *
 * With BENCH_PROFILE_DIR each node process writes its CPU profile there when it stops, and the
 * bench prints how many SQL statements each node's database ran per record written or read
 * (from pg_stat_database: commits and rollbacks are counted as statements too).
 */
import { request as httpRequest, Agent } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createClient } from '../../src/clients/client-store.js';
import { identityHash, newDocumentId, prepareDocument } from '../../src/edfi/document-identity.js';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { RecordWriter } from '../../src/loading/record-writer.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { loadStandardDescriptors } from '../../src/records/standard-descriptors.js';
import { iterateSyntheticDistrict, type SyntheticRecord } from '../../src/seed/synthetic-district.js';
import { migrate, openDatabase } from '../../src/storage/database.js';
import { ensureDatabase, findFreePort, startEmbeddedPostgres, type PostgresServer } from '../../src/storage/embedded-postgres.js';
import { peakMemoryMiB, spawnTs, stopProcess, waitForHttp } from '../support/processes.js';
import { postgresCpuSeconds, processCpuSeconds } from './support/process-cpu.js';

const STUDENTS = Number(process.env.BENCH_STUDENTS ?? 10_000);
const READ_STUDENTS = Number(process.env.BENCH_READ_STUDENTS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PAGE = 500;
const ONLY = new Set((process.env.BENCH_ONLY ?? 'a,b,c').split(',').map((p) => p.trim()));
const district = { ncesId: '0499901', name: 'Benchmark Unified School District', state: 'AZ' };

interface Figure {
  label: string;
  records: number;
  seconds: number;
}

const rate = (f: Figure) => f.records / f.seconds;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const dir = mkdtempSync(join(tmpdir(), 'rex-bench-edfi-'));
const postgres = await withStatementStatistics(await startEmbeddedPostgres(join(dir, 'postgres')));
const children: ReturnType<typeof spawnTs>[] = [];
try {
  console.log(`generating a synthetic district of ${fmt(STUDENTS)} students…`);
  const { organization, students, enrollments } = syntheticRecords(STUDENTS);
  const nodeA = await startBenchNode('rex_node_a', organization);
  const nodeB = await startBenchNode('rex_node_b', organization);

  let api: Figure | undefined;
  if (ONLY.has('a')) {
    console.log(`(a) POST ${fmt(students.length)} students + ${fmt(enrollments.length)} studentSchoolAssociations, concurrency ${CONCURRENCY}…`);
    const statements = await statementCount(nodeA.orm);
    const started = performance.now();
    await postAll(nodeA, 'students', students);
    await postAll(nodeA, 'studentSchoolAssociations', enrollments);
    api = { label: '(a) API writes (POST, HTTP, concurrency 16)', records: students.length + enrollments.length, seconds: (performance.now() - started) / 1000 };
    await reportStatements(nodeA.orm, statements, api.records, 'written');
  }

  let bulk: Figure | undefined;
  if (ONLY.has('b')) {
    console.log('(b) the same records through POST /data/v3/bulk, to a fresh node…');
    const statements = await statementCount(nodeB.orm);
    const cpu = cpuSnapshot(nodeB.pid);
    bulk = await bulkUpload(nodeB, [...students.map((d) => ({ resource: 'students', document: d })), ...enrollments.map((d) => ({ resource: 'studentSchoolAssociations', document: d }))]);
    reportCpu(cpu, cpuSnapshot(nodeB.pid), bulk.records);
    await reportStatements(nodeB.orm, statements, bulk.records, 'written');
  }

  let read: Figure | undefined;
  if (ONLY.has('c')) {
    console.log(`(c) filling node A up to ${fmt(READ_STUDENTS)} students (setup, direct SQL), then reading them all at limit ${PAGE}…`);
    await fillStudents(nodeA.orm, students, READ_STUDENTS);
    const statements = await statementCount(nodeA.orm);
    read = await pageAll(nodeA, READ_STUDENTS);
    await reportStatements(nodeA.orm, statements, read.records, 'read');
  }

  console.log('(d) baseline: plain pg inserts of the same JSON…');
  const baseline = await plainBaseline([...students, ...enrollments], READ_STUDENTS);

  console.log(`\nbench:edfi — ${fmt(STUDENTS)} students, 2-core machine shared with other work (figures are indicative)`);
  const rows: Array<[Figure | undefined, number | undefined, Figure | undefined]> = [
    [api, 700, baseline.single],
    [bulk, 5000, baseline.batched],
    [read, 20_000, baseline.read],
    [baseline.single, undefined, undefined],
    [baseline.batched, undefined, undefined],
    [baseline.read, undefined, undefined],
  ];
  console.log(`${'what'.padEnd(58)} ${'records'.padStart(9)} ${'seconds'.padStart(8)} ${'records/s'.padStart(10)}  target     vs baseline`);
  for (const [figure, target, base] of rows) {
    if (!figure) continue;
    const r = rate(figure);
    const targetText = target ? `${r >= target ? '✓' : '✗'} ≥ ${fmt(target)}` : '';
    const ratio = base ? `${((100 * r) / rate(base)).toFixed(0)}% of ${base.label.split(' ')[0]}` : '';
    console.log(`${figure.label.padEnd(58)} ${fmt(figure.records).padStart(9)} ${figure.seconds.toFixed(1).padStart(8)} ${fmt(r).padStart(10)}  ${targetText.padEnd(10)} ${ratio}`);
  }
  console.log(`\npeak memory: node A ${peakMemoryMiB(nodeA.pid) ?? '?'} MiB, node B ${peakMemoryMiB(nodeB.pid) ?? '?'} MiB, this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  await nodeA.orm.close(true);
  await nodeB.orm.close(true);
} finally {
  for (const child of children) await stopProcess(child);
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * With BENCH_PROFILE_DIR: restarts the bench's PostgreSQL with pg_stat_statements loaded, so the
 * bench can count the statements each phase runs.
 */
async function withStatementStatistics(server: PostgresServer): Promise<PostgresServer> {
  if (!process.env.BENCH_PROFILE_DIR) return server;
  const admin = new pg.Client({ connectionString: server.url('postgres') });
  await admin.connect();
  await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  await admin.end();
  await server.stop();
  return startEmbeddedPostgres(join(dir, 'postgres'));
}

/** Statements run so far in the node's database (pg_stat_statements; BEGIN and COMMIT count too), or -1. */
async function statementCount(orm: MikroORM): Promise<number> {
  if (!process.env.BENCH_PROFILE_DIR) return -1;
  const em = orm.em.fork();
  await em.execute('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const [row] = await em.execute<Array<{ n: string }>>(`SELECT sum(calls) AS n FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`);
  // The two statements of this count itself are left out.
  return Number(row?.n ?? 0) - 2;
}

/** Prints statements per record since `before`, when pg_stat_statements is available. */
async function reportStatements(orm: MikroORM, before: number, records: number, verb: string): Promise<void> {
  if (before < 0) return;
  const after = (await statementCount(orm)) - 2;
  console.log(`    ${((after - before) / records).toFixed(3)} SQL statements per record ${verb}`);
  // Where PostgreSQL's time went (cumulative since the database was created; the phase dominates).
  const top = await orm.em.fork().execute<Array<{ calls: string; ms: number; query: string }>>(
    `SELECT calls, total_exec_time AS ms, query FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT 5`,
  );
  for (const t of top) console.log(`    ${(Number(t.ms) / 1000).toFixed(2).padStart(7)} s ${t.calls.toString().padStart(6)}× ${t.query.replace(/\s+/g, ' ').slice(0, 90)}`);
}

/** CPU seconds used so far by the node process and by the bench's PostgreSQL (every backend, exited ones included). */
function cpuSnapshot(nodePid: number | undefined): { node: number; postgres: number } {
  return { node: processCpuSeconds(nodePid) ?? 0, postgres: postgresCpuSeconds(join(dir, 'postgres', 'pgdata')) };
}

/** Prints the CPU time per record the node and PostgreSQL spent between two snapshots. */
function reportCpu(before: { node: number; postgres: number }, after: { node: number; postgres: number }, records: number): void {
  const perRecord = (s: number) => `${((1e6 * s) / records).toFixed(0)} µs`;
  console.log(`    CPU per record: node ${perRecord(after.node - before.node)}, PostgreSQL ${perRecord(after.postgres - before.postgres)}`);
}

/** The district's organization records, N student documents and each student's first enrollment. */
function syntheticRecords(count: number): { organization: SyntheticRecord[]; students: object[]; enrollments: object[] } {
  const organization: SyntheticRecord[] = [];
  const students: object[] = [];
  const enrollments: object[] = [];
  const enrolled = new Set<string>();
  let families = false;
  for (const record of iterateSyntheticDistrict({ students: count, district })) {
    if (record.resource === 'contacts') families = true;
    if (!families) organization.push(record);
    else if (record.resource === 'students') students.push(record.document);
    else if (record.resource === 'studentSchoolAssociations') {
      const id = (record.document.studentReference as { studentUniqueId: string }).studentUniqueId;
      if (!enrolled.has(id)) enrollments.push(record.document);
      enrolled.add(id);
    }
  }
  return { organization, students, enrollments };
}

interface BenchNode {
  url: string;
  token: string;
  orm: MikroORM;
  pid: number | undefined;
}

/** A migrated database with the district's organization records and an LEA-wide client, and a node process serving it. */
async function startBenchNode(database: string, organization: SyntheticRecord[]): Promise<BenchNode> {
  await ensureDatabase(postgres.url('postgres'), database);
  const databaseUrl = postgres.url(database);
  const orm = await openDatabase(databaseUrl, nodeSchema, 4);
  await migrate(orm, nodeSchema);
  await loadStandardDescriptors(orm.em.fork());
  const outcomes = await new RecordWriter(orm, edfiSpec()).write(organization);
  const failed = outcomes.filter((o) => o.status >= 300);
  if (failed.length > 0) throw new Error(`organization records refused: ${JSON.stringify(failed[0])}`);
  const client = await createClient(orm.em.fork(), { name: 'bench', educationOrganizationIds: [Number(district.ncesId)] });
  const port = await findFreePort();
  const configFile = join(dir, `${database}.json`);
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(dir, database),
      databaseUrl,
      logLevel: 'warn',
      http: { host: '127.0.0.1', port },
      node: { district, routerUrl: 'http://127.0.0.1:9' },
    }),
  );
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawnTs('src/cli/main.ts', ['node', '--config', configFile], {}, profile);
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, 60_000);
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.key, client_secret: client.secret }),
  });
  const token = ((await response.json()) as { access_token: string }).access_token;
  return { url, token, orm, pid: child.pid };
}

/** POSTs every body with `CONCURRENCY` requests in flight on keep-alive connections; fails on any non-2xx. */
async function postAll(node: BenchNode, resource: string, bodies: object[]): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(`${node.url}/data/v3/ed-fi/${resource}`);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = JSON.stringify(bodies[next++]);
      const { status, text } = await send(agent, url, 'POST', { 'content-type': 'application/json', authorization: `Bearer ${node.token}` }, body);
      if (status !== 201 && status !== 200) throw new Error(`POST ${resource}: ${status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
}

function send(agent: Agent, url: URL, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One NDJSON upload of every record, streamed; reads the results while sending. */
async function bulkUpload(node: BenchNode, records: Array<{ resource: string; document: object }>): Promise<Figure> {
  const started = performance.now();
  const result = await new Promise<{ ok: number; failed: string[] }>((resolve, reject) => {
    const req = httpRequest(`${node.url}/data/v3/bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${node.token}` } }, (res) => {
      let rest = '';
      const outcome = { ok: 0, failed: [] as string[] };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) {
          const status = (JSON.parse(line) as { status: number }).status;
          if (status === 201 || status === 200) outcome.ok++;
          else if (outcome.failed.length < 3) outcome.failed.push(line);
        }
      });
      res.on('end', () => resolve(outcome));
      res.on('error', reject);
    });
    req.on('error', reject);
    let i = 0;
    const pump = () => {
      while (i < records.length) {
        const r = records[i++]!;
        if (!req.write(`${JSON.stringify({ resource: r.resource, project: 'ed-fi', document: r.document })}\n`)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  if (result.failed.length > 0 || result.ok !== records.length) throw new Error(`bulk: ${result.ok}/${records.length} ok; ${result.failed.join('\n')}`);
  return { label: '(b) bulk endpoint (one NDJSON upload)', records: records.length, seconds: (performance.now() - started) / 1000 };
}

/** Adds copies of the student documents (new ids and names) until the node holds `total` students. */
async function fillStudents(orm: MikroORM, students: object[], total: number): Promise<void> {
  const spec = edfiSpec();
  const model = spec.resource('ed-fi', 'students')!;
  const [row] = await orm.em.fork().execute<Array<{ n: string }>>(`SELECT count(*) AS n FROM edfi_document WHERE resource = 'ed-fi/students'`);
  let have = Number(row?.n ?? 0);
  for (let copy = 1; have < total; copy++) {
    const rows: object[] = [];
    for (const document of students) {
      if (have + rows.length >= total) break;
      const body = { ...(document as Record<string, unknown>), studentUniqueId: `C${copy}-${(document as { studentUniqueId: string }).studentUniqueId}` };
      const prepared = prepareDocument(spec, model, body);
      if ('kind' in prepared) throw new Error(prepared.detail);
      rows.push({ id: newDocumentId(), hash: identityHash(prepared.identity), identity: prepared.identity, body: prepared.body });
    }
    for (let start = 0; start < rows.length; start += 2000) {
      await orm.em.fork().execute(
        `INSERT INTO edfi_document (id, resource, identity_hash, identity, body, change_version)
         SELECT r.id, 'ed-fi/students', r.hash, r.identity, r.body, nextval('edfi_change_version') FROM jsonb_to_recordset(?::jsonb) AS r(id text, hash text, identity jsonb, body jsonb)`,
        [JSON.stringify(rows.slice(start, start + 2000))],
      );
    }
    have += rows.length;
  }
  // A node's tables get statistics from autovacuum within a minute of a big load; this setup step wrote
  // 100,000 rows behind the node's back, so it analyzes at once instead of leaving the planner blind.
  await orm.em.fork().execute('ANALYZE edfi_document');
}

/** Reads every student page by page at limit 500, one request after the other, as a state system pulls. */
async function pageAll(node: BenchNode, expected: number): Promise<Figure> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  let records = 0;
  for (let offset = 0; ; offset += PAGE) {
    const { status, text } = await send(agent, new URL(`${node.url}/data/v3/ed-fi/students?offset=${offset}&limit=${PAGE}`), 'GET', { authorization: `Bearer ${node.token}` });
    if (status !== 200) throw new Error(`GET students: ${status} ${text}`);
    const page = JSON.parse(text) as unknown[];
    records += page.length;
    if (page.length < PAGE) break;
  }
  agent.destroy();
  if (records !== expected) throw new Error(`paging read ${records} students, expected ${expected}`);
  return { label: '(c) paging read of students, limit 500 (HTTP)', records, seconds: (performance.now() - started) / 1000 };
}

/** Plain pg: single-row inserts at concurrency 16, 500-row inserts, and an offset paging read of as many rows as (c). */
async function plainBaseline(documents: object[], readRows: number): Promise<{ single: Figure; batched: Figure; read: Figure }> {
  const url = postgres.url('rex_node_a');
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  await pool.query('CREATE TABLE bench_plain (id bigserial PRIMARY KEY, body jsonb NOT NULL)');
  const texts = documents.map((d) => JSON.stringify(d));
  let started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < texts.length) await pool.query('INSERT INTO bench_plain (body) VALUES ($1)', [texts[next++]]);
    }),
  );
  const single: Figure = { label: '(d) baseline: pg INSERT, 1 row/statement, concurrency 16', records: texts.length, seconds: (performance.now() - started) / 1000 };
  await pool.query('TRUNCATE bench_plain');
  started = performance.now();
  for (let start = 0; start < texts.length; start += 500) {
    await pool.query('INSERT INTO bench_plain (body) SELECT value FROM jsonb_array_elements($1::jsonb)', [`[${texts.slice(start, start + 500).join(',')}]`]);
  }
  const batched: Figure = { label: "(d') baseline: pg INSERT, 500 rows/statement", records: texts.length, seconds: (performance.now() - started) / 1000 };
  while (texts.length < readRows) texts.push(...texts.slice(0, readRows - texts.length));
  for (let start = 0; start < texts.length; start += 2000) {
    await pool.query('INSERT INTO bench_plain (body) SELECT value FROM jsonb_array_elements($1::jsonb)', [`[${texts.slice(start, start + 2000).join(',')}]`]);
  }
  const client = await pool.connect();
  started = performance.now();
  let rows = 0;
  // Keyset paging: the fastest plain way to read a table page by page.
  for (let last = '0'; ; ) {
    const page = await client.query<{ id: string; body: string }>({ text: 'SELECT id, body::text AS body FROM bench_plain WHERE id > $1 ORDER BY id LIMIT $2', values: [last, PAGE] });
    rows += page.rows.length;
    if (page.rows.length < PAGE) break;
    last = page.rows.at(-1)!.id;
  }
  client.release();
  await pool.end();
  return { single, batched, read: { label: "(d'') baseline: pg SELECT keyset paging, 500 rows, no HTTP", records: rows, seconds: (performance.now() - started) / 1000 } };
}
