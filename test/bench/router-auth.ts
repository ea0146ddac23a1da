import { parseSignature, signatureBase, signableFromUrl } from '../../src/crypto/http-signature.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { checkConfig } from '../../src/config/load-config.js';
import { createCertificateRequest, loadOrCreateCertificateAuthority } from '../../src/crypto/certificate-authority.js';
import { keyIdOf, loadOrCreateKeyPair } from '../../src/crypto/keys.js';
import { RouterClient } from '../../src/router-client/router-client.js';
import { approveDistrict } from '../../src/router/registry.js';
import { routerSchema } from '../../src/router/router-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { ensureDatabase, findFreePort, startEmbeddedPostgres } from '../../src/storage/embedded-postgres.js';
import { ROOT, peakMemoryMiB, spawnTs, stopProcess, waitForHttp } from '../support/processes.js';
import { processCpuSeconds } from './support/process-cpu.js';
import { WRK_INSTALLED, wrkPercentileMs } from './support/wrk.js';

/**
 * bench:router-auth — a small signed status call against four servers, in
 * one run (issue: Foundation):
 *   1. the real router (signature, digest, replay and certificate checks);
 *   2. the crypto limit: a bare Fastify route doing one raw crypto.verify of
 *      the same bytes with the same RSA-2048 key;
 *   3. an unsigned bare Fastify route;
 *   2'. the crypto limit with its verify on libuv's thread pool, as the
 *      router verifies, so the ratio to it shows what the router adds.
 * Every request to the real router carries its own pre-signed nonce, so the
 * replay guard sees real traffic. Target: (1) ≥ 80% of (2).
 */
const MEASURED = Number(process.env.BENCH_REQUESTS ?? 30_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 4_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SPARE = 1.6;
const WRK_SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/**
 * The three servers are measured in turns, this many rounds, and each figure
 * is the median of its rounds: on a shared machine the speed drifts by
 * several percent within a minute, and measuring each server once, one after
 * the other, put that drift into the ratios.
 */
const WRK_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Enough signed requests for a 1 s warm-up and every measured round at up to 12k requests/s. */
const WRK_PRESIGNED = Number(process.env.BENCH_PRESIGNED ?? (WRK_ROUNDS * WRK_SECONDS + 1) * 12_000);

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  /** The server's CPU time (user + system) per request in the measured run, in µs. */
  cpuUs: number;
}

