import { existsSync } from 'node:fs';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createClient, listClients, revokeClient, type ClientSummary } from '../clients/client-store.js';
import { edfiSpec } from '../edfi/edfi-spec.js';
import { ProgressBar } from '../loading/progress.js';
import { loadRecordFiles, seedSyntheticDistrict, type LoadSummary, type Rejection } from '../loading/record-loads.js';
import { loadStandardDescriptors } from '../records/standard-descriptors.js';
import { DEFAULT_SEED } from '../seed/synthetic-district.js';
import { catchUpMatchIndex } from '../transfer/match-index.js';
import { UsageError, stringOption, type Command, type CommandArgs } from './command.js';
import { withNodeDatabase } from './node-database.js';
import { CONFIG_OPTION, configFrom } from './shared-options.js';

/** Reads `--ed-org 255901,255901001` into positive integer ids. */
export function educationOrganizationIds(value: string | undefined): number[] {
  if (!value) throw new UsageError('--ed-org ID[,ID…] is required: the schools or local education agencies the client may access');
  const ids = value.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^[1-9][0-9]{0,15}$/.test(id) || !Number.isSafeInteger(Number(id)))) {
    throw new UsageError(`--ed-org must list education organization ids (positive integers), got "${value}"`);
  }
  return [...new Set(ids.map(Number))];
}

function describeClient(client: ClientSummary): string {
  const state = client.revokedAt ? `revoked ${client.revokedAt.toISOString()}` : 'active';
  return `${client.key}  ${state.padEnd(7)}  ed-orgs ${client.educationOrganizationIds.join(',')}  ${client.name}  created ${client.createdAt.toISOString()}`;
}

const createCommand: Command = {
  path: ['node', 'clients', 'create'],
  summary: 'Create an Ed-Fi API client (OAuth2 client credentials) scoped to schools or local education agencies.',
  usage:
    '--name NAME --ed-org ID[,ID…] [--config FILE]\n\nPrints the client key and secret. The secret is shown this once and stored only as a hash.\n' +
    'An LEA id covers every school of that LEA. Get a token with POST /oauth/token (grant_type=client_credentials).',
  options: { ...CONFIG_OPTION, name: { type: 'string' }, 'ed-org': { type: 'string' } },
  async run(args) {
    const name = stringOption(args, 'name')?.trim();
    if (!name) throw new UsageError('--name is required: who the client is for, e.g. the SIS vendor');
    const ids = educationOrganizationIds(stringOption(args, 'ed-org'));
    return withNodeDatabase(configFrom(args), async (orm) => {
      const client = await createClient(orm.em.fork(), { name, educationOrganizationIds: ids });
      console.log(`client created for ${client.name}, scoped to education organizations ${ids.join(', ')}`);
      console.log(`key:    ${client.key}`);
      console.log(`secret: ${client.secret}`);
      console.error('Store the secret now: it is not shown again.');
      return 0;
    });
  },
};

const listCommand: Command = {
  path: ['node', 'clients', 'list'],
  summary: 'List the Ed-Fi API clients of this node (keys, scopes, state; never secrets).',
  usage: '[--config FILE]',
  options: CONFIG_OPTION,
  async run(args) {
    return withNodeDatabase(configFrom(args), async (orm) => {
      const clients = await listClients(orm.em.fork());
      if (clients.length === 0) console.log('no clients: create one with rex node clients create --name NAME --ed-org ID');
      for (const client of clients) console.log(describeClient(client));
      return 0;
    });
  },
};

const revokeCommand: Command = {
  path: ['node', 'clients', 'revoke'],
  summary: 'Revoke an Ed-Fi API client: it gets no new token and its tokens stop working at once.',
  usage: 'KEY [--config FILE]',
  options: CONFIG_OPTION,
  positionals: true,
  async run(args) {
    const key = singlePositional(args, 'give one KEY: the client key shown by rex node clients list');
    return withNodeDatabase(configFrom(args), async (orm) => {
      const outcome = await revokeClient(orm.em.fork(), key);
      if (outcome.kind === 'not-found') {
        console.error(`no client with key ${key}`);
        return 1;
      }
      console.log(outcome.kind === 'ok' ? `revoked: ${describeClient(outcome.client)}` : `already revoked: ${describeClient(outcome.client)}`);
      return 0;
    });
  },
};

