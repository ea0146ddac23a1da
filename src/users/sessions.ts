import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { findUserById, type ConsoleUser } from './user-store.js';

/** A console session as handed to its user: the bearer token is shown once and never stored. */
export interface NewSession {
  token: string;
  userId: string;
  expiresAt: Date;
}

/** The outcome of presenting a session token. */
export type SessionCheck =
  | { kind: 'ok'; user: ConsoleUser; expiresAt: Date }
  | { kind: 'unknown' }
  | { kind: 'expired' }
  | { kind: 'disabled' };

/** A working day: a registrar signs in in the morning and again the next day. */
export const DEFAULT_SESSION_SECONDS = 8 * 60 * 60;

/** Only the SHA-256 of a token is kept, so a copy of the table holds no usable token. */
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Opens a session for a user: a 256-bit random bearer token that stops working at `expiresAt`. */
export async function createSession(
  em: EntityManager,
  userId: string,
  options: { ttlSeconds?: number; now?: Date } = {},
): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const now = options.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (options.ttlSeconds ?? DEFAULT_SESSION_SECONDS) * 1000);
  await em.execute('INSERT INTO user_session (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [tokenHash(token), userId, now, expiresAt]);
  return { token, userId, expiresAt };
}

/** Checks a session token: unknown, ended or expired tokens and disabled users do not pass. */
export async function verifySession(em: EntityManager, token: string, now: Date = new Date()): Promise<SessionCheck> {
  const rows = await em.execute<{ user_id: string; expires_at: Date; ended_at: Date | null }[]>(
    'SELECT user_id, expires_at, ended_at FROM user_session WHERE token_hash = ?',
    [tokenHash(token)],
  );
  const session = rows[0];
  if (!session) return { kind: 'unknown' };
  const expiresAt = new Date(session.expires_at);
  if (session.ended_at !== null || expiresAt.getTime() <= now.getTime()) return { kind: 'expired' };
  const user = await findUserById(em, session.user_id);
  if (!user) return { kind: 'unknown' };
  if (user.disabled) return { kind: 'disabled' };
  return { kind: 'ok', user, expiresAt };
}

/** Ends a session now (sign-out). Answers whether a live session was ended. */
export async function expireSession(em: EntityManager, token: string, now: Date = new Date()): Promise<boolean> {
  const ended = await em.execute<{ token_hash: string }[]>(
    'UPDATE user_session SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL RETURNING token_hash',
    [now, tokenHash(token)],
  );
  return ended.length > 0;
}

/** Ends every session of a user (password change, user disabled). Answers how many were live. */
export async function expireSessionsOf(em: EntityManager, userId: string, now: Date = new Date()): Promise<number> {
  const ended = await em.execute<{ token_hash: string }[]>(
    'UPDATE user_session SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL AND expires_at > ? RETURNING token_hash',
    [now, userId, now],
  );
  return ended.length;
}

/** Deletes sessions that expired or ended before `before`; answers how many. */
export async function purgeSessions(em: EntityManager, before: Date = new Date()): Promise<number> {
  const gone = await em.execute<{ token_hash: string }[]>(
    'DELETE FROM user_session WHERE expires_at <= ? OR ended_at <= ? RETURNING token_hash',
    [before, before],
  );
  return gone.length;
}