const dir = mkdtempSync(join(tmpdir(), 'rex-bench-auth-'));
const postgres = await startEmbeddedPostgres(join(dir, 'postgres'));
const children: ReturnType<typeof spawnTs>[] = [];
try {
  await ensureDatabase(postgres.url('postgres'), 'rex_router');
  const [routerPort, cryptoPort, barePort, poolPort] = [await findFreePort(), await findFreePort(), await findFreePort(), await findFreePort()];
  const routerUrl = `http://127.0.0.1:${routerPort}`;
  const configFile = join(dir, 'router.json');
  const config = { dataDir: join(dir, 'router'), databaseUrl: postgres.url('rex_router'), logLevel: 'warn', http: { host: '127.0.0.1', port: routerPort } };
  writeFileSync(configFile, JSON.stringify(config));
  // BENCH_PROFILE_DIR=dir writes CPU profiles of the router and the two baseline servers there.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const router = spawnTs('src/cli/main.ts', ['router', '--config', configFile], {}, profile);
  children.push(router);
  await waitForHttp(`${routerUrl}/healthz`);

  const keyFile = join(dir, 'node-key.pem');
  const keys = loadOrCreateKeyPair(keyFile);
  const keyId = keyIdOf(keys.publicKeyPem);
  await registerAndApprove(routerUrl, keys, keyId, config);

  // Each connection gets its own slice of signed requests with room to spare, since
  // faster connections send more than their share; a reused nonce would be a replay.
  const total = WRK_INSTALLED ? WRK_PRESIGNED : Math.ceil((MEASURED + WARMUP) * SPARE);
  console.log(`pre-signing ${total} requests in two processes…`);
  const signed = await presign(keyFile, keyId, `${routerUrl}/v1/status`, total);
  const sample = signed[0]!;
  const request = { ...signableFromUrl('GET', `${routerUrl}/v1/status`), headers: sample };
  const parsed = parseSignature(request, '', 300);
  if (!parsed.ok) throw new Error('the pre-signed request does not parse');
  const base = signatureBase(request, parsed.signature.components, parsed.signature.params);

  const env = { BENCH_PUBLIC_KEY: keys.publicKeyPem, BENCH_BASE: Buffer.from(base).toString('base64'), BENCH_SIGNATURE: parsed.signature.signature.toString('base64') };
  for (const [mode, port] of [['crypto-limit', cryptoPort], ['bare', barePort], ['crypto-limit-pool', poolPort]] as const) {
    const child = spawnTs('test/bench/support/bare-servers.ts', [mode, String(port)], env, profile);
    children.push(child);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`);
  }

  const servers = [
    { name: '1. real router (signed, checked)', url: routerUrl, pid: router.pid },
    { name: '2. crypto limit (one raw verify)', url: `http://127.0.0.1:${cryptoPort}`, pid: children[1]!.pid },
    { name: '3. bare route (unsigned)', url: `http://127.0.0.1:${barePort}`, pid: children[2]!.pid },
    { name: "2'. crypto limit on the thread pool", url: `http://127.0.0.1:${poolPort}`, pid: children[3]!.pid },
  ];
  const results: Figures[] = [];
  if (WRK_INSTALLED) results.push(...(await loadInTurnsWithWrk(servers, signed)));
  else for (const server of servers) results.push(await load(server.name, server.url, signed, server.pid));

  const how = WRK_INSTALLED
    ? `wrk, 1 thread, ${WRK_ROUNDS} rounds of ${WRK_SECONDS} s per server in turns after a 1 s warm-up each, medians`
    : `autocannon (install Debian's wrk for a lighter load generator), ${MEASURED} requests each after ${WARMUP} warm-up`;
  console.log(`\nbench:router-auth — GET /v1/status, ${how}, ${CONNECTIONS} connections, RSA-2048, every router request with its own nonce`);
  console.log('server                               req/s     p50 ms   p99 ms   server CPU µs/req');
  for (const r of results) {
    console.log(`${r.name.padEnd(36)} ${String(Math.round(r.rps)).padStart(7)}   ${r.p50.toFixed(2).padStart(6)}   ${r.p99.toFixed(2).padStart(6)}   ${r.cpuUs.toFixed(0).padStart(6)}`);
  }
  const [real, limit, bare, pool] = results as [Figures, Figures, Figures, Figures];
  console.log(`\nratio (1)/(2) real router / crypto limit: ${((100 * real.rps) / limit.rps).toFixed(1)}%   (target ≥ 80%)`);
  console.log(`ratio (1)/(3) real router / bare route:   ${((100 * real.rps) / bare.rps).toFixed(1)}%`);
  console.log(`ratio (1)/(2') real router / crypto limit with the verify on the thread pool, as the router does it: ${((100 * real.rps) / pool.rps).toFixed(1)}%`);
  // CPU per request does not depend on what else the machine is doing, unlike requests per second.
  console.log(`server CPU per request, (2)/(1):          ${((100 * limit.cpuUs) / real.cpuUs).toFixed(1)}%   (the same ratio on an idle machine)`);
  console.log(`router peak memory: ${peakMemoryMiB(router.pid) ?? '?'} MiB`);
} finally {
  for (const child of children) await stopProcess(child);
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function registerAndApprove(routerUrl: string, keys: { privateKeyPem: string; publicKeyPem: string }, keyId: string, config: object) {
  const client = new RouterClient(routerUrl, { keyId, privateKeyPem: keys.privateKeyPem });
  const district = { ncesId: '0199999', name: 'Benchmark County Schools', state: 'AL' };
  const terms = await client.terms();
  if (!terms.ok) throw new Error('no terms');
  const registered = await client.register({
    district,
    endpoint: 'http://127.0.0.1:1/',
    deliveryMode: 'push',
    termsVersion: terms.body.version,
    applicationName: 'bench',
    registeredBy: 'Benchmark',
    certificateRequest: createCertificateRequest(keys, district),
    localities: { cities: ['Mobile'], zips: ['36602'] },
  });
  if (!registered.ok) throw new Error(`registration refused: ${JSON.stringify(registered.problem)}`);
  const orm = await openDatabase((config as { databaseUrl: string }).databaseUrl, routerSchema, 2);
  const ca = loadOrCreateCertificateAuthority(join((config as { dataDir: string }).dataDir, 'ca'));
  const approved = await approveDistrict(orm.em.fork(), ca, district.ncesId, 30);
  await orm.close(true);
  if (!approved.ok) throw new Error(approved.refusal.detail);
  for (let i = 0; i < 50; i++) {
    const status = await client.status();
    if (status.ok && status.body.exchangeStatus === 'Active') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the benchmark district did not become Active');
}

async function presign(keyFile: string, keyId: string, url: string, count: number): Promise<Record<string, string>[]> {
  const half = Math.ceil(count / 2);
  const parts = await Promise.all(
    [half, count - half].map(
      (n) =>
        new Promise<string>((resolve, reject) => {
          const child = spawnTs('test/bench/support/presign.ts', [keyFile, keyId, url, String(n)]);
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
          child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`presign exited ${code}`))));
        }),
    ),
  );
  return parts.flatMap((text) => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, string>));
}

