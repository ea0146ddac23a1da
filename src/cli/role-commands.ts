import { nodeSchema } from '../node/node-schema.js';
import { startNode } from '../node/start-node.js';
import { routerSchema } from '../router/router-schema.js';
import { startRouter } from '../router/start-router.js';
import { migrate as applyMigrations } from '../storage/database.js';
import { openRoleDatabase } from '../storage/role-database.js';
import { UsageError, stringOption, type Command } from './command.js';
import { CONFIG_OPTION, configFrom, stopOnSignal } from './shared-options.js';

const router: Command = {
  path: ['router'],
  summary: 'Start the national router (operator commands: rex router approve|reject|revoke|districts).',
  usage: '[--config FILE]\n\nDATABASE_URL points it at an external PostgreSQL; without it the router runs an embedded one in its data directory.',
  options: CONFIG_OPTION,
  async run(args) {
    const running = await startRouter(configFrom(args));
    console.log(`router listening on ${running.url}`);
    stopOnSignal(() => running.close());
    return 'keep-running';
  },
};

const node: Command = {
  path: ['node'],
  summary: 'Start a district node (see also rex node register|status|withdraw|directory).',
  usage: '--config FILE\n\nDATABASE_URL points it at an external PostgreSQL; without it the node runs an embedded one in its data directory.',
  options: CONFIG_OPTION,
  async run(args) {
    if (!stringOption(args, 'config')) throw new UsageError('--config FILE is required');
    const config = configFrom(args);
    const running = await startNode(config);
    console.log(`node ${config.node?.district.ncesId} (${config.node?.district.name}) listening on ${running.url}`);
    stopOnSignal(() => running.close());
    return 'keep-running';
  },
};

const migrate: Command = {
  path: ['migrate'],
  summary: 'Apply pending database migrations of a role (roles also migrate when they start).',
  usage: '--role router|node [--config FILE]',
  options: { ...CONFIG_OPTION, role: { type: 'string' } },
  async run(args) {
    const role = stringOption(args, 'role');
    if (role !== 'router' && role !== 'node') throw new UsageError('--role must be router or node');
    const schema = role === 'router' ? routerSchema : nodeSchema;
    const db = await openRoleDatabase(configFrom(args), schema, { migrate: false });
    try {
      const applied = await applyMigrations(db.orm, schema);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      return 0;
    } finally {
      await db.close();
    }
  },
};

/** Commands that start a role or prepare its database. */
export const roleCommands: Command[] = [router, node, migrate];
