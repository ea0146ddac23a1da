/**
 * bench:sif — SIF 2.x traffic into a district node (issue 5), in one run:
 *
 *   (a) StudentPersonal Add events per second through the zone endpoint into the Ed-Fi store:
 *       the SIS side POSTs N events as XML over 16 connections to a real node process, which
 *       parses them, checks rights, queues them for its own agent and acks, while the agent (in its
 *       thread) maps them and upserts students and their district associations; timed until the last
 *       one is in the store
 *       (target ≥ 1,500/s). The SIS side is Debian's wrk when installed, sending each event once
 *       (support/each-request-once.lua), as bench:transfer does: it takes a fraction of the CPU
 *       of a JavaScript client on the same two cores. BENCH_SENDERS=node (or no wrk) sends
 *       from this process with node:http. The node first takes BENCH_SIF_WARMUP events (default
 *       as many as (a) sends) the same way, unmeasured but printed, and (b) runs between the two:
 *       a server runs warm, and in a fresh process V8's optimizing compiler takes a sixth of the
 *       node's CPU for seconds;
 *   (b) a pull agent draining its queue: M events wait for a pull subscriber, which fetches
 *       them one by one with SIF_GetMessage and acknowledges each with a SIF_Ack
 *       (target ≥ 2,000 events/s), beside its floor: the same two sequential round trips
 *       per event against a bare Fastify route, with the same lean client (support/sequential-http.ts;
 *       BENCH_SIF_CLIENT=node uses node:http instead);
 *   (c) baseline: the raw fast-xml-parser parse rate of the same messages, in this process.
 *
 *   (d) for comparison, the node agent's own work alone: mapping and batch upserts in this process.
 *
 * (a) and (b) each run BENCH_SIF_ROUNDS times (default 3), each round with its own events, and
 * print the median round beside every round: on this shared VM the whole machine slows by a third
 * to a half for seconds or minutes at a time (PostgreSQL's CPU per event rising as much as the node's), and a single
 * round then measures the VM rather than the code. The (b) rounds come first, each on a queue
 * of the same length and followed by its floor; the (a) rounds follow, into a growing store.
 *
 * Plus, for (a) and (b), the CPU time per event of the node process, of PostgreSQL (postmaster
 * and backends) and of the SIS side (this process, with wrk once it has ended), from /proc: on a
 * shared 2-core machine events/s move with the load, CPU per event much less. And peak memory of the node process and
 * of this process.
 *
 *   npm run bench:sif
 *   BENCH_SIF_EVENTS=2000 BENCH_SIF_DRAIN=2000 BENCH_SIF_ROUNDS=1 npm run bench:sif   # a quick run
 *   BENCH_SIF_WARMUP=0 npm run bench:sif                              # (a) on a cold node
 *   BENCH_PROFILE_DIR=/tmp/prof npm run bench:sif                     # plus a CPU profile of the node process
 *   BENCH_SQL_STATS=1 npm run bench:sif                               # plus the top statements of (a) and (b), planning counted
 */
import { request as httpRequest, Agent } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import pg from 'pg';
import type { MikroORM } from '@mikro-orm/postgresql';
import { edfiSpec } from '../../src/edfi/edfi-spec.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import type { SifJsonObject } from '../../src/sif/json-mapping.js';
import { decodeSif } from '../../src/sif/sif-codec.js';
import { defaultCodeSets } from '../../src/sis-mapping/code-sets.js';
import type { SyncContext } from '../../src/sis-sync/apply-sif.js';
import { applySifAdds } from '../../src/sis-sync/apply-sif-batch.js';
import { ensureDistrict } from '../../src/sis-sync/sis-node-agent.js';
import { loadStandardDescriptors } from '../../src/records/standard-descriptors.js';
import { migrate, openDatabase } from '../../src/storage/database.js';
import { ensureDatabase, findFreePort, startEmbeddedPostgres } from '../../src/storage/embedded-postgres.js';
import { checkZoneDefinition } from '../../src/zones/zone-definition.js';
import { saveZone } from '../../src/zones/zone-store.js';
import { peakMemoryMiB, spawnTs, stopProcess, waitForHttp } from '../support/processes.js';
import { postgresCpuSeconds, processCpuSeconds } from './support/process-cpu.js';
import { openSequentialHttp } from './support/sequential-http.js';
import { sendWrkRequests, writeWrkRequests, WRK_INSTALLED } from './support/wrk.js';

