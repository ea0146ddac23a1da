import { MikroORM, type EntitySchema } from '@mikro-orm/postgresql';
import { Migrator, type Migration } from '@mikro-orm/migrations';

/** A migration class, as MikroORM's migrator takes it. */
export type MigrationClass = new (...args: ConstructorParameters<typeof Migration>) => Migration;

/** What one role keeps in its own database: its entities and the migrations that build their tables. */
export interface DatabaseSchema {
  /** Used in the advisory lock and in messages. */
  readonly name: 'router' | 'node';
  readonly entities: EntitySchema<any, any>[];
  /** In the order they apply; each class name is the migration's name and must never change. */
  readonly migrations: MigrationClass[];
}

/** Opens a MikroORM instance on `url` for a role's schema. Does not migrate. */
export async function openDatabase(url: string, schema: DatabaseSchema, poolMax = 10): Promise<MikroORM> {
  return MikroORM.init({
    clientUrl: url,
    entities: schema.entities,
    extensions: [Migrator],
    discovery: { disableDynamicFileAccess: true, warnWhenNoEntities: false },
    pool: { min: 0, max: poolMax },
    allowGlobalContext: false,
    debug: false,
    migrations: {
      migrationsList: schema.migrations.map((migration) => ({ name: migration.name, class: migration })),
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
  });
}

/**
 * Applies the pending migrations of a role's schema. Several instances of a
 * role may start at once behind a load balancer, so an advisory lock makes
 * them take turns. Returns the names of the migrations it applied.
 */
export async function migrate(orm: MikroORM, schema: DatabaseSchema): Promise<string[]> {
  const connection = orm.em.getConnection();
  const lockKey = schema.name === 'router' ? 7_300_001 : 7_300_002;
  const knex = connection.getKnex();
  return knex.transaction(async (trx) => {
    await trx.raw('SELECT pg_advisory_xact_lock(?)', [lockKey]);
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  });
}
