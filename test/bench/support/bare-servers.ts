import { createPublicKey, verify } from 'node:crypto';
import Fastify from 'fastify';

/**
 * The baselines of bench:router-auth, started as their own process:
 * `crypto-limit` does nothing per request but one raw crypto.verify of the
 * same signature base with the same RSA-2048 key; `crypto-limit-pool` does the
 * same verify on libuv's thread pool, as the router does; `bare` does nothing at all
 * (and answers POST /sif with a fixed body, for bench:sif).
 * Usage: bare-servers.ts MODE PORT (the key and bytes come in BENCH_* env vars).
 */
const [mode, port] = process.argv.slice(2);
const app = Fastify({ logger: false });
/** The signed bytes, signature and key both crypto limits verify (from the BENCH_* variables). */
function signedSample() {
  return {
    publicKey: createPublicKey(process.env.BENCH_PUBLIC_KEY!),
    base: Buffer.from(process.env.BENCH_BASE!, 'base64'),
    signature: Buffer.from(process.env.BENCH_SIGNATURE!, 'base64'),
  };
}

if (mode === 'crypto-limit-pool') {
  const { publicKey, base, signature } = signedSample();
  app.get('/v1/status', (_request, reply) => {
    verify('sha256', base, publicKey, signature, (error, verified) => {
      if (error || !verified) reply.code(401).send({ error: 'bad signature' });
      else reply.send({ exchangeStatus: 'Active' });
    });
  });
} else if (mode === 'crypto-limit') {
  const { publicKey, base, signature } = signedSample();
  app.get('/v1/status', async (_request, reply) => {
    if (!verify('sha256', base, publicKey, signature)) return reply.code(401).send({ error: 'bad signature' });
    return { exchangeStatus: 'Active' };
  });
} else {
  app.get('/v1/status', async () => ({ exchangeStatus: 'Active' }));
  // bench:sif's floor for a pull agent: any XML POST answered with a fixed 2 KiB body, about a SIF_Ack carrying an event.
  const answer = `<SIF_Message>${'x'.repeat(2048 - 27)}</SIF_Message>`;
  app.addContentTypeParser('application/xml', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.post('/sif', async (_request, reply) => reply.type('application/xml').send(answer));
}
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
