import { createPublicKey, verify as verifySignature, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { createCertificateRequest, loadOrCreateCertificateAuthority } from '../../src/crypto/certificate-authority.js';
import { parseSignature, signatureBase, signRequest, signableFromUrl } from '../../src/crypto/http-signature.js';
import { generateRsaKeyPair, keyIdOf, type PemKeyPair } from '../../src/crypto/keys.js';
import { sealPacket } from '../../src/crypto/sealed-packet.js';
import { buildNationalMessage, NATIONAL_DELIVERY_PATH, NATIONAL_ZONE_PATH, RECORD_OBJECT, ROUTER_CERTIFICATE_HEADER } from '../../src/national/national-envelope.js';
import { ackWithStatus } from '../../src/national/zone-sif.js';
import { RouterClient } from '../../src/router-client/router-client.js';
import { approveDistrict } from '../../src/router/registry.js';
import { routerSchema } from '../../src/router/router-schema.js';
import { encodeSif } from '../../src/sif/sif-codec.js';
import { newMsgId } from '../../src/sif/sif-message.js';
import { openDatabase } from '../../src/storage/database.js';
import { ensureDatabase, findFreePort, startEmbeddedPostgres } from '../../src/storage/embedded-postgres.js';
import { peakMemoryMiB, spawnTs, stopProcess, waitForHttp } from '../support/processes.js';
import { postgresCpuSeconds, processCpuSeconds } from './support/process-cpu.js';
import { sendEachOnceWithWrk, WRK_INSTALLED } from './support/wrk.js';

/**
 * bench:transfer — the national records transfer, measured in parts:
 *   (a) the router: sealed SIF messages per second signed by a sender,
 *       checked by the router (signature, certificate status, rights,
 *       routing), signed again and forwarded to a push-mode node on the
 *       direct path (router/national-zone/direct-forward.ts: each message's
 *       routing metadata recorded in PostgreSQL meanwhile), counted when the
 *       node acknowledges them;
 *   (b) baseline: a plain Fastify proxy forwarding the same bodies to the
 *       same node, no checks, no database, measured in the same run;
 *   (c) and (d), end-to-end transfer latency and the exact-match lookup,
 *       are measured by test/bench/transfer-workflow.ts, which needs whole
 *       districts; `npm run bench:transfer` runs it right after this file
 *       (`bench:transfer-router` runs (a) and (b) alone).
 * The push node is a sink process that verifies the router's signature on
 * every delivery and acknowledges every message, so (a) measures the router
 * and not a node's decryption. Target for (a): ≥ 1,500 messages/s.
 * For (a) and (b) it also prints each part's CPU time per message (router or
 * proxy, PostgreSQL, the senders, the push node), from /proc.
 *
 * The senders: Debian's wrk when installed, sending each pre-signed request
 * once (support/each-request-once.lua) over CONCURRENCY connections; it costs
 * a fraction of the CPU of a JavaScript client, which would otherwise take
 * its share of the two cores from what is measured. Without wrk, or with
 * BENCH_SENDERS=node, this process sends with undici.
 *
 * The same file runs the helper processes: `transfer.ts sink PORT` and
 * `transfer.ts proxy PORT TARGET`.
 */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 6_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONNECTIONS ?? 64);
/** The form nodes send in (json, as rex nodes do; xml for SIS-style traffic). */
const FORMAT = process.env.BENCH_FORMAT === 'xml' ? 'xml' : 'json';
const SELF = fileURLToPath(import.meta.url);
const USE_WRK = WRK_INSTALLED && process.env.BENCH_SENDERS !== 'node';

const [role, ...roleArgs] = process.argv.slice(2);
if (role === 'sink') await runSink(Number(roleArgs[0]));
else if (role === 'proxy') await runProxy(Number(roleArgs[0]), roleArgs[1]!);
else await main();

interface Figures {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
}

