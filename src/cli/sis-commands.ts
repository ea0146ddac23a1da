import { publicUrl } from '../config/load-config.js';
import { nodeSchema } from '../node/node-schema.js';
import { ProgressBar } from '../loading/progress.js';
import { eventObjects, SisAgent } from '../sis-agent/sis-agent.js';
import { buildSisRoster } from '../sis-agent/sis-roster.js';
import { defaultCodeSets, descriptorUri, isCodeSetName } from '../sis-mapping/code-sets.js';
import { effectiveCodeSets, removeCodeOverride, saveCodeOverride } from '../sis-sync/code-overrides.js';
import { startInitialSync, syncProgress } from '../sis-sync/initial-sync.js';
import { openRoleDatabase } from '../storage/role-database.js';
import { stringOption, UsageError, type Command, type CommandArgs } from './command.js';
import { CONFIG_OPTION, configFrom, stopOnSignal } from './shared-options.js';

/**
 * SIF ↔ Ed-Fi commands (issue 5): the simulated SIS (`rex sis-agent`), the
 * initial sync of a SIS zone and the code-set table.
 */

const DEFAULT_ZONE = 'district-sis';

function positiveInt(args: CommandArgs, name: string, fallback: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return n;
}

const sisAgent: Command = {
  path: ['sis-agent'],
  summary: "Run a simulated SIS: register in a node's SIS zone, publish a synthetic roster as SIF events, answer requests.",
  usage: `[--config NODE_FILE] [--node URL] [--zone ${DEFAULT_ZONE}] [--mode pull|push] [--port N] [--students 25] [--seed N] [--source-id SIS-AGENT] [--skip-publish] [--once]

Builds the roster from the synthetic district of the node's configuration (--config) and posts SIF 2.4 XML to
URL/zones/ZONE (URL defaults to the node's http.publicUrl). Pull mode polls with SIF_GetMessage; push mode
listens on --port (default: a free port). --once publishes, answers what is waiting and exits.`,
  options: {
    ...CONFIG_OPTION,
    node: { type: 'string' },
    zone: { type: 'string' },
    mode: { type: 'string' },
    port: { type: 'string' },
    students: { type: 'string' },
    seed: { type: 'string' },
    'source-id': { type: 'string' },
    'skip-publish': { type: 'boolean' },
    once: { type: 'boolean' },
  },
  async run(args) {
    const config = configFrom(args);
    const district = config.node?.district;
    if (!district) throw new UsageError('--config must be a node configuration (it names the district)');
    const mode = stringOption(args, 'mode') ?? 'pull';
    if (mode !== 'pull' && mode !== 'push') throw new UsageError('--mode must be pull or push');
    const nodeUrl = (stringOption(args, 'node') ?? publicUrl(config)).replace(/\/$/, '');
    const zone = stringOption(args, 'zone') ?? DEFAULT_ZONE;
    const seed = stringOption(args, 'seed');
    const roster = buildSisRoster({ students: positiveInt(args, 'students', 25), district, ...(seed ? { seed: Number(seed) } : {}) });
    const port = stringOption(args, 'port');
    const agent = new SisAgent({
      zoneUrl: `${nodeUrl}/zones/${encodeURIComponent(zone)}`,
      mode,
      roster,
      log: (line) => console.log(line),
      ...(stringOption(args, 'source-id') ? { sourceId: stringOption(args, 'source-id')! } : {}),
      ...(port ? { port: Number(port) } : {}),
    });
    await agent.connect();
    if (!args.values['skip-publish']) {
      const events = eventObjects(roster.objects);
      const progress = new ProgressBar({ label: 'publishing SIF events', total: events.length });
      let shown = 0;
      const count = await agent.publishAll(events, (done) => {
        progress.tick(done - shown);
        shown = done;
      });
      progress.finish();
      console.log(`published ${count} SIF_Event Adds for ${district.name}`);
    }
    if (args.values['once']) {
      if (mode === 'pull') await agent.pullOnce();
      await agent.stop();
      return 0;
    }
    if (mode === 'pull') agent.startPolling();
    stopOnSignal(() => agent.stop());
    return 'keep-running';
  },
};

