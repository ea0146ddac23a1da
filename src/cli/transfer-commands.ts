import { resolve, join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../config/load-config.js';
import { routerClientFor } from '../node/registration.js';
import { DEMO_DISTRICTS } from '../sandbox/demo-districts.js';
import { runDemoTransfer } from '../sandbox/demo-transfer.js';
import type { RecordsTransfer, UserRef } from '../transfer/transfer-entity.js';
import { transferNodeOf } from '../transfer/transfer-node.js';
import { statusLabel } from '../transfer/transfer-status.js';
import { listTransfers } from '../transfer/transfer-store.js';
import { processAlerts, rejectTransfer, releaseTransfer, requestTransfer, type WorkflowResult } from '../transfer/transfer-workflow.js';
import { requireRight } from '../users/require-right.js';
import type { ToolRight } from '../users/tool-rights.js';
import { findUser } from '../users/user-store.js';
import { UsageError, stringOption, type Command, type CommandArgs } from './command.js';
import { withNodeDatabase } from './node-database.js';
import { CONFIG_OPTION, configFrom } from './shared-options.js';

/**
 * The records-transfer commands (DESIGN §6): a district administrator works
 * the node's database directly, as the running node's console users do
 * through the API. `--by USERNAME` acts as that console user (who must hold
 * the tool right); without it the command acts as the system administrator.
 */
const ACTOR_OPTIONS = { ...CONFIG_OPTION, by: { type: 'string' }, comments: { type: 'string' } } as const;

/** The acting user: `--by` (checked for the right) or the administrator at the console. */
async function actor(orm: MikroORM, args: CommandArgs, right: ToolRight): Promise<UserRef> {
  const username = stringOption(args, 'by');
  if (!username) return { username: 'admin', name: 'Administrator, System' };
  const user = await findUser(orm.em.fork(), username);
  if (!user) throw new UsageError(`no console user ${username}`);
  const check = requireRight(user, right);
  if (check.kind !== 'allowed') throw new UsageError(`${username} ${check.kind === 'disabled' ? 'is disabled' : `does not hold the tool right ${right}`}`);
  return { username: user.username, name: user.displayName };
}

function oneId(args: CommandArgs): string {
  const [id, ...rest] = args.positionals;
  if (!id || rest.length > 0) throw new UsageError('give one transfer ID (see rex node transfer list)');
  return id;
}

/** One line of the Records Transfer list: Request Date, Name, Status, Requesting District, Releasing District. */
function transferLine(t: RecordsTransfer): string {
  return `${t.id}  ${t.requestedAt.toISOString().slice(0, 16).replace('T', ' ')}  ${t.studentName.padEnd(24)}  ${statusLabel(t.status).padEnd(15)}  ${t.requestingDistrict.name} (${t.requestingDistrict.ncesId}) → ${t.releasingDistrict.name} (${t.releasingDistrict.ncesId})`;
}

function report(result: WorkflowResult<RecordsTransfer>, done: string): number {
  if (result.kind !== 'ok') {
    console.error(`refused (${result.kind}): ${result.detail}`);
    return 1;
  }
  console.log(`${done}\n${transferLine(result.value)}`);
  return 0;
}

const request: Command = {
  path: ['node', 'transfer', 'request'],
  summary: "Request a student's records from another district (a new national transfer request).",
  usage: '--student ID --from NCES [--comments TEXT] [--by USERNAME] [--config FILE]\n\nID is this district\'s Ed-Fi studentUniqueId; NCES is the releasing district (find it with rex node directory). The demographics come from this district\'s record. The running node sends the request.',
  options: { ...ACTOR_OPTIONS, student: { type: 'string' }, from: { type: 'string' } },
  async run(args) {
    const config = configFrom(args);
    const student = stringOption(args, 'student');
    const from = stringOption(args, 'from');
    if (!student) throw new UsageError('--student ID is required');
    if (!from || !/^[0-9]{7}$/.test(from)) throw new UsageError('--from is the 7-digit NCES id of the releasing district');
    const found = await routerClientFor(config).districtCertificate(from);
    if (!found.ok) {
      console.error(`refused: ${found.problem?.detail ?? `district ${from} is not active in the exchange`}`);
      return 1;
    }
    return withNodeDatabase(config, async (orm) => {
      const user = await actor(orm, args, 'records-transfer');
      const result = await requestTransfer(orm.em, transferNodeOf(config), { studentUniqueId: student, releasingDistrict: { ncesId: found.body.ncesId, name: found.body.name }, comments: stringOption(args, 'comments') ?? null, user });
      return report(result, `Request queued for ${found.body.name}; the running node sends it sealed through the router.`);
    });
  },
};

const list: Command = {
  path: ['node', 'transfer', 'list'],
  summary: 'The Records Transfer list: every transfer of the district (or one student) with its status history.',
  usage: '[--student ID] [--history] [--config FILE]',
  options: { ...CONFIG_OPTION, student: { type: 'string' }, history: { type: 'boolean' } },
  async run(args) {
    return withNodeDatabase(configFrom(args), async (orm) => {
      const student = stringOption(args, 'student');
      const transfers = await listTransfers(orm.em.fork(), student ? { studentId: student } : {});
      if (transfers.length === 0) console.log('no transfers');
      for (const t of transfers) {
        console.log(transferLine(t));
        if (args.values.history) for (const e of t.history) console.log(`    ${e.at.toISOString()}  ${statusLabel(e.status).padEnd(15)}  ${e.actor}${e.note ? `  — ${e.note}` : ''}`);
      }
      return 0;
    });
  },
};

const decision = (verb: 'release' | 'reject'): Command => ({
  path: ['node', 'transfer', verb],
  summary: verb === 'release' ? 'Release the records of a matched request (Process Alerts).' : 'Reject a request, with comments (Process Alerts).',
  usage: 'ID [--comments TEXT] [--by USERNAME] [--config FILE]',
  options: ACTOR_OPTIONS,
  positionals: true,
  async run(args) {
    const id = oneId(args);
    const config = configFrom(args);
    return withNodeDatabase(config, async (orm) => {
      const user = await actor(orm, args, 'notify-process-inbox');
      const step = verb === 'release' ? releaseTransfer : rejectTransfer;
      const result = await step(orm.em, transferNodeOf(config), id, { user, comments: stringOption(args, 'comments') ?? null });
      return report(result, verb === 'release' ? 'Released: the running node sends the sealed packet.' : 'Rejected: the requesting district will be told.');
    });
  },
});

const alerts: Command = {
  path: ['node', 'alerts'],
  summary: 'Process Alerts: requests entering the district waiting for a decision, requests leaving it, and notifications.',
  usage: '[--config FILE]',
  options: CONFIG_OPTION,
  async run(args) {
    return withNodeDatabase(configFrom(args), async (orm) => {
      const inbox = await processAlerts(orm.em);
      console.log(`Incoming requests (${inbox.incoming.length}):`);
      for (const t of inbox.incoming) console.log(`  ${transferLine(t)}`);
      console.log(`Outgoing requests (${inbox.outgoing.length}):`);
      for (const t of inbox.outgoing) console.log(`  ${transferLine(t)}`);
      console.log(`Notifications (${inbox.notifications.length}):`);
      for (const n of inbox.notifications) console.log(`  ${n.createdAt.toISOString()}  ${n.status.padEnd(12)}  ${n.message}`);
      return 0;
    });
  },
};

const demoTransfer: Command = {
  path: ['sandbox', 'demo-transfer'],
  summary: 'Against the running sandbox: request → match → release → receive between the two demo districts, step by step.',
  usage: '[--data-dir DIR]\n\nReads the demo districts\' configurations in DIR (default .rex/sandbox); start the sandbox first (npm start).',
  options: { 'data-dir': { type: 'string' } },
  async run(args) {
    const dataDir = resolve(stringOption(args, 'data-dir') ?? process.env.REX_DATA_DIR ?? '.rex/sandbox');
    const [releasing, requesting] = DEMO_DISTRICTS.map((d) => loadConfig(join(dataDir, `${d.key}.json`)));
    return runDemoTransfer(requesting!, releasing!);
  },
};

/** Every records-transfer command. */
export const transferCommands: Command[] = [request, list, decision('release'), decision('reject'), alerts, demoTransfer];