interface SignedMessage {
  body: string | Buffer;
  headers: Record<string, string>;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rex-bench-transfer-'));
  const postgres = await startEmbeddedPostgres(join(dir, 'postgres'));
  const children: ReturnType<typeof spawnTs>[] = [];
  try {
    await ensureDatabase(postgres.url('postgres'), 'rex_router');
    const [routerPort, sinkPort, proxyPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    const routerUrl = `http://127.0.0.1:${routerPort}`;
    const sinkUrl = `http://127.0.0.1:${sinkPort}`;
    const config = { dataDir: join(dir, 'router'), databaseUrl: postgres.url('rex_router'), logLevel: 'warn', http: { host: '127.0.0.1', port: routerPort } };
    writeFileSync(join(dir, 'router.json'), JSON.stringify(config));
    // BENCH_PROFILE_DIR=dir writes a CPU profile of the router process there.
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    const router = spawnTs('src/cli/main.ts', ['router', '--config', join(dir, 'router.json')], {}, profile);
    const sink = spawnTs(SELF, ['sink', String(sinkPort)]);
    const proxy = spawnTs(SELF, ['proxy', String(proxyPort), sinkUrl]);
    children.push(router, sink, proxy);
    await Promise.all([waitForHttp(`${routerUrl}/healthz`), waitForHttp(`${sinkUrl}/healthz`), waitForHttp(`http://127.0.0.1:${proxyPort}/healthz`)]);

    const sender = { ncesId: '0199901', name: 'Benchmark County Schools', state: 'AL', keys: generateRsaKeyPair() };
    const receiver = { ncesId: '0199902', name: 'Benchmark City Schools', state: 'AL', keys: generateRsaKeyPair() };
    await joinExchange(routerUrl, config, sender, 'http://127.0.0.1:1/');
    await joinExchange(routerUrl, config, receiver, sinkUrl);

    console.log(`signing ${MESSAGES + WARMUP} sealed messages…`);
    const messages = await signMessages(routerUrl, sender, receiver, MESSAGES + WARMUP);
    const warmup = messages.slice(0, WARMUP);
    const measured = messages.slice(WARMUP);

    const results: Figures[] = [];
    // CPU seconds so far of each part: on a shared 2-core machine they show where each message's cost lands.
    const pgdata = join(dir, 'postgres', 'pgdata');
    const cpu = () => {
      const self = process.cpuUsage();
      return {
        router: processCpuSeconds(router.pid) ?? 0,
        proxy: processCpuSeconds(proxy.pid) ?? 0,
        PostgreSQL: postgresCpuSeconds(pgdata),
        'push node': processCpuSeconds(sink.pid) ?? 0,
        // wrk's CPU is counted once it has exited and been waited for: a reaped child's.
        senders: USE_WRK ? (processCpuSeconds(process.pid, true) ?? 0) - (processCpuSeconds(process.pid) ?? 0) : (self.user + self.system) / 1e6,
      };
    };
    const sendAll = (baseUrl: string, batch: SignedMessage[], name: string) => (USE_WRK ? sendWithWrk(baseUrl, batch, join(dir, `${name}.http`), sinkUrl) : send(baseUrl, batch));
    await sendAll(routerUrl, warmup, 'warmup-a');
    await waitForCount(sinkUrl, WARMUP);
    const beforeA = cpu();
    results.push(await measure('(a) router: signed, checked, forwarded', sinkUrl, measured.length, () => sendAll(routerUrl, measured, 'measured-a')));
    const cpuA = cpuPerMessage(beforeA, cpu(), measured.length, ['router', 'PostgreSQL', 'senders', 'push node']);
    await resetCount(sinkUrl);
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;
    await sendAll(proxyUrl, warmup, 'warmup-b');
    await waitForCount(sinkUrl, WARMUP);
    const beforeB = cpu();
    results.push(await measure('(b) plain Fastify proxy, same bodies', sinkUrl, measured.length, () => sendAll(proxyUrl, measured, 'measured-b')));
    const cpuB = cpuPerMessage(beforeB, cpu(), measured.length, ['proxy', 'senders', 'push node']);

    const senders = USE_WRK ? `wrk with ${CONCURRENCY} connections` : `${CONCURRENCY} concurrent senders in this process`;
    console.log(`\nbench:transfer — ${MESSAGES} sealed SIF messages (${FORMAT}, ${Buffer.byteLength(measured[0]!.body)} bytes), ${senders}, RSA-2048, counted when the push node acknowledges them`);
    console.log('part                                            msg/s    p50 ms   p99 ms');
    for (const r of results) console.log(`${r.name.padEnd(46)} ${String(Math.round(r.perSecond)).padStart(7)}   ${r.p50.toFixed(2).padStart(6)}   ${r.p99.toFixed(2).padStart(6)}`);
    const [real, plain] = results as [Figures, Figures];
    console.log(`\nratio (a)/(b) router / plain proxy: ${((100 * real.perSecond) / plain.perSecond).toFixed(1)}%   (target for (a): ≥ 1,500 msg/s)`);
    console.log(`CPU per message, (a): ${cpuA}`);
    console.log(`CPU per message, (b): ${cpuB}`);
    console.log('(c) end-to-end transfer latency and (d) exact-match lookup: test/bench/transfer-workflow.ts, which npm run bench:transfer runs next');
    console.log(`peak memory: router ${peakMemoryMiB(router.pid) ?? '?'} MiB, proxy ${peakMemoryMiB(proxy.pid) ?? '?'} MiB, push node (sink) ${peakMemoryMiB(sink.pid) ?? '?'} MiB`);
  } finally {
    for (const child of children) await stopProcess(child);
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The CPU time per message of each named part between two snapshots, and their sum. */
function cpuPerMessage<K extends string>(before: Record<K, number>, after: Record<K, number>, messages: number, parts: K[]): string {
  const ms = parts.map((k) => ((after[k] - before[k]) * 1000) / messages);
  const sum = ms.reduce((a, b) => a + b, 0);
  return `${parts.map((k, i) => `${k} ${ms[i]!.toFixed(2)} ms`).join(', ')}; ${sum.toFixed(2)} ms in all`;
}

/** Registers a district with its key and has the operator approve it. */
async function joinExchange(routerUrl: string, config: { databaseUrl: string; dataDir: string }, district: { ncesId: string; name: string; state: string; keys: PemKeyPair }, endpoint: string) {
  const client = new RouterClient(routerUrl, { keyId: keyIdOf(district.keys.publicKeyPem), privateKeyPem: district.keys.privateKeyPem });
  const terms = await client.terms();
  if (!terms.ok) throw new Error('no terms');
  const { ncesId, name, state } = district;
  const registered = await client.register({
    district: { ncesId, name, state },
    endpoint,
    deliveryMode: 'push',
    termsVersion: terms.body.version,
    applicationName: 'bench',
    registeredBy: 'Benchmark',
    certificateRequest: createCertificateRequest(district.keys, { ncesId, name, state }),
    localities: { cities: ['Mobile'], zips: ['36602'] },
  });
  if (!registered.ok) throw new Error(`registration refused: ${JSON.stringify(registered.problem)}`);
  const orm = await openDatabase(config.databaseUrl, routerSchema, 2);
  const approved = await approveDistrict(orm.em.fork(), loadOrCreateCertificateAuthority(join(config.dataDir, 'ca')), ncesId, 30);
  await orm.close(true);
  if (!approved.ok) throw new Error(approved.refusal.detail);
  for (let i = 0; i < 50; i++) {
    const status = await client.status();
    if (status.ok && status.body.exchangeStatus === 'Active') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${ncesId} did not become Active`);
}

/** Sealed SIF_Requests, each with its own SIF_MsgId and signature (the payload is sealed once: sealing is the sender's cost, not the router's). */
async function signMessages(routerUrl: string, sender: { ncesId: string; keys: PemKeyPair }, receiver: { ncesId: string; keys: PemKeyPair }, count: number): Promise<SignedMessage[]> {
  const keyId = keyIdOf(sender.keys.publicKeyPem);
  const payload = Buffer.from(JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace', birthDate: '2012-12-10', gender: 'F', comments: 'x'.repeat(600) }));
  const sealed = await sealPacket(payload, { keyId, privateKey: sender.keys.privateKeyPem }, receiver.keys.publicKeyPem);
  const url = `${routerUrl}${NATIONAL_ZONE_PATH}`;
  const messages: SignedMessage[] = [];
  for (let i = 0; i < count; i++) {
    const message = buildNationalMessage(sender.ncesId, { type: 'SIF_Request', msgId: newMsgId(), destinationId: receiver.ncesId, objectName: RECORD_OBJECT }, sealed);
    const body = encodeSif(message, FORMAT);
    const headers: Record<string, string> = { 'content-type': FORMAT === 'xml' ? 'application/xml' : 'application/json' };
    Object.assign(headers, signRequest(signableFromUrl('POST', url, headers), body, { keyId, privateKey: sender.keys.privateKeyPem }));
    messages.push({ body, headers });
  }
  return messages;
}

/** What the senders measured: each request's latency in ms, or wrk's own running time and percentiles. */
type Sent = number[] | { seconds: number; p50: number; p99: number };

/** Sends every message once with wrk, stopped once the push node has counted them all. */
async function sendWithWrk(baseUrl: string, messages: SignedMessage[], file: string, sinkUrl: string): Promise<Sent> {
  const requests = messages.map((m) => ({ path: NATIONAL_ZONE_PATH, headers: m.headers, body: m.body }));
  return sendEachOnceWithWrk(baseUrl, requests, file, CONCURRENCY, () => waitForCount(sinkUrl, messages.length));
}

/**
 * Sends every message with CONCURRENCY requests in flight; returns each request's latency in ms.
 * The senders share this machine's two cores with what they measure, so they use undici's
 * request API, which costs about half the CPU per request of node:http's client.
 */
async function send(baseUrl: string, messages: SignedMessage[]): Promise<number[]> {
  const pool = new Pool(baseUrl, { connections: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < messages.length) {
      const message = messages[next++]!;
      const started = performance.now();
      const answer = await post(pool, NATIONAL_ZONE_PATH, message);
      latencies.push(performance.now() - started);
      if (answer.status !== 200 || !/<SIF_Code>0<\/SIF_Code>|"SIF_Code":"0"/.test(answer.body)) throw new Error(`not accepted (${answer.status}): ${answer.body.slice(0, 400)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await pool.close();
  return latencies;
}

async function post(pool: Pool, path: string, message: SignedMessage): Promise<{ status: number; body: string; contentType: string }> {
  const response = await pool.request({ path, method: 'POST', headers: message.headers, body: message.body });
  const contentType = response.headers['content-type'];
  return { status: response.statusCode, body: await response.body.text(), contentType: typeof contentType === 'string' ? contentType : 'application/xml' };
}

/**
 * Sends the messages and waits until the push node has acknowledged all of
 * them. With wrk, the time is wrk's own running time, from its first request
 * (its start-up, reading the requests, is left out) to the SIGINT sent once
 * the push node has them all.
 */
async function measure(name: string, sinkUrl: string, count: number, sendAll: () => Sent | Promise<Sent>): Promise<Figures> {
  await resetCount(sinkUrl);
  const started = performance.now();
  const sent = await sendAll();
  const sentAt = performance.now();
  await waitForCount(sinkUrl, count);
  if (!Array.isArray(sent)) {
    const seconds = sent.seconds + (performance.now() - sentAt) / 1000;
    return { name, perSecond: count / seconds, p50: sent.p50, p99: sent.p99 };
  }
  const seconds = (performance.now() - started) / 1000;
  sent.sort((a, b) => a - b);
  const at = (p: number) => sent[Math.min(sent.length - 1, Math.floor(p * sent.length))]!;
  return { name, perSecond: count / seconds, p50: at(0.5), p99: at(0.99) };
}

async function waitForCount(sinkUrl: string, count: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const received = Number(await (await fetch(`${sinkUrl}/count`)).text());
    if (received >= count) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the push node did not receive ${count} messages in time`);
}

async function resetCount(sinkUrl: string): Promise<void> {
  await fetch(`${sinkUrl}/count`, { method: 'DELETE' });
}

/**
 * The push node of the benchmark: verifies the router's RFC 9421 signature
 * on each delivery (with the key of the certificate the router sends) and
 * acknowledges every message it carries, single or batched.
 */
async function runSink(port: number): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  let count = 0;
  const keys = new Map<string, ReturnType<typeof createPublicKey>>();
  const ack = encodeSif(ackWithStatus('0199902', { msgId: newMsgId(), sourceId: '0199901' }, 1), 'xml');
  const jsonAck = encodeSif(ackWithStatus('0199902', { msgId: newMsgId(), sourceId: '0199901' }, 1), 'json');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/count', async () => String(count));
  app.delete('/count', async () => {
    count = 0;
    return '0';
  });
  app.post(NATIONAL_DELIVERY_PATH, async (request, reply) => {
    const body = request.body as Buffer;
    const certificate = request.headers[ROUTER_CERTIFICATE_HEADER] as string | undefined;
    if (certificate) {
      const url = request.raw.url ?? '/';
      const signable = { method: 'POST', authority: request.headers.host ?? '', path: url, query: '', headers: request.headers };
      const parsed = parseSignature(signable, body, 300);
      let key = keys.get(certificate);
      if (!key) keys.set(certificate, (key = new X509Certificate(Buffer.from(certificate, 'base64')).publicKey));
      if (!parsed.ok || !verifySignature('sha256', Buffer.from(signatureBase(signable, parsed.signature.components, parsed.signature.params)), key, parsed.signature.signature)) {
        return reply.code(401).send('bad router signature');
      }
    }
    const contentType = request.headers['content-type'] ?? '';
    if (contentType.includes('zone-batch')) {
      const batch = JSON.parse(body.toString('utf8')) as { messages: unknown[] };
      count += batch.messages.length;
      return reply.type('application/json').send(`{"acks":[${batch.messages.map(() => jsonAck).join(',')}]}`);
    }
    count++;
    return contentType.includes('json') ? reply.type('application/json').send(jsonAck) : reply.type('application/xml').send(ack);
  });
  await app.listen({ host: '127.0.0.1', port });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

/** The baseline: a Fastify route that forwards each body to the node and returns its answer. */
async function runProxy(port: number, target: string): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  const pool = new Pool(target, { connections: 256 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.post(NATIONAL_ZONE_PATH, async (request, reply) => {
    const answer = await post(pool, NATIONAL_DELIVERY_PATH, { body: request.body as Buffer, headers: { 'content-type': request.headers['content-type'] ?? 'application/xml' } });
    // The node answers with an agent ack (status 1); the sender expects the zone's acceptance.
    return reply.code(answer.status).type(answer.contentType).send(answer.body.replace('<SIF_Code>1</SIF_Code>', '<SIF_Code>0</SIF_Code>').replace('"SIF_Code":"1"', '"SIF_Code":"0"'));
  });
  await app.listen({ host: '127.0.0.1', port });
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