async function load(name: string, url: string, signed: Record<string, string>[], pid?: number): Promise<Figures> {
  const warmup = signed.slice(0, Math.ceil(WARMUP * SPARE));
  const measured = signed.slice(warmup.length);
  const run = (amount: number, pool: Record<string, string>[]) => {
    const share = Math.floor(pool.length / CONNECTIONS);
    let connection = 0;
    return autocannon({
      url,
      connections: CONNECTIONS,
      amount,
      setupClient: (client) => {
        const slice = pool.slice(connection * share, ++connection * share);
        client.setRequests(slice.map((headers) => ({ method: 'GET', path: '/v1/status', headers })));
      },
    });
  };
  await run(WARMUP, warmup);
  const cpuBefore = processCpuSeconds(pid);
  const started = performance.now();
  const result = await run(MEASURED, measured);
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpuPerRequest(cpuBefore, processCpuSeconds(pid), result.requests.total);
  const failures = result.non2xx + result.errors;
  if (failures > 0) throw new Error(`${name}: ${failures} requests failed (non-2xx or errors)`);
  return { name, rps: result.requests.total / seconds, p50: result.latency.p50, p99: result.latency.p99, cpuUs };
}

/**
 * Runs wrk with pre-signed requests: a 1 s warm-up per server, then
 * WRK_ROUNDS rounds in which each server takes its turn; every round sends
 * its own slice of the requests, so no nonce reaches the router twice.
 * Each server's figures are the medians of its rounds. Fails if any request
 * was refused (a reused nonce would be: then raise BENCH_PRESIGNED).
 */
async function loadInTurnsWithWrk(servers: { name: string; url: string; pid?: number }[], signed: Record<string, string>[]): Promise<Figures[]> {
  const slice = Math.floor(signed.length / (WRK_ROUNDS * WRK_SECONDS + 1));
  const files = Array.from({ length: WRK_ROUNDS + 1 }, (_, i) => {
    const part = i === 0 ? signed.slice(0, slice) : signed.slice(slice + (i - 1) * slice * WRK_SECONDS, slice + i * slice * WRK_SECONDS);
    const file = join(dir, `signed-${i}.tsv`);
    writeFileSync(file, part.map((h) => `${h['signature-input']}\t${h.signature}\t${h['content-digest']}`).join('\n'));
    return file;
  });
  const script = join(ROOT, 'test/bench/support/signed-requests.lua');
  const wrk = (seconds: number, url: string, file: string) =>
    execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-s', script, `${url}/v1/status`, '--', file, '1'], { encoding: 'utf8' });
  for (const server of servers) wrk(1, server.url, files[0]!);
  const rounds = servers.map(() => [] as Figures[]);
  for (let round = 1; round <= WRK_ROUNDS; round++) {
    for (const [i, server] of servers.entries()) {
      const cpuBefore = processCpuSeconds(server.pid);
      const out = wrk(WRK_SECONDS, server.url, files[round]!);
      const cpuAfter = processCpuSeconds(server.pid);
      const refused = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (refused) throw new Error(`${server.name}: ${refused[1]} requests refused (out of pre-signed requests? raise BENCH_PRESIGNED)`);
      const percentile = (p: number) => wrkPercentileMs(out, p);
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      rounds[i]!.push({
        name: server.name,
        rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
        p50: percentile(50),
        p99: percentile(99),
        cpuUs: cpuPerRequest(cpuBefore, cpuAfter, requests),
      });
    }
  }
  return rounds.map((figures) => ({
    name: figures[0]!.name,
    rps: median(figures.map((f) => f.rps)),
    p50: median(figures.map((f) => f.p50)),
    p99: median(figures.map((f) => f.p99)),
    cpuUs: median(figures.map((f) => f.cpuUs)),
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function cpuPerRequest(before: number | undefined, after: number | undefined, requests: number): number {
  return before === undefined || after === undefined || !requests ? Number.NaN : ((after - before) * 1e6) / requests;
}

