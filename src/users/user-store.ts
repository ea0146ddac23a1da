import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UNMATCHABLE_HASH, hashPassword, passwordMatches } from './password-hash.js';
import { isToolRight, type ToolRight } from './tool-rights.js';

/** A district console user with their tool rights. */
export interface ConsoleUser {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
  createdAt: Date;
  rights: ToolRight[];
}

/** What creating a user needs. */
export interface NewUser {
  username: string;
  displayName: string;
  password: string;
  rights?: readonly ToolRight[];
  grantedBy?: string;
}

/** The outcome of creating a user. */
export type CreateUserResult =
  | { kind: 'created'; user: ConsoleUser }
  | { kind: 'invalid'; detail: string }
  | { kind: 'exists'; detail: string };

/** The outcome of checking a username and password. */
export type PasswordCheck = { kind: 'ok'; user: ConsoleUser } | { kind: 'invalid-credentials' } | { kind: 'disabled'; user: ConsoleUser };

/** The outcome of changing a user's rights. */
export type RightsChange = { kind: 'ok'; user: ConsoleUser } | { kind: 'unknown-user'; detail: string };

/** Usernames are lower case, so that "RRegistrar" and "rregistrar" are one user; no colon (HTTP Basic splits on it). */
const USERNAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
/** Long enough to resist guessing; passphrases welcome. */
const MIN_PASSWORD_LENGTH = 12;

/** The stored form of a username (trimmed, lower case). */
export function canonicalUsername(username: string): string {
  return username.trim().toLowerCase();
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  disabled: boolean;
  created_at: Date;
  password_hash: string;
  rights: string[] | null;
}

const SELECT_USER = `
  SELECT u.id, u.username, u.display_name, u.disabled, u.created_at, u.password_hash,
         array(SELECT r.tool_right FROM user_right r WHERE r.user_id = u.id ORDER BY r.tool_right) AS rights
  FROM console_user u`;

function toUser(row: UserRow): ConsoleUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    disabled: row.disabled,
    createdAt: new Date(row.created_at),
    // A right name this version does not know (written by a newer one) grants nothing here.
    rights: (row.rights ?? []).filter(isToolRight),
  };
}

async function userRow(em: EntityManager, username: string): Promise<UserRow | undefined> {
  const rows = await em.execute<UserRow[]>(`${SELECT_USER} WHERE u.username = ?`, [canonicalUsername(username)]);
  return rows[0];
}

/** A user by username (any case), or null. */
export async function findUser(em: EntityManager, username: string): Promise<ConsoleUser | null> {
  const row = await userRow(em, username);
  return row ? toUser(row) : null;
}