const EVENTS = Number(process.env.BENCH_SIF_EVENTS ?? 10_000);
const DRAIN = Number(process.env.BENCH_SIF_DRAIN ?? 10_000);
const WARMUP = Number(process.env.BENCH_SIF_WARMUP ?? EVENTS);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_SIF_ROUNDS ?? 3);
const district = { ncesId: '0499901', name: 'Benchmark Unified School District', state: 'AZ' };
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

let sequence = 0;
function msgId(): string {
  sequence += 1;
  return `BE${String(sequence).padStart(30, '0')}`;
}

function header(source: string): string {
  return `<SIF_Header><SIF_MsgId>${msgId()}</SIF_MsgId><SIF_Timestamp>2026-01-15T10:00:00Z</SIF_Timestamp><SIF_SourceId>${source}</SIF_SourceId></SIF_Header>`;
}

/** A SIF 2.4 message as agents write one, XML declaration included. */
function message(source: string, body: string, type: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x" Version="2.4"><${type}>${header(source)}${body}</${type}></SIF_Message>`;
}

/** The RefId of student `i` of the bench. */
function studentRefId(i: number): string {
  return `5B${String(i).padStart(30, '0')}`;
}

/** A StudentPersonal Add event of a realistic size (names, demographics, address, phone, e-mail, ids). */
function studentEvent(i: number, source = 'SIS-AGENT'): string {
  const refId = studentRefId(i);
  const id = String(700000000 + i);
  return message(
    source,
    `<SIF_ObjectData><SIF_EventObject ObjectName="StudentPersonal" Action="Add"><StudentPersonal RefId="${refId}"><LocalId>${id}</LocalId><StateProvinceId>AZ${id}</StateProvinceId><Name Type="04"><LastName>Lastname${i}</LastName><FirstName>First${i % 977}</FirstName><MiddleName>M</MiddleName></Name><Demographics><RaceList><Race><Code>1002</Code></Race></RaceList><HispanicLatino>No</HispanicLatino><Gender>${i % 2 ? 'F' : 'M'}</Gender><BirthDate>2012-0${1 + (i % 9)}-1${i % 10}</BirthDate><PlaceOfBirth>Mesa</PlaceOfBirth><StateOfBirth>AZ</StateOfBirth><CountryOfBirth>US</CountryOfBirth><LanguageList><Language><Code>eng</Code></Language></LanguageList></Demographics><AddressList><Address Type="0765"><Street><Line1>${i} Jefferson St</Line1></Street><City>Mesa</City><StateProvince>AZ</StateProvince><PostalCode>85203</PostalCode></Address></AddressList><PhoneNumberList><PhoneNumber Type="0096"><Number>480-555-${String(i % 10000).padStart(4, '0')}</Number></PhoneNumber></PhoneNumberList><EmailList><Email Type="Primary">student${i}@example.org</Email></EmailList></StudentPersonal></SIF_EventObject></SIF_ObjectData>`,
    'SIF_Event',
  );
}

