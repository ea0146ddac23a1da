import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { publicUrl, type RexConfig } from '../config/load-config.js';
import { loadOrCreateCertificateAuthority } from '../crypto/certificate-authority.js';
import { nodeSchema } from '../node/node-schema.js';
import {
  formatExchangeStatus,
  localRegistration,
  refreshStatus,
  registerWithRouter,
  routerClientFor,
  withdrawFromExchange,
  type ExchangeOutcome,
} from '../node/registration.js';
import { readNodeDocuments } from '../node/document-reader.js';
import type { District } from '../router/district-entity.js';
import { approveDistrict, endParticipation, listDistricts, rejectDistrict } from '../router/registry.js';
import type { RouterResult } from '../router/refusal.js';
import { routerSchema } from '../router/router-schema.js';
import { openRoleDatabase } from '../storage/role-database.js';
import { UsageError, stringOption, type Command, type CommandArgs } from './command.js';
import { CONFIG_OPTION, configFrom } from './shared-options.js';

async function withDatabase<T>(config: RexConfig, role: 'router' | 'node', work: (orm: MikroORM) => Promise<T>): Promise<T> {
  const db = await openRoleDatabase(config, role === 'router' ? routerSchema : nodeSchema, { poolMax: 2 });
  try {
    return await work(db.orm);
  } finally {
    await db.close();
  }
}

function districtArgument(args: CommandArgs): string {
  const [ncesId, ...rest] = args.positionals;
  if (!ncesId || rest.length > 0 || !/^[0-9]{7}$/.test(ncesId)) throw new UsageError('give one DISTRICT: its 7-digit NCES id');
  return ncesId;
}

function reportOperatorResult(result: RouterResult<District>, done: string): number {
  if (!result.ok) {
    console.error(`refused: ${result.refusal.detail}`);
    return 1;
  }
  console.log(`${result.value.ncesId} ${result.value.name} (${result.value.state}): ${done}`);
  return 0;
}

const operatorCommand = (verb: 'approve' | 'reject' | 'revoke', summary: string): Command => ({
  path: ['router', verb],
  summary,
  usage: `DISTRICT [--reason TEXT] [--config FILE]\n\nDISTRICT is the 7-digit NCES id. Works on the router's database (DATABASE_URL, or the embedded one of its data directory).`,
  options: { ...CONFIG_OPTION, reason: { type: 'string' } },
  positionals: true,
  async run(args) {
    const ncesId = districtArgument(args);
    const config = configFrom(args);
    const reason = stringOption(args, 'reason') ?? '';
    return withDatabase(config, 'router', async (orm) => {
      const em = orm.em.fork();
      if (verb === 'approve') {
        const ca = loadOrCreateCertificateAuthority(join(config.dataDir, 'ca'));
        return reportOperatorResult(await approveDistrict(em, ca, ncesId, config.router.certificateValidityDays), 'approved, certificate issued, Active');
      }
      if (verb === 'reject') return reportOperatorResult(await rejectDistrict(em, ncesId, reason || 'no reason given'), 'rejected');
      return reportOperatorResult(await endParticipation(em, ncesId, 'revoked', reason), 'certificate revoked, removed from the directory');
    });
  },
});

const districts: Command = {
  path: ['router', 'districts'],
  summary: 'List every district known to the router with its registration state.',
  usage: '[--config FILE]',
  options: CONFIG_OPTION,
  async run(args) {
    return withDatabase(configFrom(args), 'router', async (orm) => {
      const rows = await listDistricts(orm.em.fork());
      if (rows.length === 0) console.log('no districts registered');
      for (const d of rows) {
        console.log(`${d.ncesId}  ${d.state}  ${d.status.padEnd(9)}  ${d.name}  registered ${d.registeredAt.toISOString()} by ${d.registeredBy}${d.reason ? `  — ${d.reason}` : ''}`);
      }
      return 0;
    });
  },
};

function reportExchange(outcome: ExchangeOutcome): number {
  if (outcome.ok) {
    const s = outcome.status;
    console.log(
      formatExchangeStatus({
        registeredFrom: s.exchangeRegistration.registeredFrom,
        applicationName: s.exchangeRegistration.applicationName,
        registeredBy: s.registeredBy,
        registeredAt: new Date(s.registeredAt),
        exchangeStatus: s.exchangeStatus,
        reason: s.reason,
      }),
    );
    return 0;
  }
  if (outcome.reason === 'terms-not-accepted') {
    console.log(`${outcome.terms.text}\n\nTerms of service version ${outcome.terms.version}.`);
    console.error('Read the terms above; to accept them and register, run again with --accept-terms.');
    return 1;
  }
  console.error(`Exchange Status: Inactive\n${outcome.detail}`);
  return 1;
}