const sync: Command = {
  path: ['node', 'sif', 'sync'],
  summary: "Initial sync: request every object of a type from the zone's SIS and load the answers into the Ed-Fi store.",
  usage: `--object NAME [--zone ${DEFAULT_ZONE}] [--timeout 600] [--config FILE]

Sends a SIF_Request from the node's agent; the running node loads the SIF_Response packets as they arrive.
Shows their progress and exits when the last packet is in (1 when objects failed; see rex node sif failures).`,
  options: { ...CONFIG_OPTION, zone: { type: 'string' }, object: { type: 'string' }, timeout: { type: 'string' } },
  async run(args) {
    const objectName = stringOption(args, 'object');
    if (!objectName) throw new UsageError('--object NAME is required (e.g. StudentPersonal)');
    const zone = stringOption(args, 'zone') ?? DEFAULT_ZONE;
    const deadline = Date.now() + positiveInt(args, 'timeout', 600) * 1000;
    const db = await openRoleDatabase(configFrom(args), nodeSchema, { poolMax: 2 });
    try {
      const em = db.orm.em.fork();
      const started = await startInitialSync(em, zone, objectName);
      if (started.kind === 'no-zone') return fail(`rex: no zone ${zone} on this node`);
      if (started.kind === 'refused') return fail(`rex: the zone refused the SIF_Request: ${started.error.category}/${started.error.code} ${started.error.extendedDesc ?? started.error.desc}`);
      const progress = new ProgressBar({ label: `sync ${objectName}` });
      let shown = 0;
      for (;;) {
        const state = await syncProgress(em, zone, started.msgId);
        if (state && state.objects + state.failures > shown) {
          progress.tick(state.objects + state.failures - shown);
          shown = state.objects + state.failures;
        }
        if (state?.complete) {
          progress.finish();
          console.log(`${objectName}: ${state.objects} loaded, ${state.failures} failed, in ${state.packets} packet(s)${state.error ? `; the SIS answered ${state.error}` : ''}`);
          return state.failures > 0 || state.error ? 1 : 0;
        }
        if (Date.now() > deadline) return fail(`rex: no complete answer to SIF_Request ${started.msgId} yet; is the node running and the SIS connected?`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await db.close();
    }
  },
};

function fail(message: string): number {
  console.error(message);
  return 1;
}

const codesList: Command = {
  path: ['node', 'sif', 'codes', 'list'],
  summary: 'List the SIF code set → Ed-Fi descriptor table in effect (defaults, data-directory file, overrides).',
  usage: '[--set NAME] [--config FILE]',
  options: { ...CONFIG_OPTION, set: { type: 'string' } },
  async run(args) {
    const config = configFrom(args);
    const only = stringOption(args, 'set');
    if (only && !isCodeSetName(only)) throw new UsageError(`--set must be one of ${Object.keys(defaultCodeSets()).join(', ')}`);
    const db = await openRoleDatabase(config, nodeSchema, { poolMax: 2 });
    try {
      const sets = await effectiveCodeSets(db.orm.em.fork(), config.dataDir);
      for (const [name, set] of Object.entries(sets)) {
        if (only && name !== only) continue;
        console.log(`${name}  → ${set.descriptor}${set.sif ? `  (SIF ${set.sif})` : ''}`);
        for (const [code, value] of Object.entries(set.codes)) console.log(`  ${code.padEnd(34)} ${descriptorUri(set, value)}`);
      }
    } finally {
      await db.close();
    }
    return 0;
  },
};

const codesSet: Command = {
  path: ['node', 'sif', 'codes', 'set'],
  summary: 'Map a SIF code to an Ed-Fi descriptor (a code value of the default namespace, or a full URI).',
  usage: 'SET CODE DESCRIPTOR [--config FILE]\n\nExample: rex node sif codes set gradeLevel 13 "Grade 13"\nThe running node picks the change up within seconds.',
  options: CONFIG_OPTION,
  positionals: true,
  async run(args) {
    const [set, code, value] = args.positionals;
    if (!set || !code || !value || args.positionals.length !== 3) throw new UsageError('give SET CODE DESCRIPTOR');
    if (!isCodeSetName(set)) throw new UsageError(`SET must be one of ${Object.keys(defaultCodeSets()).join(', ')}`);
    const db = await openRoleDatabase(configFrom(args), nodeSchema, { poolMax: 2 });
    try {
      await saveCodeOverride(db.orm.em.fork(), { set, code, value });
    } finally {
      await db.close();
    }
    console.log(`${set} ${code} → ${descriptorUri(defaultCodeSets()[set], value)}`);
    return 0;
  },
};

const codesUnset: Command = {
  path: ['node', 'sif', 'codes', 'unset'],
  summary: 'Remove an override from the code-set table (the default applies again).',
  usage: 'SET CODE [--config FILE]',
  options: CONFIG_OPTION,
  positionals: true,
  async run(args) {
    const [set, code] = args.positionals;
    if (!set || !code || args.positionals.length !== 2) throw new UsageError('give SET CODE');
    const db = await openRoleDatabase(configFrom(args), nodeSchema, { poolMax: 2 });
    try {
      const removed = await removeCodeOverride(db.orm.em.fork(), set, code);
      console.log(removed ? `removed the override of ${set} ${code}` : `no override of ${set} ${code}`);
      return removed ? 0 : 1;
    } finally {
      await db.close();
    }
  },
};

const failures: Command = {
  path: ['node', 'sif', 'failures'],
  summary: 'List SIF objects that could not be applied to the Ed-Fi store (newest first).',
  usage: '[--limit 20] [--config FILE]',
  options: { ...CONFIG_OPTION, limit: { type: 'string' } },
  async run(args) {
    const db = await openRoleDatabase(configFrom(args), nodeSchema, { poolMax: 2 });
    try {
      const rows = await db.orm.em.fork().execute<Array<{ at: Date; zone_id: string; msg_id: string; action: string; object_name: string; ref_id: string | null; category: number; code: number; reason: string }>>(
        'SELECT at, zone_id, msg_id, action, object_name, ref_id, category, code, reason FROM sif_sync_failure ORDER BY id DESC LIMIT ?',
        [positiveInt(args, 'limit', 20)],
      );
      if (rows.length === 0) console.log('no failures');
      for (const r of rows) console.log(`${new Date(r.at).toISOString()} ${r.zone_id} ${r.msg_id} ${r.action} ${r.object_name} ${r.ref_id ?? ''} SIF_Error ${r.category}/${r.code}: ${r.reason}`);
    } finally {
      await db.close();
    }
    return 0;
  },
};

/** `rex sis-agent` and `rex node sif …`. */
export const sisCommands: Command[] = [sisAgent, sync, codesList, codesSet, codesUnset, failures];
