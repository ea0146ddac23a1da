import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';

/** The validated configuration of one rex process (see schemas/config.schema.json). */
export interface RexConfig {
  dataDir: string;
  databaseUrl?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  http: { host: string; port: number; publicUrl?: string; bodyLimit: number };
  router: {
    termsVersion: string;
    certificateValidityDays: number;
    signatureWindowSeconds: number;
    /** How long the NationalRouter zone keeps an undelivered message (seconds). */
    queueTtlSeconds: number;
  };
  node?: NodeSettings;
}

/** The district a node serves and how it reaches the router. */
export interface NodeSettings {
  district: { ncesId: string; name: string; state: string };
  routerUrl: string;
  deliveryMode: 'push' | 'pull';
  applicationName: string;
  /** Pull mode: the wait before asking the router again once its queue is empty (default 2000 ms). */
  pollIntervalMs?: number;
  /** The node's Ed-Fi API: `requireToken` (default true) is turned off only in tests of other features. */
  edfi: { requireToken: boolean };
  /** The records-transfer workflow: `autoReleaseExactMatches` (default false) releases exact matches without a person. */
  transfer?: { autoReleaseExactMatches: boolean };
}

/** Raised when the configuration is wrong; its message is one line naming the key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const schemaPath = resolve(dirname(fileURLToPath(import.meta.url)), '../../schemas/config.schema.json');
const validate = new Ajv({ useDefaults: true, allErrors: false }).compile<RexConfig>(
  JSON.parse(readFileSync(schemaPath, 'utf8')) as object,
);

/** Environment variables and the configuration keys they set. */
const ENV_KEYS: ReadonlyArray<[string, string[], 'string' | 'number']> = [
  ['DATABASE_URL', ['databaseUrl'], 'string'],
  ['REX_DATA_DIR', ['dataDir'], 'string'],
  ['REX_LOG_LEVEL', ['logLevel'], 'string'],
  ['REX_HOST', ['http', 'host'], 'string'],
  ['REX_PORT', ['http', 'port'], 'number'],
  ['REX_PUBLIC_URL', ['http', 'publicUrl'], 'string'],
  ['REX_ROUTER_URL', ['node', 'routerUrl'], 'string'],
];

/**
 * Reads the configuration file (when given), applies environment overrides,
 * fills defaults and validates the result against the JSON Schema.
 * Relative `dataDir` values are taken from the current directory.
 * @throws ConfigError naming the first wrong key.
 */
export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): RexConfig {
  const raw = file ? readConfigFile(file) : {};
  for (const [name, path, type] of ENV_KEYS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, path, type === 'number' ? Number(value) : value);
  }
  return checkConfig(raw);
}

/** Validates an already assembled configuration object, filling defaults in place. */
export function checkConfig(raw: Record<string, unknown>): RexConfig {
  if (!validate(raw)) throw new ConfigError(`invalid configuration: ${describeError(validate.errors?.[0])}`);
  const config = raw as unknown as RexConfig;
  if (!isAbsolute(config.dataDir)) config.dataDir = resolve(config.dataDir);
  return config;
}

/** The URL others use to reach this process. */
export function publicUrl(config: RexConfig): string {
  return config.http.publicUrl ?? `http://${config.http.host}:${config.http.port}`;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`cannot read configuration file ${file}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ConfigError(`configuration file ${file} is not a JSON object`);
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (next && typeof next === 'object' ? next : (node[key] = {})) as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function describeError(error: ErrorObject | undefined): string {
  if (!error) return 'unknown error';
  const key = error.instancePath.slice(1).replace(/\//g, '.');
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${joinKey(key, String(params.missingProperty))} is required`;
  if (error.keyword === 'additionalProperties') {
    return `${joinKey(key, String(params.additionalProperty))} is not a known setting`;
  }
  if (error.keyword === 'enum') return `${key} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
  return `${key || '(root)'} ${error.message ?? 'is invalid'}`;
}

function joinKey(parent: string, child: string): string {
  return parent ? `${parent}.${child}` : child;
}