async function post(agent: Agent, url: URL, body: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`HTTP ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectSuccess(ack: string, what: string): void {
  if (!ack.includes('<SIF_Code>0</SIF_Code>') && !ack.includes('<SIF_Code>9</SIF_Code>')) throw new Error(`${what}: ${ack}`);
}

async function postAll(url: URL, bodies: ReadonlyArray<string | Buffer>): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      expectSuccess(await post(agent, url, body), 'SIF_Event');
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
}

/** One measured round of (a) or (b). */
interface Round {
  rate: number;
  seconds: number;
  /** CPU time and WAL per event, as printed. */
  costs: string;
  /** (b) only: the bare route's rate, measured right after the round. */
  floor?: number;
}

/** The round with the median rate (the lower middle one of an even count). */
function median(rounds: readonly Round[]): Round {
  return [...rounds].sort((x, y) => x.rate - y.rate)[Math.floor((rounds.length - 1) / 2)]!;
}

/** "median of 3 rounds of 10,000: 1,650, 1,739 and 1,802/s", or the one round's size and time. */
function roundsLabel(rounds: readonly Round[], events: number): string {
  if (rounds.length === 1) return `${fmt(events)} in ${rounds[0]!.seconds.toFixed(2)} s`;
  const rates = rounds.map((r) => fmt(r.rate));
  return `median of ${rounds.length} rounds of ${fmt(events)}: ${rates.slice(0, -1).join(', ')} and ${rates.at(-1)}/s, in order`;
}

/** Whether (a)'s SIS side is wrk (Debian's; far less CPU than a JavaScript client) or this process (BENCH_SENDERS=node, or no wrk). */
const USE_WRK = WRK_INSTALLED && process.env.BENCH_SENDERS !== 'node';

/**
 * Gets (a)'s events ready to send, each once, over CONCURRENCY connections:
 * with wrk, its request file is written now, before the caller counts CPU.
 * The returned function sends them and resolves once `stored` does: with
 * wrk, its running time up to that moment (its first request to the last
 * event in the store); else undefined seconds (the caller's clock, which
 * starts just before).
 */
function readyEvents(base: string, url: URL, bodies: Buffer[], file: string): (stored: () => Promise<void>) => Promise<{ seconds?: number; sender: string }> {
  if (!USE_WRK) {
    return async (stored) => {
      await postAll(url, bodies);
      await stored();
      return { sender: `this process (node:http), ${CONCURRENCY} connections` };
    };
  }
  writeWrkRequests(base, bodies.map((body) => ({ path: url.pathname, headers: { 'content-type': 'application/xml' }, body })), file);
  return async (stored) => {
    const run = await sendWrkRequests(base, file, CONCURRENCY, stored);
    return { seconds: run.seconds, sender: `wrk, ${CONCURRENCY} connections` };
  };
}

/**
 * Waits, on a pg connection of its own, until (a)'s students are in the
 * Ed-Fi store. Through MikroORM each poll cost this process about a
 * millisecond of CPU, and through pg alone still most of one (its query
 * path stays unoptimized at a few hundred calls): taken from the node and
 * PostgreSQL on the same two cores. So PostgreSQL polls itself.
 */
async function openStorePoll(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return {
    waitForStore: (lastRefId: string, expected: number) => waitForStore(client, lastRefId, expected),
    walState: () => walState(client),
    close: () => client.end(),
  };
}

/** Bytes of WAL written so far, and checkpoints started (PostgreSQL 17+: pg_stat_checkpointer). */
async function walState(client: pg.Client): Promise<{ bytes: number; checkpoints: number }> {
  const { rows: [row] } = await client.query<{ bytes: string; checkpoints: string }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS bytes, (SELECT num_timed + num_requested FROM pg_stat_checkpointer) AS checkpoints`,
  );
  return { bytes: Number(row!.bytes), checkpoints: Number(row!.checkpoints) };
}

/**
 * Resolves once `expected` students of (a) (warm-up included) are in the
 * Ed-Fi store (their ref-map rows); fails when an event failed to map, or
 * after ten minutes. One statement: a loop in PostgreSQL that looks every
 * 20 ms with index lookups (no mapping failed, the last event's student is
 * stored) and counts the rows only then, as counting every time took a
 * tenth of PostgreSQL's CPU from what is measured. The events are applied
 * in order, so the count mostly runs once.
 */
