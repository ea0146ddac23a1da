import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForClientChanges } from '../../src/clients/client-changes.js';
import { createClient, findGrant, issueToken, listClients, revokeClient, TOKEN_LIFETIME_SECONDS } from '../../src/clients/client-store.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from '../support/database.js';

let orm: MikroORM;
let url: string;

beforeAll(async () => {
  url = await createTestDatabase('node');
  orm = await openDatabase(url, nodeSchema);
});

afterAll(async () => {
  await orm?.close(true);
});

describe('Ed-Fi API clients', () => {
  it('creates a client whose secret is stored only as a hash, and lists it without the secret', async () => {
    const client = await createClient(orm.em.fork(), { name: 'Acme SIS', educationOrganizationIds: [255901, 255901001] });
    const [row] = await orm.em.fork().execute<Array<{ secret_hash: string }>>('SELECT secret_hash FROM edfi_client WHERE key = ?', [client.key]);
    expect(row?.secret_hash).toMatch(/^scrypt\$/);
    expect(row?.secret_hash).not.toContain(client.secret);
    const listed = (await listClients(orm.em.fork())).find((c) => c.key === client.key);
    expect(listed).toEqual({ key: client.key, name: 'Acme SIS', educationOrganizationIds: [255901, 255901001], createdAt: expect.any(Date), revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(client.secret);
  });

  it('issues a 30-minute token for the right secret only, and refuses it once expired', async () => {
    const client = await createClient(orm.em.fork(), { name: 'State', educationOrganizationIds: [49990100001] });
    expect(await issueToken(orm.em.fork(), { key: client.key, secret: 'wrong' })).toEqual({ kind: 'invalid-client' });
    expect(await issueToken(orm.em.fork(), { key: 'unknown', secret: client.secret })).toEqual({ kind: 'invalid-client' });
    const issuedAt = new Date();
    const issued = await issueToken(orm.em.fork(), { key: client.key, secret: client.secret }, issuedAt);
    if (issued.kind !== 'ok') throw new Error('no token');
    expect(issued.token.expiresIn).toBe(TOKEN_LIFETIME_SECONDS);
    const grant = await findGrant(orm.em.fork(), issued.token.accessToken);
    expect(grant).toMatchObject({ clientKey: client.key, clientName: 'State', educationOrganizationIds: [49990100001] });
    const later = new Date(issuedAt.getTime() + TOKEN_LIFETIME_SECONDS * 1000 + 1);
    expect(await findGrant(orm.em.fork(), issued.token.accessToken, later)).toBeNull();
    expect(await findGrant(orm.em.fork(), 'made-up-token')).toBeNull();
  });

  it('revoking a client kills its tokens at once, refuses new ones, and is announced to listeners', async () => {
    const announced: string[] = [];
    const stop = await listenForClientChanges(url, (key) => announced.push(key));
    try {
      const client = await createClient(orm.em.fork(), { name: 'Vendor', educationOrganizationIds: [1] });
      const issued = await issueToken(orm.em.fork(), { key: client.key, secret: client.secret });
      if (issued.kind !== 'ok') throw new Error('no token');
      expect(await revokeClient(orm.em.fork(), client.key)).toMatchObject({ kind: 'ok', client: { revokedAt: expect.any(Date) } });
      expect(await findGrant(orm.em.fork(), issued.token.accessToken)).toBeNull();
      expect(await issueToken(orm.em.fork(), { key: client.key, secret: client.secret })).toEqual({ kind: 'invalid-client' });
      expect(await revokeClient(orm.em.fork(), client.key)).toMatchObject({ kind: 'already-revoked' });
      expect(await revokeClient(orm.em.fork(), 'nobody')).toEqual({ kind: 'not-found' });
      for (let i = 0; i < 50 && announced.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(announced).toEqual([client.key]);
    } finally {
      await stop();
    }
  });
});
