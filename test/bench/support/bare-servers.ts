import { createPublicKey, verify } from 'node:crypto';
import Fastify from 'fastify';

/**
 * The baselines of bench:router-auth, started as their own process:
 * `crypto-limit` does nothing per request but one raw crypto.verify of the
 * same signature base with the same RSA-2048 key; `bare` does nothing at all.
 * Usage: bare-servers.ts MODE PORT (the key and bytes come in BENCH_* env vars).
 */
const [mode, port] = process.argv.slice(2);
const app = Fastify({ logger: false });
if (mode === 'crypto-limit') {
  const publicKey = createPublicKey(process.env.BENCH_PUBLIC_KEY!);
  const base = Buffer.from(process.env.BENCH_BASE!, 'base64');
  const signature = Buffer.from(process.env.BENCH_SIGNATURE!, 'base64');
  app.get('/v1/status', async (_request, reply) => {
    if (!verify('sha256', base, publicKey, signature)) return reply.code(401).send({ error: 'bad signature' });
    return { exchangeStatus: 'Active' };
  });
} else {
  app.get('/v1/status', async () => ({ exchangeStatus: 'Active' }));
}
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