/** A user by id, or null (sessions refer to users by id). */
export async function findUserById(em: EntityManager, id: string): Promise<ConsoleUser | null> {
  const rows = await em.execute<UserRow[]>(`${SELECT_USER} WHERE u.id = ?`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

/** Every user, by username. */
export async function listUsers(em: EntityManager): Promise<ConsoleUser[]> {
  const rows = await em.execute<UserRow[]>(`${SELECT_USER} ORDER BY u.username`);
  return rows.map(toUser);
}

/** Creates a user with a scrypt-hashed password and, optionally, their first rights. */
export async function createUser(em: EntityManager, data: NewUser): Promise<CreateUserResult> {
  const username = canonicalUsername(data.username);
  if (!USERNAME.test(username)) return { kind: 'invalid', detail: 'a username is 1–64 letters, digits, ".", "_", "-" or "@", starting with a letter or digit' };
  if (data.displayName.trim() === '') return { kind: 'invalid', detail: 'a display name is required' };
  if (data.password.length < MIN_PASSWORD_LENGTH) return { kind: 'invalid', detail: `a password has at least ${MIN_PASSWORD_LENGTH} characters` };
  const passwordHash = await hashPassword(data.password);
  const id = randomUUID();
  const inserted = await em.execute<{ id: string }[]>(
    `INSERT INTO console_user (id, username, display_name, password_hash) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING RETURNING id`,
    [id, username, data.displayName.trim(), passwordHash],
  );
  if (inserted.length === 0) return { kind: 'exists', detail: `user ${username} already exists` };
  if (data.rights && data.rights.length > 0) await insertRights(em, id, data.rights, data.grantedBy ?? username);
  const user = await findUserById(em, id);
  if (!user) throw new Error(`user ${username} vanished right after it was created`);
  return { kind: 'created', user };
}

/**
 * Checks a username and password. An unknown user costs the same scrypt work
 * as a known one, so response times do not tell which usernames exist.
 */
export async function verifyPassword(em: EntityManager, username: string, password: string): Promise<PasswordCheck> {
  const row = await userRow(em, username);
  const matches = await passwordMatches(password, row?.password_hash ?? UNMATCHABLE_HASH);
  if (!row || !matches) return { kind: 'invalid-credentials' };
  const user = toUser(row);
  return user.disabled ? { kind: 'disabled', user } : { kind: 'ok', user };
}

/** Replaces a user's password. */
export async function setPassword(em: EntityManager, username: string, password: string): Promise<RightsChange | { kind: 'invalid'; detail: string }> {
  if (password.length < MIN_PASSWORD_LENGTH) return { kind: 'invalid', detail: `a password has at least ${MIN_PASSWORD_LENGTH} characters` };
  const hash = await hashPassword(password);
  const updated = await em.execute<{ id: string }[]>('UPDATE console_user SET password_hash = ? WHERE username = ? RETURNING id', [hash, canonicalUsername(username)]);
  return afterChange(em, username, updated.length > 0);
}

/** Disables or enables a user; a disabled user cannot sign in and their sessions stop working. */
export async function setUserDisabled(em: EntityManager, username: string, disabled: boolean): Promise<RightsChange> {
  const updated = await em.execute<{ id: string }[]>('UPDATE console_user SET disabled = ? WHERE username = ? RETURNING id', [disabled, canonicalUsername(username)]);
  return afterChange(em, username, updated.length > 0);
}

/** Grants tool rights (rights already held stay as they were). */
export async function grantRights(em: EntityManager, username: string, rights: readonly ToolRight[], grantedBy: string): Promise<RightsChange> {
  const row = await userRow(em, username);
  if (!row) return { kind: 'unknown-user', detail: `no user ${canonicalUsername(username)}` };
  await insertRights(em, row.id, rights, grantedBy);
  return afterChange(em, username, true);
}

/** Revokes tool rights (rights not held are ignored). */
export async function revokeRights(em: EntityManager, username: string, rights: readonly ToolRight[]): Promise<RightsChange> {
  const row = await userRow(em, username);
  if (!row) return { kind: 'unknown-user', detail: `no user ${canonicalUsername(username)}` };
  if (rights.length > 0) await em.execute(`DELETE FROM user_right WHERE user_id = ? AND tool_right = ANY(string_to_array(?, ','))`, [row.id, rights.join(',')]);
  return afterChange(em, username, true);
}

/** The tool rights a user holds (none for an unknown user). */
export async function rightsOf(em: EntityManager, username: string): Promise<ToolRight[]> {
  return (await findUser(em, username))?.rights ?? [];
}

async function insertRights(em: EntityManager, userId: string, rights: readonly ToolRight[], grantedBy: string): Promise<void> {
  if (rights.length === 0) return;
  await em.execute(
    // Right names never hold a comma (they are TOOL_RIGHTS keys), so one text parameter carries the list.
    `INSERT INTO user_right (user_id, tool_right, granted_by) SELECT ?, unnest(string_to_array(?, ',')), ? ON CONFLICT DO NOTHING`,
    [userId, rights.join(','), grantedBy],
  );
}

async function afterChange(em: EntityManager, username: string, found: boolean): Promise<RightsChange> {
  const user = found ? await findUser(em, username) : null;
  return user ? { kind: 'ok', user } : { kind: 'unknown-user', detail: `no user ${canonicalUsername(username)}` };
}
