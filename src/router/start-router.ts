import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { publicUrl, type RexConfig } from '../config/load-config.js';
import { loadOrCreateCertificateAuthority } from '../crypto/certificate-authority.js';
import { ReplayGuard } from '../crypto/replay-guard.js';
import { buildRouterApp, type RouterAppDeps } from '../http/router-app.js';
import { openRoleDatabase, type RoleDatabase } from '../storage/role-database.js';
import { CallerCache } from './callers.js';
import { listenForDistrictChanges } from './district-changes.js';
import { findDistrictByKey } from './registry.js';
import { routerSchema } from './router-schema.js';

/** A router app with its services, not yet listening. */
export interface PreparedRouter {
  app: FastifyInstance;
  deps: RouterAppDeps;
  close(): Promise<void>;
}

/** A listening router. */
export interface RunningRouter extends PreparedRouter {
  url: string;
}

/**
 * Opens the router's database (migrating it), loads or creates its CA in
 * `dataDir/ca`, listens for district changes and builds the app.
 */
export async function prepareRouter(config: RexConfig, database?: RoleDatabase): Promise<PreparedRouter> {
  const db = database ?? (await openRoleDatabase(config, routerSchema));
  const ca = loadOrCreateCertificateAuthority(join(config.dataDir, 'ca'));
  const callers = new CallerCache((keyId) => findDistrictByKey(db.orm.em.fork(), keyId));
  const stopListening = await listenForDistrictChanges(db.url, (ncesId) => callers.invalidate(ncesId));
  const deps: RouterAppDeps = { config, orm: db.orm, ca, callers, replays: new ReplayGuard(config.router.signatureWindowSeconds) };
  const app = await buildRouterApp(deps);
  return {
    app,
    deps,
    async close() {
      await app.close();
      await stopListening();
      if (!database) await db.close();
    },
  };
}

/** Starts the router and listens on the configured host and port. */
export async function startRouter(config: RexConfig, database?: RoleDatabase): Promise<RunningRouter> {
  const prepared = await prepareRouter(config, database);
  await prepared.app.listen({ host: config.http.host, port: config.http.port });
  const address = prepared.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = config.http.publicUrl ?? publicUrl({ ...config, http: { ...config.http, port } });
  return { ...prepared, url };
}
