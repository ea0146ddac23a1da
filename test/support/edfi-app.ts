import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { checkConfig } from '../../src/config/load-config.js';
import { buildNodeApp } from '../../src/http/node-app.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from './database.js';

/** A district node app on a fresh database, without authentication, for Ed-Fi API tests. */
export async function startEdfiNode(): Promise<{ app: FastifyInstance; orm: MikroORM; close(): Promise<void> }> {
  const url = await createTestDatabase('node');
  const config = checkConfig({
    dataDir: mkdtempSync(join(tmpdir(), 'rex-edfi-')),
    databaseUrl: url,
    logLevel: 'silent',
    node: { routerUrl: 'http://127.0.0.1:9', district: { ncesId: '0499901', name: 'Test USD', state: 'AZ' }, edfi: { requireToken: false } },
  });
  const orm = await openDatabase(url, nodeSchema, 20);
  const app = await buildNodeApp({ config, orm });
  return {
    app,
    orm,
    async close() {
      await app.close();
      await orm.close(true);
    },
  };
}