async function waitForStore(client: pg.Client, lastRefId: string, expected: number): Promise<void> {
  if (!/^[0-9A-F]{32}$/.test(lastRefId) || !Number.isSafeInteger(expected)) throw new Error(`waitForStore: bad arguments ${lastRefId} ${expected}`);
  // DO takes no parameters: both values are checked above and written in.
  await client.query(`DO $$
    BEGIN
      FOR attempt IN 1..30000 LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM sif_sync_failure);
        IF EXISTS (SELECT 1 FROM sif_ref_map WHERE zone_id = 'bench-sis' AND object_name = 'StudentPersonal' AND ref_id = '${lastRefId}') THEN
          EXIT WHEN (SELECT count(*) FROM sif_ref_map WHERE zone_id = 'bench-sis' AND object_name = 'StudentPersonal' AND resource = 'students') >= ${expected};
        END IF;
        -- Ends the transaction and its snapshot: held across the loop, it would keep every row the node
        -- deletes meanwhile from being pruned, and the zone queue bloats.
        COMMIT;
        PERFORM pg_sleep(0.02);
      END LOOP;
    END $$`);
  const { rows: [state] } = await client.query<{ failed: boolean; stored: string }>(
    `SELECT EXISTS (SELECT 1 FROM sif_sync_failure) AS failed,
            (SELECT count(*) FROM sif_ref_map WHERE zone_id = 'bench-sis' AND object_name = 'StudentPersonal' AND resource = 'students') AS stored`,
  );
  if (state!.failed) throw new Error('events failed to map; see sif_sync_failure');
  if (Number(state!.stored) < expected) throw new Error(`after ten minutes ${state!.stored} of ${expected} students are in the store`);
}

/** One sequential POST of XML, through the bench's lean client or node:http (BENCH_SIF_CLIENT=node). */
type PostXml = (body: string) => Promise<string>;

async function sequentialPoster(url: URL): Promise<{ post: PostXml; close: () => void }> {
  if (process.env.BENCH_SIF_CLIENT === 'node') {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    return { post: (body) => post(agent, url, body), close: () => agent.destroy() };
  }
  const http = await openSequentialHttp(url.hostname, Number(url.port));
  return {
    post: async (body) => {
      const answer = await http.post(url.pathname, Buffer.from(body), 'application/xml');
      if (answer.status !== 200) throw new Error(`HTTP ${answer.status}: ${answer.body}`);
      return answer.body;
    },
    close: () => http.close(),
  };
}

/**
 * (b)'s measure: a pull agent fetches `count` queued events one by one with
 * SIF_GetMessage and acknowledges each with a final SIF_Ack, as the protocol
 * makes it, in sequence. Returns the seconds it took.
 */
async function drainQueue(url: URL, count: number): Promise<number> {
  const drainer = await sequentialPoster(url);
  // Each message has a msg id of its own (a repeated one would get status 7).
  const getMessage = () => message('SUB', '<SIF_SystemControlData><SIF_GetMessage/></SIF_SystemControlData>', 'SIF_SystemControl');
  const started = performance.now();
  for (let drained = 0; drained < count; drained += 1) {
    const got = await drainer.post(getMessage());
    const original = /<SIF_Event><SIF_Header><SIF_MsgId>([0-9A-F]{32})<\/SIF_MsgId>/.exec(got)?.[1];
    if (!original) throw new Error(`SIF_GetMessage after ${drained} of ${count}: ${got.slice(0, 500)}`);
    const ack = message('SUB', `<SIF_OriginalSourceId>PUB</SIF_OriginalSourceId><SIF_OriginalMsgId>${original}</SIF_OriginalMsgId><SIF_Status><SIF_Code>1</SIF_Code></SIF_Status>`, 'SIF_Ack');
    expectSuccess(await drainer.post(ack), 'SIF_Ack');
  }
  const seconds = (performance.now() - started) / 1000;
  const after = await drainer.post(getMessage());
  drainer.close();
  if (!after.includes('<SIF_Code>9</SIF_Code>')) throw new Error(`the queue is not empty after ${count} events: ${after.slice(0, 500)}`);
  return seconds;
}

/**
 * The floor of (b) on this machine: a pull agent's exchange, one POST and its
 * answer then a second POST, `events` times in sequence as the protocol
 * makes it, with the same client as (b), against a bare Fastify route in its
 * own process that answers every POST with a fixed 2 KiB body. Returns the
 * seconds it took.
 */
