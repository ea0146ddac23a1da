import type { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeSchema } from '../../src/node/node-schema.js';
import { autocommitRows, boundRows, inPgTransaction } from '../../src/storage/bound-statements.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from '../support/database.js';

let orm: MikroORM;

beforeAll(async () => {
  orm = await openDatabase(await createTestDatabase('node'), nodeSchema, 4);
  await orm.em.fork().execute('CREATE TABLE pg_tx_probe (n int PRIMARY KEY)');
});

afterAll(async () => {
  await orm?.close(true);
});

const count = async () => Number((await autocommitRows<{ n: string }>(orm.em, 'SELECT count(*) AS n FROM pg_tx_probe', []))[0]!.n);

describe('inPgTransaction', () => {
  it('commits what its bound statements wrote, and shows it to no one before the commit', async () => {
    const before = await count();
    await inPgTransaction(orm.em, async (tx) => {
      await boundRows(tx, 'INSERT INTO pg_tx_probe (n) VALUES (?), (?)', [1, 2]);
      expect(await boundRows<{ n: number }>(tx, 'SELECT n FROM pg_tx_probe WHERE n = ANY(?::int[]) ORDER BY n', ['{1,2}'])).toEqual([{ n: 1 }, { n: 2 }]);
      expect(await count()).toBe(before);
    });
    expect(await count()).toBe(before + 2);
  });

  it('rolls everything back when the work throws, and gives the error back', async () => {
    const before = await count();
    const failing = inPgTransaction(orm.em, async (tx) => {
      await boundRows(tx, 'INSERT INTO pg_tx_probe (n) VALUES (?)', [10]);
      await boundRows(tx, 'INSERT INTO pg_tx_probe (n) VALUES (?)', [10]);
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    expect(await count()).toBe(before);
    // The connection went back to the pool usable, not in an aborted transaction.
    for (let i = 0; i < 6; i += 1) expect(await count()).toBe(before);
  });

  it('loses the work of a transaction whose connection dies, and the pool goes on with a new connection', async () => {
    const before = await count();
    const dying = inPgTransaction(orm.em, async (tx) => {
      await boundRows(tx, 'INSERT INTO pg_tx_probe (n) VALUES (?)', [20]);
      const [{ pid }] = (await boundRows<{ pid: number }>(tx, 'SELECT pg_backend_pid() AS pid', [])) as [{ pid: number }];
      // As when PostgreSQL ends a backend (a restart, an administrator): the ROLLBACK fails too.
      await autocommitRows(orm.em, 'SELECT pg_terminate_backend(?::int)', [pid]);
      await boundRows(tx, 'INSERT INTO pg_tx_probe (n) VALUES (?)', [21]);
    });
    await expect(dying).rejects.toThrow();
    for (let i = 0; i < 6; i += 1) expect(await count()).toBe(before);
    await inPgTransaction(orm.em, (tx) => boundRows(tx, 'INSERT INTO pg_tx_probe (n) VALUES (?)', [22]));
    expect(await count()).toBe(before + 1);
  });

  it('turns off waiting for the WAL flush only inside a transaction that asks for it', async () => {
    const setting = (tx: Parameters<typeof boundRows>[0]) => boundRows<{ synchronous_commit: string }>(tx, 'SHOW synchronous_commit', [], false);
    expect(await inPgTransaction(orm.em, setting, { flushedLater: true })).toEqual([{ synchronous_commit: 'off' }]);
    expect(await inPgTransaction(orm.em, setting)).toEqual([{ synchronous_commit: 'on' }]);
  });
});
