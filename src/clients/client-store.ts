import type { EntityManager } from '@mikro-orm/postgresql';
import { hashSecret, newAccessToken, newClientKey, newClientSecret, tokenHash, verifySecret } from './client-secrets.js';

/**
 * Ed-Fi API clients and their access tokens in the node's database
 * (tables from Migration20261124EdfiClients). Every change that takes access
 * away is announced on {@link CLIENT_CHANNEL} inside its transaction, so each
 * node instance drops cached tokens as soon as it commits.
 */

/** The NOTIFY channel on which a changed client's key is announced. */
export const CLIENT_CHANNEL = 'rex_edfi_client_changed';

/** Lifetime of an access token, as the ODS/API answers it (`expires_in`). */
export const TOKEN_LIFETIME_SECONDS = 1800;

/** A client as an administrator sees it (never its secret). */
export interface ClientSummary {
  key: string;
  name: string;
  educationOrganizationIds: number[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** A new client, with its secret in clear text: shown once, never stored. */
export interface NewClient extends ClientSummary {
  secret: string;
}

/** What a valid access token lets its bearer do. */
export interface AccessGrant {
  clientKey: string;
  clientName: string;
  /** The education organizations the client was created for (schools or LEAs). */
  educationOrganizationIds: number[];
  expiresAt: Date;
}

/** An issued access token. */
export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  expiresAt: Date;
}

/** The outcome of asking for a token with client credentials. */
export type TokenOutcome = { kind: 'ok'; token: IssuedToken } | { kind: 'invalid-client' };

/** The outcome of revoking a client. */
export type RevokeOutcome = { kind: 'ok'; client: ClientSummary } | { kind: 'not-found' } | { kind: 'already-revoked'; client: ClientSummary };

interface ClientRow {
  key: string;
  name: string;
  secret_hash: string;
  education_organization_ids: Array<string | number>;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

/** Creates a client scoped to the given education organizations; returns it with its secret. */
export async function createClient(em: EntityManager, input: { name: string; educationOrganizationIds: number[] }): Promise<NewClient> {
  const key = newClientKey();
  const secret = newClientSecret();
  const rows = await em.execute<ClientRow[]>(
    `INSERT INTO edfi_client (key, name, secret_hash, education_organization_ids) VALUES (?, ?, ?, ?::bigint[]) RETURNING *`,
    [key, input.name, await hashSecret(secret), pgArray(input.educationOrganizationIds)],
  );
  return { ...summaryOf(rows[0]!), secret };
}

/** Every client, oldest first. */
export async function listClients(em: EntityManager): Promise<ClientSummary[]> {
  const rows = await em.execute<ClientRow[]>('SELECT * FROM edfi_client ORDER BY created_at, key');
  return rows.map(summaryOf);
}

/** Revokes a client: it can get no new token and its tokens stop working at once. */
export async function revokeClient(em: EntityManager, key: string): Promise<RevokeOutcome> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<ClientRow[]>('SELECT * FROM edfi_client WHERE key = ? FOR UPDATE', [key]);
    if (!row) return { kind: 'not-found' } as const;
    if (row.revoked_at) return { kind: 'already-revoked', client: summaryOf(row) } as const;
    const [updated] = await tx.execute<ClientRow[]>('UPDATE edfi_client SET revoked_at = now() WHERE key = ? RETURNING *', [key]);
    await tx.execute('DELETE FROM edfi_access_token WHERE client_key = ?', [key]);
    await tx.execute('SELECT pg_notify(?, ?)', [CLIENT_CHANNEL, key]);
    return { kind: 'ok', client: summaryOf(updated!) } as const;
  });
}

/**
 * Checks client credentials and issues an opaque bearer token (RFC 6749
 * §4.4). Expired tokens of all clients are swept out on the way.
 */
export async function issueToken(em: EntityManager, credentials: { key: string; secret: string }, now = new Date()): Promise<TokenOutcome> {
  const [row] = await em.execute<ClientRow[]>('SELECT * FROM edfi_client WHERE key = ? AND revoked_at IS NULL', [credentials.key]);
  // Hash even for an unknown key, so timing does not tell which keys exist.
  const valid = await verifySecret(credentials.secret, row?.secret_hash ?? DUMMY_HASH);
  if (!row || !valid) return { kind: 'invalid-client' };
  const accessToken = newAccessToken();
  const expiresAt = new Date(now.getTime() + TOKEN_LIFETIME_SECONDS * 1000);
  await em.execute('DELETE FROM edfi_access_token WHERE expires_at < ?', [now]);
  await em.execute('INSERT INTO edfi_access_token (token_hash, client_key, issued_at, expires_at) VALUES (?, ?, ?, ?)', [
    tokenHash(accessToken),
    row.key,
    now,
    expiresAt,
  ]);
  return { kind: 'ok', token: { accessToken, expiresIn: TOKEN_LIFETIME_SECONDS, expiresAt } };
}

/** The grant behind a bearer token, or null when the token is unknown, revoked or expired. */
export async function findGrant(em: EntityManager, accessToken: string, now = new Date()): Promise<AccessGrant | null> {
  const [row] = await em.execute<Array<ClientRow & { expires_at: Date | string }>>(
    `SELECT c.*, t.expires_at FROM edfi_access_token t JOIN edfi_client c ON c.key = t.client_key
      WHERE t.token_hash = ? AND c.revoked_at IS NULL`,
    [tokenHash(accessToken)],
  );
  const expiresAt = row ? new Date(row.expires_at) : undefined;
  if (!row || !expiresAt || expiresAt.getTime() <= now.getTime()) return null;
  return { clientKey: row.key, clientName: row.name, educationOrganizationIds: idsOf(row), expiresAt };
}

/** A stored hash no secret matches, used to keep timing even for unknown keys. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

function summaryOf(row: ClientRow): ClientSummary {
  return {
    key: row.key,
    name: row.name,
    educationOrganizationIds: idsOf(row),
    createdAt: new Date(row.created_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

function idsOf(row: ClientRow): number[] {
  return row.education_organization_ids.map(Number);
}

/** A PostgreSQL array literal; knex would expand a JS array binding into a list. */
function pgArray(values: number[]): string {
  return `{${values.map((v) => String(Math.trunc(v))).join(',')}}`;
}
