import { resolve } from 'node:path';
import { nodeSchema } from '../node/node-schema.js';
import { openRoleDatabase } from '../storage/role-database.js';
import { DEFAULT_ZONES_DIR, readZoneFolder, type ZoneDefinition } from '../zones/zone-definition.js';
import { listZones, replaceZones } from '../zones/zone-store.js';
import { stringOption, type Command, type CommandArgs } from './command.js';
import { CONFIG_OPTION, configFrom } from './shared-options.js';

const DIR_OPTION = { dir: { type: 'string' as const } };

function zonesDir(args: CommandArgs): string {
  const dir = stringOption(args, 'dir');
  return dir ? resolve(dir) : DEFAULT_ZONES_DIR;
}

function summary(zone: ZoneDefinition): string {
  const agents = [zone.nodeAgent.sourceId + ' (node)', ...zone.agents.map((a) => a.sourceId)];
  return `${zone.id}  ${zone.owner === 'router' ? 'router-owned, read-only' : 'node'}  "${zone.name}"  agents: ${agents.join(', ')}${zone.agentTemplate ? `, template ${zone.agentTemplate.sourceIdPattern}` : ''}`;
}

/** Reads and validates the folder; prints every problem. */
function checkedFolder(args: CommandArgs): ZoneDefinition[] | undefined {
  const dir = zonesDir(args);
  const folder = readZoneFolder(dir);
  if (folder.kind === 'invalid') {
    console.error(`rex: zone files in ${dir} are not valid; nothing was changed:`);
    for (const problem of folder.problems) console.error(`  ${problem}`);
    return undefined;
  }
  return folder.zones;
}

const reload: Command = {
  path: ['node', 'zones', 'reload'],
  summary: "Validate every zone file, then replace the node's zones with them (nothing changes if any file is invalid).",
  usage: `[--dir DIR] [--config FILE]\n\nReads DIR (default: the zones/ folder of the installation), validates every file against schemas/zone.schema.json\nand the SIF 2.4 object list, and only then replaces the node's zones in one transaction. Router-owned zones\n(NationalRouter) are not hosted by a node and are skipped.`,
  options: { ...CONFIG_OPTION, ...DIR_OPTION },
  async run(args) {
    const zones = checkedFolder(args);
    if (!zones) return 1;
    const nodeZones = zones.filter((z) => z.owner === 'node');
    const db = await openRoleDatabase(configFrom(args), nodeSchema, { poolMax: 2 });
    try {
      await replaceZones(db.orm.em.fork(), nodeZones, 'node');
    } finally {
      await db.close();
    }
    for (const zone of nodeZones) console.log(`loaded ${summary(zone)}`);
    for (const zone of zones.filter((z) => z.owner !== 'node')) console.log(`skipped ${zone.id} (owned by the router)`);
    return 0;
  },
};

const check: Command = {
  path: ['node', 'zones', 'check'],
  summary: 'Validate the zone files without touching any database.',
  usage: '[--dir DIR]',
  options: DIR_OPTION,
  async run(args) {
    const zones = checkedFolder(args);
    if (!zones) return 1;
    for (const zone of zones) console.log(`valid ${summary(zone)}`);
    return 0;
  },
};

const list: Command = {
  path: ['node', 'zones', 'list'],
  summary: "List the node's zones and their agents.",
  usage: '[--config FILE]',
  options: CONFIG_OPTION,
  async run(args) {
    const db = await openRoleDatabase(configFrom(args), nodeSchema, { poolMax: 2 });
    try {
      const zones = await listZones(db.orm.em.fork());
      if (zones.length === 0) console.log('no zones');
      for (const zone of zones) console.log(summary(zone));
    } finally {
      await db.close();
    }
    return 0;
  },
};

/** `rex node zones …`: zone files and the node's zones. */
export const zoneCommands: Command[] = [reload, check, list];
