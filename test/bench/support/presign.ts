import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { signRequest, signableFromUrl } from '../../../src/crypto/http-signature.js';

/**
 * Signs COUNT distinct GET requests (each with its own nonce) for the
 * benchmark and prints their headers as JSON lines. Run as a child process so
 * that signing uses every core. Usage: presign.ts KEYFILE KEYID URL COUNT
 */
const [keyFile, keyId, url, count] = process.argv.slice(2);
const privateKey = createPrivateKey(readFileSync(keyFile!, 'utf8'));
const lines: string[] = [];
for (let i = 0; i < Number(count); i++) {
  lines.push(JSON.stringify(signRequest(signableFromUrl('GET', url!), '', { keyId: keyId!, privateKey })));
}
process.stdout.write(`${lines.join('\n')}\n`);