async function sequentialFloor(events: number): Promise<number> {
  const port = await findFreePort();
  const bare = spawnTs('test/bench/support/bare-servers.ts', ['bare', String(port)], {});
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
    const client = await sequentialPoster(new URL(`http://127.0.0.1:${port}/sif`));
    const get = message('SUB', '<SIF_SystemControlData><SIF_GetMessage/></SIF_SystemControlData>', 'SIF_SystemControl');
    for (let i = 0; i < 500; i++) await client.post(get);
    const started = performance.now();
    for (let i = 0; i < events; i++) {
      await client.post(get);
      await client.post(message('SUB', `<SIF_OriginalSourceId>PUB</SIF_OriginalSourceId><SIF_OriginalMsgId>${msgId()}</SIF_OriginalMsgId><SIF_Status><SIF_Code>1</SIF_Code></SIF_Status>`, 'SIF_Ack'));
    }
    const seconds = (performance.now() - started) / 1000;
    client.close();
    return seconds;
  } finally {
    await stopProcess(bare);
  }
}

/**
 * BENCH_SQL_STATS=1: restarts the bench's PostgreSQL with pg_stat_statements,
 * so each phase can print its statements (calls, time) — a diagnostic, off by default.
 */
async function startPostgres(dir: string) {
  const server = await startEmbeddedPostgres(join(dir, 'postgres'));
  if (!process.env.BENCH_SQL_STATS) return server;
  const admin = await openDatabase(server.url('postgres'), nodeSchema, 1);
  await admin.em.fork().execute(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  // Planning time too: a statement planned anew for every call showed only with it.
  await admin.em.fork().execute(`ALTER SYSTEM SET pg_stat_statements.track_planning = on`);
  await admin.close(true);
  await server.stop();
  return startEmbeddedPostgres(join(dir, 'postgres'));
}

async function sqlStats(orm: MikroORM, phase: string, reset: boolean): Promise<void> {
  if (!process.env.BENCH_SQL_STATS) return;
  const em = orm.em.fork();
  if (!reset) {
    const rows = await em.execute<Array<{ calls: string; ms: string; plans: string; q: string }>>(
      `SELECT calls, round(total_exec_time::numeric + total_plan_time::numeric, 1) AS ms, plans, left(regexp_replace(query, '\\s+', ' ', 'g'), 150) AS q
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC LIMIT 25`,
    );
    console.log(`  SQL of ${phase} (calls, ms executing and planning, plans, statement):`);
    for (const r of rows) console.log(`    ${r.calls.padStart(7)} ${String(r.ms).padStart(9)} ${String(r.plans).padStart(6)}  ${r.q}`);
  }
  await em.execute('SELECT pg_stat_statements_reset()');
}

/** CPU seconds used so far by the node process, PostgreSQL and the SIS side: this process and the wrk runs it has waited for. */
function cpuNow(child: { pid?: number | undefined } | undefined, pgdata: string) {
  const self = process.cpuUsage();
  return { node: processCpuSeconds(child?.pid) ?? 0, postgres: postgresCpuSeconds(pgdata), bench: processCpuSeconds(process.pid, true) ?? (self.user + self.system) / 1e6 };
}

function cpuPerEvent(before: ReturnType<typeof cpuNow>, after: ReturnType<typeof cpuNow>, events: number): string {
  const ms = (k: keyof typeof before) => (((after[k] - before[k]) * 1000) / events).toFixed(2);
  return `CPU per event: node ${ms('node')} ms, postgres ${ms('postgres')} ms, SIS side ${ms('bench')} ms`;
}

/** "WAL 9.8 KiB per event", plus the checkpoints that started meanwhile (after one, each page's first change is logged whole). */
function walPerEvent(before: { bytes: number; checkpoints: number }, after: { bytes: number; checkpoints: number }, events: number): string {
  const checkpoints = after.checkpoints - before.checkpoints;
  return `WAL ${((after.bytes - before.bytes) / 1024 / events).toFixed(1)} KiB per event${checkpoints ? `, ${checkpoints} checkpoint(s) started` : ''}`;
}

const dir = mkdtempSync(join(tmpdir(), 'rex-bench-sif-'));
const postgres = await startPostgres(dir);
let child: ReturnType<typeof spawnTs> | undefined;
try {
  await ensureDatabase(postgres.url('postgres'), 'rex_node');
  const databaseUrl = postgres.url('rex_node');
  const orm = await openDatabase(databaseUrl, nodeSchema, 4);
  await migrate(orm, nodeSchema);
  await loadStandardDescriptors(orm.em.fork());
  if (process.env.BENCH_SQL_STATS) await orm.em.fork().execute('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  // A second zone for (b): a publisher and a pull subscriber of StudentPersonal.
  const drainZone = checkZoneDefinition({
    id: 'bench-pull',
    name: 'Pull drain benchmark',
    maxMessageBytes: 1048576,
    nodeAgent: { sourceId: 'BENCH-NODE', name: 'Node', rights: {} },
    agents: [
      { sourceId: 'PUB', name: 'Publisher', rights: { StudentPersonal: ['PublishAdd'] } },
      { sourceId: 'SUB', name: 'Pull subscriber', rights: { StudentPersonal: ['Subscribe'] } },
    ],
  });
  if (drainZone.kind !== 'ok') throw new Error(drainZone.problems.join('; '));
  // The zone of (a), defined here rather than read from zones/ so the bench measures the same zone whatever that folder holds.
  const sisZone = checkZoneDefinition({
    id: 'bench-sis',
    name: 'SIS benchmark',
    maxMessageBytes: 1048576,
    nodeAgent: { sourceId: 'BENCH-SIS-NODE', name: 'Node', rights: { StudentPersonal: ['Subscribe', 'Request'] } },
    agents: [{ sourceId: 'SIS-AGENT', name: 'SIS', rights: { StudentPersonal: ['Provide', 'Respond', 'PublishAdd', 'PublishChange', 'PublishDelete'] } }],
  });
  if (sisZone.kind !== 'ok') throw new Error(sisZone.problems.join('; '));
  const port = await findFreePort();
  const configFile = join(dir, 'node.json');
  writeFileSync(configFile, JSON.stringify({ dataDir: join(dir, 'node'), databaseUrl, logLevel: 'warn', http: { host: '127.0.0.1', port }, node: { district, routerUrl: 'http://127.0.0.1:9' } }));
  // BENCH_PROFILE_DIR=dir writes a CPU profile of the node process there.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  child = spawnTs('src/cli/main.ts', ['node', '--config', configFile], {}, profile);
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`, 60_000);
  // The node seeded its zones from zones/ at start; add the bench's zones beside them.
  await orm.em.fork().transactional((tx) => saveZone(tx, sisZone.zone));
  await orm.em.fork().transactional((tx) => saveZone(tx, drainZone.zone));

  const sisUrl = new URL(`${base}/zones/bench-sis`);
  const setup = new Agent({ keepAlive: true, maxSockets: 1 });
  expectSuccess(await post(setup, sisUrl, message('SIS-AGENT', '<SIF_Name>SIS</SIF_Name><SIF_Version>2.4</SIF_Version><SIF_MaxBufferSize>1048576</SIF_MaxBufferSize><SIF_Mode>Pull</SIF_Mode>', 'SIF_Register')), 'SIF_Register');
  expectSuccess(await post(setup, sisUrl, message('SIS-AGENT', '<SIF_Object ObjectName="StudentPersonal"/>', 'SIF_Provide')), 'SIF_Provide');

  const pgdata = join(dir, 'postgres', 'pgdata');
  const poll = await openStorePoll(databaseUrl);
  // Students: (a)'s rounds first, then (d)'s, then the warm-up's (studentUniqueIds must not meet).
  const warmupFirst = (ROUNDS + 1) * EVENTS;
  let warmup: { rate: number; cpu: string } | undefined;
  if (WARMUP > 0) {
    console.log(`(a) warm-up: ${fmt(WARMUP)} StudentPersonal Add events the same way, on the node cold, not counted in (a)…`);
    const warmupBodies = Array.from({ length: WARMUP }, (_, i) => Buffer.from(studentEvent(warmupFirst + i)));
    const send = readyEvents(base, sisUrl, warmupBodies, join(dir, 'warmup.http'));
    const cpuBefore = cpuNow(child, pgdata);
    const started = performance.now();
    const sent = await send(() => poll.waitForStore(studentRefId(warmupFirst + WARMUP - 1), WARMUP));
    warmup = { rate: WARMUP / (sent.seconds ?? (performance.now() - started) / 1000), cpu: cpuPerEvent(cpuBefore, cpuNow(child, pgdata), WARMUP) };
  }

  console.log(`(b) ${ROUNDS} round(s): ${fmt(DRAIN)} events queued for a pull subscriber, drained with SIF_GetMessage + SIF_Ack, then the same round trips to a bare route…`);
  const drainUrl = new URL(`${base}/zones/bench-pull`);
  expectSuccess(await post(setup, drainUrl, message('SUB', '<SIF_Name>Sub</SIF_Name><SIF_Version>2.4</SIF_Version><SIF_MaxBufferSize>1048576</SIF_MaxBufferSize><SIF_Mode>Pull</SIF_Mode>', 'SIF_Register')), 'SIF_Register');
  expectSuccess(await post(setup, drainUrl, message('SUB', '<SIF_Object ObjectName="StudentPersonal"/>', 'SIF_Subscribe')), 'SIF_Subscribe');
  expectSuccess(await post(setup, drainUrl, message('PUB', '<SIF_Name>Pub</SIF_Name><SIF_Version>2.4</SIF_Version><SIF_MaxBufferSize>1048576</SIF_MaxBufferSize><SIF_Mode>Pull</SIF_Mode>', 'SIF_Register')), 'SIF_Register');
  const roundsB: Round[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    // Each round drains a queue of the same length, filled just before it.
    await postAll(drainUrl, Array.from({ length: DRAIN }, (_, i) => studentEvent(round * DRAIN + i, 'PUB')));
    if (round === 0) await sqlStats(orm, '(b)', true);
    const walBefore = await poll.walState();
    const cpuBefore = cpuNow(child, pgdata);
    const seconds = await drainQueue(drainUrl, DRAIN);
    const costs = `${cpuPerEvent(cpuBefore, cpuNow(child, pgdata), DRAIN)}, ${walPerEvent(walBefore, await poll.walState(), DRAIN)}`;
    roundsB.push({ rate: DRAIN / seconds, seconds, costs, floor: DRAIN / (await sequentialFloor(DRAIN)) });
  }
  await sqlStats(orm, '(b)', false);

  console.log(`(a) ${ROUNDS} round(s): POST ${fmt(EVENTS)} StudentPersonal Add events to /zones/bench-sis, concurrency ${CONCURRENCY}, until all are in the Ed-Fi store…`);
  const events = Array.from({ length: EVENTS }, (_, i) => studentEvent(i));
  const roundsA: Round[] = [];
  let sender = '';
  for (let round = 0; round < ROUNDS; round += 1) {
    const first = round * EVENTS;
    // Encoded once beforehand: the SIS agent's side shares the machine's two cores with the node.
    const xml = round === 0 ? events : Array.from({ length: EVENTS }, (_, i) => studentEvent(first + i));
    const send = readyEvents(base, sisUrl, xml.map((x) => Buffer.from(x)), join(dir, `events-${round}.http`));
    if (round === 0) await sqlStats(orm, '(a)', true);
    const walBefore = await poll.walState();
    const cpuBefore = cpuNow(child, pgdata);
    const started = performance.now();
    const sent = await send(() => poll.waitForStore(studentRefId(first + EVENTS - 1), WARMUP + first + EVENTS));
    const seconds = sent.seconds ?? (performance.now() - started) / 1000;
    const cpu = cpuPerEvent(cpuBefore, cpuNow(child, pgdata), EVENTS);
    roundsA.push({ rate: EVENTS / seconds, seconds, costs: `${cpu}, ${walPerEvent(walBefore, await poll.walState(), EVENTS)}` });
    sender = sent.sender;
  }
  await sqlStats(orm, '(a)', false);

  console.log('(d) for comparison: mapping + Ed-Fi upserts alone (applySifAdds in this process, one batch, no zone, no HTTP)…');
  await ensureDistrict(orm, district);
  const sync: SyncContext = { zoneId: 'bench-apply', spec: edfiSpec(), codes: defaultCodeSets(), localEducationAgencyId: Number(district.ncesId), ensured: new Set() };
  const applyObjects = Array.from({ length: EVENTS }, (_, i) => {
    const decoded = decodeSif(studentEvent(ROUNDS * EVENTS + i), 'xml');
    if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Event') throw new Error('bad event');
    return decoded.message.object['StudentPersonal'] as SifJsonObject;
  });
  const startedD = performance.now();
  const applied = await applySifAdds(orm, sync, 'StudentPersonal', applyObjects);
  const secondsD = (performance.now() - startedD) / 1000;
  if (applied.some((o) => o.kind !== 'applied')) throw new Error(`apply failed: ${JSON.stringify(applied.find((o) => o.kind !== 'applied'))}`);

  console.log('(c) baseline: fast-xml-parser on the same messages…');
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });
  const startedC = performance.now();
  for (const xml of events) parser.parse(xml);
  const secondsC = (performance.now() - startedC) / 1000;
  // Beside it, what the zone does with each body: our plain reader into the JSON form, then the typed message.
  const startedR = performance.now();
  for (const xml of events) if (decodeSif(xml, 'xml').kind !== 'ok') throw new Error('bad event');
  const secondsR = (performance.now() - startedR) / 1000;

  const nodeMemory = peakMemoryMiB(child.pid);
  console.log(`\nbench:sif — 2-core machine shared with other work (figures are indicative)`);
  const a = median(roundsA);
  const b = median(roundsB);
  console.log(`  (a) StudentPersonal Add → Ed-Fi store   ${fmt(a.rate).padStart(8)} events/s   target ≥ 1,500   (${roundsLabel(roundsA, EVENTS)}; sent by ${sender})`);
  console.log(`  (b) pull agent draining its queue       ${fmt(b.rate).padStart(8)} events/s   target ≥ 2,000   (${roundsLabel(roundsB, DRAIN)}; one SIF_GetMessage + one SIF_Ack each)`);
  console.log(`      baseline of (b): the same two sequential round trips per event to a bare Fastify route ${fmt(b.floor!)} events/s in (b)'s median round (no zone, no database; the same client)`);
  for (const [name, rounds] of [['(a)', roundsA], ['(b)', roundsB]] as const) {
    rounds.forEach((r, i) => console.log(`      ${name} round ${i + 1}: ${fmt(r.rate)} events/s in ${r.seconds.toFixed(2)} s, ${r.costs}${r.floor ? `; bare route ${fmt(r.floor)} events/s` : ''}`));
  }
  if (warmup) console.log(`      (a) came after a warm-up of ${fmt(WARMUP)} events (then the (b) rounds); on the node cold they ran at ${fmt(warmup.rate)} events/s, ${warmup.cpu}`);
  console.log(`  (d) mapping + batch upserts          ${fmt(EVENTS / secondsD).padStart(8)} objects/s  (no zone queue; the ceiling of the node agent's own work)`);
  console.log(`  (c) baseline: fast-xml-parser parse     ${fmt(EVENTS / secondsC).padStart(8)} messages/s   (same ${fmt(EVENTS)} messages, ${(Buffer.byteLength(events[0]!) / 1024).toFixed(1)} KiB each)`);
  console.log(`      the zone's own reading (decodeSif: XML → JSON form → typed message) ${fmt(EVENTS / secondsR)} messages/s`);
  console.log(`  peak memory: node ${nodeMemory ?? '?'} MiB, bench process ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
  setup.destroy();
  await poll.close();
  await orm.close(true);
} finally {
  if (child) await stopProcess(child);
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