function singlePositional(args: CommandArgs, message: string): string {
  const [value, ...rest] = args.positionals;
  if (!value || rest.length > 0) throw new UsageError(message);
  return value;
}

function positiveInteger(args: CommandArgs, name: string, fallback?: number): number {
  const raw = stringOption(args, name);
  if (raw === undefined && fallback !== undefined) return fallback;
  if (!raw || !/^[0-9]+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new UsageError(`--${name} must be a whole number`);
  return Number(raw);
}

function printSummary(label: string, summary: LoadSummary): void {
  console.log(`${label}: ${summary.created.toLocaleString('en-US')} created, ${summary.updated.toLocaleString('en-US')} updated, ${summary.rejected.toLocaleString('en-US')} rejected`);
}

function rejectionLine(rejection: Rejection): string {
  return `rejected ${rejection.at}${rejection.resource ? ` ${rejection.resource}` : ''} (${rejection.status}): ${rejection.reason}`;
}

const seedCommand: Command = {
  path: ['node', 'seed'],
  summary: 'Load the deterministic synthetic district (schools, students, families, enrollment, grades, health …) into this node.',
  usage:
    '--students N [--seed S] [--config FILE]\n\nThe same N and S always give the same records; loading them again updates them in place.\n' +
    `The district is the node's own (node.district). Default seed: ${DEFAULT_SEED}.`,
  options: { ...CONFIG_OPTION, students: { type: 'string' }, seed: { type: 'string' } },
  async run(args) {
    const students = positiveInteger(args, 'students');
    if (students < 1) throw new UsageError('--students must be at least 1');
    const seed = positiveInteger(args, 'seed', DEFAULT_SEED);
    const config = configFrom(args);
    if (!config.node) throw new UsageError('the configuration has no node section: give the node\'s --config FILE');
    const district = config.node.district;
    return withNodeDatabase(
      config,
      async (orm) => {
        await loadStandardDescriptors(orm.em.fork());
        const progress = new ProgressBar({ label: 'seeding students', total: students });
        const summary = await seedSyntheticDistrict(orm, edfiSpec(), { students, seed, district }, { progress, onRejected: (r) => progress.log(rejectionLine(r)) });
        progress.finish();
        printSummary(`synthetic district of ${students.toLocaleString('en-US')} students (seed ${seed}) for ${district.name}`, summary);
        await indexForMatching(orm);
        return summary.rejected > 0 ? 1 : 0;
      },
      4,
    );
  },
};

const loadCommand: Command = {
  path: ['node', 'load'],
  summary: 'Load Ed-Fi records from JSON or NDJSON files, in dependency order; rejected records are reported and skipped.',
  usage:
    'FILE… [--config FILE]\n\nEach FILE is NDJSON (.ndjson/.jsonl: one {"resource":"students","project":"ed-fi","document":{…}} per line),\n' +
    'a JSON array of such records, or plain documents in a file named after their resource (students.json).\n' +
    'Each rejected record is reported as FILE:LINE RESOURCE (status): problem. Exit code 1 if any was rejected.',
  options: CONFIG_OPTION,
  positionals: true,
  async run(args) {
    if (args.positionals.length === 0) throw new UsageError('give at least one FILE to load');
    const missing = args.positionals.filter((file) => !existsSync(file));
    if (missing.length > 0) throw new UsageError(`no such file: ${missing.join(', ')}`);
    return withNodeDatabase(
      configFrom(args),
      async (orm) => {
        await loadStandardDescriptors(orm.em.fork());
        const progress = new ProgressBar({ label: 'loading records' });
        const summary = await loadRecordFiles(orm, edfiSpec(), args.positionals, { progress, onRejected: (r) => progress.log(rejectionLine(r)) });
        progress.finish();
        printSummary(`loaded ${args.positionals.length} file(s)`, summary);
        await indexForMatching(orm);
        return summary.rejected > 0 ? 1 : 0;
      },
      4,
    );
  },
};

/**
 * Keys the loaded students for records-transfer matching now, so the first
 * transfer request after a big load does not wait for it.
 */
async function indexForMatching(orm: MikroORM): Promise<void> {
  const keyed = await catchUpMatchIndex(orm);
  if (keyed > 0) console.log(`indexed ${keyed.toLocaleString('en-US')} student(s) for records-transfer matching`);
}

/** Ed-Fi API clients, synthetic data and bulk loading. */
export const edfiCommands: Command[] = [createCommand, listCommand, revokeCommand, seedCommand, loadCommand];
