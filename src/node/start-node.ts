import type { FastifyInstance } from 'fastify';
import { publicUrl, type RexConfig } from '../config/load-config.js';
import { buildNodeApp } from '../http/node-app.js';
import { NationalHandlers } from '../national/national-handlers.js';
import { startNationalMessaging } from '../national/national-node.js';
import { openRoleDatabase, type RoleDatabase } from '../storage/role-database.js';
import { registerTransferOutbox } from '../transfer/transfer-node.js';
import { nodeSchema } from './node-schema.js';
import { nodeSettings } from './registration.js';

/** A listening district node. */
export interface RunningNode {
  app: FastifyInstance;
  database: RoleDatabase;
  url: string;
  close(): Promise<void>;
}

/** Opens the node's database (migrating it), builds its app and listens. */
export async function startNode(config: RexConfig, database?: RoleDatabase): Promise<RunningNode> {
  nodeSettings(config);
  const db = database ?? (await openRoleDatabase(config, nodeSchema));
  // One set of national message handlers serves both ways in: the push endpoint and the pull poller.
  const nationalHandlers = new NationalHandlers();
  const app = await buildNodeApp({ config, orm: db.orm, nationalHandlers, databaseUrl: db.url });
  await app.listen({ host: config.http.host, port: config.http.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  // The outbox worker and, in pull mode, the poller of the national zone (DESIGN §6: durable delivery).
  const national = startNationalMessaging(config, db.orm, nationalHandlers, (line) => app.log.warn(line));
  // The records-transfer workflow wakes the outbox so requests and releases leave at once.
  const unregisterOutbox = registerTransferOutbox(nodeSettings(config).district.ncesId, () => national.outbox.drain());
  return {
    app,
    database: db,
    url: config.http.publicUrl ?? publicUrl({ ...config, http: { ...config.http, port } }),
    async close() {
      unregisterOutbox();
      await national.stop();
      await app.close();
      if (!database) await db.close();
    },
  };
}
