import Fastify, { type FastifyInstance } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticatedUser, requireToolRight } from '../../src/http/session-auth.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { hashPassword, passwordMatches } from '../../src/users/password-hash.js';
import { requireRight } from '../../src/users/require-right.js';
import { createSession, expireSession, expireSessionsOf, purgeSessions, verifySession } from '../../src/users/sessions.js';
import { parseToolRights } from '../../src/users/tool-rights.js';
import {
  createUser,
  findUser,
  grantRights,
  listUsers,
  revokeRights,
  rightsOf,
  setUserDisabled,
  verifyPassword,
  type ConsoleUser,
} from '../../src/users/user-store.js';
import { createTestDatabase } from '../support/database.js';

let orm: MikroORM;
const em = () => orm.em.fork();

async function newUser(username: string, password = 'correct horse battery'): Promise<ConsoleUser> {
  const result = await createUser(em(), { username, displayName: `User, ${username}`, password });
  if (result.kind !== 'created') throw new Error(`user not created: ${result.kind}`);
  return result.user;
}

beforeAll(async () => {
  orm = await openDatabase(await createTestDatabase('node'), nodeSchema);
});

afterAll(async () => {
  await orm?.close(true);
});

describe('passwords', () => {
  it('hashes with scrypt, a fresh salt each time and the parameters in the hash string', async () => {
    const [a, b] = await Promise.all([hashPassword('s3cret passphrase'), hashPassword('s3cret passphrase')]);
    expect(a).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await passwordMatches('s3cret passphrase', a)).toBe(true);
    expect(await passwordMatches('s3cret passphrasE', a)).toBe(false);
    expect(await passwordMatches('s3cret passphrase', 'plain text')).toBe(false);
  });

  it('stores only the hash and checks a username and password', async () => {
    const rita = await newUser('Rita.Registrar');
    expect(rita.username).toBe('rita.registrar');
    const [row] = await em().execute<{ password_hash: string }[]>('SELECT password_hash FROM console_user WHERE id = ?', [rita.id]);
    expect(row?.password_hash).toMatch(/^\$scrypt\$/);
    expect(row?.password_hash).not.toContain('correct horse');
    expect(await verifyPassword(em(), 'RITA.registrar', 'correct horse battery')).toMatchObject({ kind: 'ok', user: { id: rita.id } });
    expect(await verifyPassword(em(), 'rita.registrar', 'wrong horse battery')).toEqual({ kind: 'invalid-credentials' });
    expect(await verifyPassword(em(), 'nobody', 'correct horse battery')).toEqual({ kind: 'invalid-credentials' });
  });

  it('refuses a duplicate username, a short password and a bad username', async () => {
    await newUser('dup');
    expect(await createUser(em(), { username: 'DUP', displayName: 'Again', password: 'long enough password' })).toMatchObject({ kind: 'exists' });
    expect(await createUser(em(), { username: 'short', displayName: 'Short', password: 'tiny' })).toMatchObject({ kind: 'invalid' });
    expect(await createUser(em(), { username: 'has:colon', displayName: 'Colon', password: 'long enough password' })).toMatchObject({ kind: 'invalid' });
  });

  it('refuses a disabled user even with the right password', async () => {
    await newUser('gone');
    await setUserDisabled(em(), 'gone', true);
    expect(await verifyPassword(em(), 'gone', 'correct horse battery')).toMatchObject({ kind: 'disabled' });
  });
});

describe('tool rights', () => {
  it('grants and revokes rights, keeping each once', async () => {
    await newUser('clerk');
    expect(await grantRights(em(), 'clerk', ['records-transfer', 'import-transcripts'], 'admin')).toMatchObject({ kind: 'ok' });
    await grantRights(em(), 'clerk', ['records-transfer', 'notify-process-inbox'], 'admin');
    expect(await rightsOf(em(), 'clerk')).toEqual(['import-transcripts', 'notify-process-inbox', 'records-transfer']);
    await revokeRights(em(), 'clerk', ['records-transfer', 'zone-administration']);
    expect(await rightsOf(em(), 'clerk')).toEqual(['import-transcripts', 'notify-process-inbox']);
    expect(await grantRights(em(), 'nobody', ['records-transfer'], 'admin')).toMatchObject({ kind: 'unknown-user' });
    expect((await listUsers(em())).map((u) => u.username)).toContain('clerk');
  });

  it('answers requireRight with a typed result', async () => {
    await newUser('typist');
    await grantRights(em(), 'typist', ['notify-process-inbox'], 'admin');
    const user = await findUser(em(), 'typist');
    if (!user) throw new Error('no typist');
    expect(requireRight(user, 'notify-process-inbox')).toMatchObject({ kind: 'allowed' });
    expect(requireRight(user, 'national-records-exchange')).toMatchObject({ kind: 'missing-right', right: 'national-records-exchange' });
    expect(requireRight({ ...user, disabled: true }, 'notify-process-inbox')).toMatchObject({ kind: 'disabled' });
  });

  it('names unknown rights', () => {
    expect(parseToolRights(['records-transfer', 'fly'])).toEqual({ kind: 'unknown', unknown: ['fly'] });
    expect(parseToolRights(['import-assessments', 'import-assessments'])).toEqual({ kind: 'ok', rights: ['import-assessments'] });
  });
});

