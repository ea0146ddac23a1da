import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { buildNodeApp } from '../../src/http/node-app.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from './database.js';
import { TEST_DISTRICT, testNodeConfig } from './node-config.js';

/** A district node app on a fresh database, without authentication, for Ed-Fi API tests. */
export async function startEdfiNode(): Promise<{ app: FastifyInstance; orm: MikroORM; close(): Promise<void> }> {
  const url = await createTestDatabase('node');
  const config = testNodeConfig(url, TEST_DISTRICT, { edfi: { requireToken: false } });
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
