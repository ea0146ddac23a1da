import type { MikroORM } from '@mikro-orm/postgresql';
import type { RexConfig } from '../config/load-config.js';
import { nodeSchema } from '../node/node-schema.js';
import { openRoleDatabase } from '../storage/role-database.js';

/**
 * Opens the node's database for one command (shared with a running node of
 * the same data directory, or DATABASE_URL), runs `work` and closes it again.
 */
export async function withNodeDatabase<T>(config: RexConfig, work: (orm: MikroORM) => Promise<T>, poolMax = 2): Promise<T> {
  const db = await openRoleDatabase(config, nodeSchema, { poolMax });
  try {
    return await work(db.orm);
  } finally {
    await db.close();
  }
}