const register: Command = {
  path: ['node', 'register'],
  summary: 'Register this district with the national router (after reading and accepting the terms).',
  usage: '--accept-terms [--by NAME] [--endpoint URL] [--config FILE]\n\nWithout --accept-terms it prints the terms of service and registers nothing.',
  options: { ...CONFIG_OPTION, 'accept-terms': { type: 'boolean' }, by: { type: 'string' }, endpoint: { type: 'string' } },
  async run(args) {
    const config = configFrom(args);
    return withDatabase(config, 'node', async (orm) =>
      reportExchange(
        await registerWithRouter(config, orm, {
          acceptTerms: args.values['accept-terms'] === true,
          registeredBy: stringOption(args, 'by') ?? 'Administrator, System',
          endpoint: stringOption(args, 'endpoint') ?? publicUrl(config),
          readDocuments: readNodeDocuments(orm),
        }),
      ),
    );
  },
};

const status: Command = {
  path: ['node', 'status'],
  summary: "Show this district's registration and exchange status, as the router reports it.",
  usage: '[--offline] [--config FILE]\n\n--offline shows the last status this node recorded, without asking the router.',
  options: { ...CONFIG_OPTION, offline: { type: 'boolean' } },
  async run(args) {
    const config = configFrom(args);
    return withDatabase(config, 'node', async (orm) => {
      if (args.values.offline) {
        const local = await localRegistration(orm);
        console.log(local ? formatExchangeStatus(local) : 'Exchange Registration: Not Registered\nExchange Status: Inactive');
        return 0;
      }
      const outcome = await refreshStatus(config, orm);
      if (!outcome.ok && outcome.reason === 'not-registered') {
        console.log('Exchange Registration: Not Registered\nExchange Status: Inactive');
        return 0;
      }
      return reportExchange(outcome);
    });
  },
};

const withdraw: Command = {
  path: ['node', 'withdraw'],
  summary: 'Withdraw this district from the exchange: its certificate is revoked and it leaves the directory.',
  usage: '[--reason TEXT] [--config FILE]',
  options: { ...CONFIG_OPTION, reason: { type: 'string' } },
  async run(args) {
    const config = configFrom(args);
    return withDatabase(config, 'node', async (orm) => reportExchange(await withdrawFromExchange(config, orm, stringOption(args, 'reason') ?? '')));
  },
};

const directory: Command = {
  path: ['node', 'directory'],
  summary: 'District locator: search the router directory (state required; name, city and zip optional).',
  usage: '--state XX [--name TEXT] [--city TEXT] [--zip 12345] [--config FILE]',
  options: { ...CONFIG_OPTION, state: { type: 'string' }, name: { type: 'string' }, city: { type: 'string' }, zip: { type: 'string' } },
  async run(args) {
    const state = stringOption(args, 'state');
    if (!state) throw new UsageError('--state is required: the district locator searches one state at a time');
    const answer = await routerClientFor(configFrom(args)).directory({
      state,
      name: stringOption(args, 'name'),
      city: stringOption(args, 'city'),
      zip: stringOption(args, 'zip'),
    });
    if (!answer.ok) {
      console.error(`refused (${answer.status}): ${answer.problem.detail ?? answer.problem.title}`);
      return 1;
    }
    if (answer.body.districts.length === 0) console.log('no active district matches');
    for (const d of answer.body.districts) console.log(`${d.ncesId}  ${d.name}, ${d.state}  cities: ${d.cities.join(', ')}  zips: ${d.zips.join(', ')}`);
    return 0;
  },
};

/** Registration, status, directory and operator commands. */
export const exchangeCommands: Command[] = [
  operatorCommand('approve', 'Approve a pending registration: the router CA issues the certificate and the district becomes Active.'),
  operatorCommand('reject', 'Reject a registration that is waiting for approval.'),
  operatorCommand('revoke', "Revoke a district's certificate and remove it from the directory."),
  districts,
  register,
  status,
  withdraw,
  directory,
];
