import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { RexConfig } from '../config/load-config.js';
import { edfiRoutes } from './edfi-routes.js';
import { nationalRoutes } from './national-routes.js';
import { bulkRoutes } from './bulk-routes.js';
import { edfiAccess, oauthRoutes } from './oauth-routes.js';
import { zoneAdminRoutes } from './zone-admin-routes.js';
import { zoneRoutes } from './zone-routes.js';
import { startSisAgentThread } from '../sis-sync/agent-thread.js';
import { sisNodeAgentBatchFor } from '../sis-sync/sis-node-agent.js';
import { transferRoutes } from './transfer-routes.js';
import { NationalHandlers } from '../national/national-handlers.js';

/** What the node's HTTP app needs from the running process. */
export interface NodeAppDeps {
  config: RexConfig;
  orm: MikroORM;
  /** This node's handlers of national zone messages (features such as the transfer workflow register on them). */
  nationalHandlers: NationalHandlers;
  /**
   * The node's database, for threads that open connections of their own:
   * when given, the SIS node agent runs in a thread (src/sis-sync/agent-thread.ts),
   * otherwise on the main thread (tests of the app alone).
   */
  databaseUrl?: string;
}

/** A feature's routes, registered on the node app with the shared dependencies. */
export type NodeRoutes = FastifyPluginAsync<NodeAppDeps>;

/** The zone endpoint, with the node's own agent mapping SIS objects into the Ed-Fi store (issue 5, src/sis-sync/). */
const sisZoneRoutes: NodeRoutes = async (app, deps) => {
  const { databaseUrl } = deps;
  const options = databaseUrl
    ? { startDelivery: () => startSisAgentThread({ config: deps.config, databaseUrl }, app.log) }
    : { nodeAgentBatch: sisNodeAgentBatchFor(deps.orm, deps.config, app.log) };
  return zoneRoutes(options)(app, deps);
};

/**
 * The feature route plugins of a district node. Each feature (Ed-Fi API,
 * zones, transfer, …) adds its plugin here.
 */
const nodeRoutes: NodeRoutes[] = [oauthRoutes, bulkRoutes, edfiRoutes({ createAccess: edfiAccess }), sisZoneRoutes, zoneAdminRoutes, nationalRoutes, transferRoutes];

/**
 * Builds the district node's Fastify app without listening, so tests can
 * use `inject` and the CLI can `listen`.
 */
export async function buildNodeApp(options: Omit<NodeAppDeps, 'nationalHandlers'> & Partial<NodeAppDeps>): Promise<FastifyInstance> {
  const deps: NodeAppDeps = { ...options, nationalHandlers: options.nationalHandlers ?? new NationalHandlers() };
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    bodyLimit: deps.config.http.bodyLimit,
    trustProxy: true,
  });
  app.get('/healthz', async () => ({ status: 'ok', role: 'node', district: deps.config.node?.district.ncesId }));
  for (const routes of nodeRoutes) await app.register(routes, deps);
  return app;
}