describe('sessions', () => {
  it('opens a session whose token works until it expires, and stores only its hash', async () => {
    const user = await newUser('sam.session');
    const start = new Date('2026-11-24T08:00:00Z');
    const session = await createSession(em(), user.id, { ttlSeconds: 3600, now: start });
    expect(session.expiresAt.toISOString()).toBe('2026-11-24T09:00:00.000Z');
    expect(await verifySession(em(), session.token, new Date('2026-11-24T08:59:59Z'))).toMatchObject({ kind: 'ok', user: { id: user.id } });
    expect(await verifySession(em(), session.token, new Date('2026-11-24T09:00:00Z'))).toEqual({ kind: 'expired' });
    expect(await verifySession(em(), 'not-a-token')).toEqual({ kind: 'unknown' });
    const stored = await em().execute<{ token_hash: string }[]>('SELECT token_hash FROM user_session WHERE user_id = ?', [user.id]);
    expect(stored.map((s) => s.token_hash)).not.toContain(session.token);
    expect(await purgeSessions(em(), new Date('2026-11-24T10:00:00Z'))).toBeGreaterThanOrEqual(1);
    expect(await verifySession(em(), session.token, start)).toEqual({ kind: 'unknown' });
  });

  it('ends a session on sign-out, and every session of a user', async () => {
    const user = await newUser('olga.out');
    const one = await createSession(em(), user.id);
    const two = await createSession(em(), user.id);
    expect(await expireSession(em(), one.token)).toBe(true);
    expect(await expireSession(em(), one.token)).toBe(false);
    expect(await verifySession(em(), one.token)).toEqual({ kind: 'expired' });
    expect(await verifySession(em(), two.token)).toMatchObject({ kind: 'ok' });
    expect(await expireSessionsOf(em(), user.id)).toBe(1);
    expect(await verifySession(em(), two.token)).toEqual({ kind: 'expired' });
  });

  it('stops the sessions of a disabled user', async () => {
    const user = await newUser('dan.disabled');
    const session = await createSession(em(), user.id);
    await setUserDisabled(em(), 'dan.disabled', true);
    expect(await verifySession(em(), session.token)).toEqual({ kind: 'disabled' });
  });
});

describe('requireToolRight', () => {
  let app: FastifyInstance;
  let token: string;
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  beforeAll(async () => {
    const releaser = await newUser('rhonda.release', 'release me please');
    await grantRights(em(), 'rhonda.release', ['notify-process-inbox'], 'admin');
    token = (await createSession(em(), releaser.id)).token;
    app = Fastify();
    app.get('/alerts', { preHandler: requireToolRight('notify-process-inbox', { orm }) }, async (request) => ({ user: authenticatedUser(request)?.username }));
    app.get('/registration', { preHandler: requireToolRight('national-records-exchange', { orm }) }, async () => ({ ok: true }));
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers 401 with a problem and a challenge without valid credentials', async () => {
    for (const authorization of [undefined, basic('rhonda.release', 'wrong password'), 'Bearer nope', 'Digest abc', basic('nobody', 'release me please')]) {
      const res = await app.inject({ method: 'GET', url: '/alerts', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/Basic realm=.*Bearer/);
      expect(res.json()).toMatchObject({ type: 'urn:rex:node:unauthenticated', status: 401 });
    }
  });

  it('answers 403 with a problem naming the missing right', async () => {
    const res = await app.inject({ method: 'GET', url: '/registration', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: 'urn:rex:node:missing-right', status: 403, detail: expect.stringContaining('national-records-exchange') });
  });

  it('lets a user with the right through, by session token or Basic credentials', async () => {
    const bySession = await app.inject({ method: 'GET', url: '/alerts', headers: { authorization: `Bearer ${token}` } });
    expect(bySession.statusCode).toBe(200);
    expect(bySession.json()).toEqual({ user: 'rhonda.release' });
    const byBasic = await app.inject({ method: 'GET', url: '/alerts', headers: { authorization: basic('Rhonda.Release', 'release me please') } });
    expect(byBasic.statusCode).toBe(200);
  });

  it('shuts out a user whose right was revoked or who was disabled', async () => {
    // A user of its own: the other tests here need rhonda.release as she is.
    const sam = await newUser('sam.shutout');
    await grantRights(em(), 'sam.shutout', ['notify-process-inbox'], 'admin');
    const samToken = (await createSession(em(), sam.id)).token;
    const alerts = () => app.inject({ method: 'GET', url: '/alerts', headers: { authorization: `Bearer ${samToken}` } });
    expect((await alerts()).statusCode).toBe(200);
    await revokeRights(em(), 'sam.shutout', ['notify-process-inbox']);
    expect((await alerts()).statusCode).toBe(403);
    await grantRights(em(), 'sam.shutout', ['notify-process-inbox'], 'admin');
    await setUserDisabled(em(), 'sam.shutout', true);
    expect((await alerts()).statusCode).toBe(401);
  });
});
