import { userInfo } from 'node:os';
import { disclosuresOf, formatDisclosure } from '../disclosure/disclosure-log.js';
import { generatePassword } from '../users/password-hash.js';
import { expireSessionsOf } from '../users/sessions.js';
import { ALL_TOOL_RIGHTS, TOOL_RIGHTS, parseToolRights, type ToolRight } from '../users/tool-rights.js';
import { createUser, grantRights, listUsers, revokeRights, setUserDisabled, type ConsoleUser, type RightsChange } from '../users/user-store.js';
import { UsageError, stringOption, type Command, type CommandArgs } from './command.js';
import { withNodeDatabase } from './node-database.js';
import { CONFIG_OPTION, configFrom } from './shared-options.js';

function validRightsText(): string {
  const width = Math.max(...ALL_TOOL_RIGHTS.map((r) => r.length));
  return ALL_TOOL_RIGHTS.map((right) => `  ${right.padEnd(width)}  ${TOOL_RIGHTS[right]}`).join('\n');
}

/** USERNAME RIGHT… from the positionals; an unknown right is a usage error that lists the valid ones. */
function userAndRights(args: CommandArgs): { username: string; rights: ToolRight[] } {
  const [username, ...words] = args.positionals;
  if (!username) throw new UsageError('give a USERNAME and at least one RIGHT');
  if (words.length === 0) throw new UsageError(`give at least one RIGHT; valid rights:\n${validRightsText()}`);
  const parsed = parseToolRights(words);
  if (parsed.kind === 'unknown') throw new UsageError(`unknown tool right ${parsed.unknown.map((w) => `"${w}"`).join(', ')}; valid rights:\n${validRightsText()}`);
  return { username, rights: parsed.rights };
}

/** Who the CLI acts as, for `granted_by`: the operating-system account running it. */
function cliActor(args: CommandArgs): string {
  const by = stringOption(args, 'by');
  if (by) return by;
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

function describeUser(user: ConsoleUser): string {
  const state = user.disabled ? 'disabled' : 'enabled';
  return `${user.username}  ${state.padEnd(8)}  ${user.displayName}  rights: ${user.rights.join(', ') || '(none)'}`;
}

function reportChange(change: RightsChange): number {
  if (change.kind === 'unknown-user') {
    console.error(change.detail);
    return 1;
  }
  console.log(describeUser(change.user));
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  // A password piped from `echo` or a file ends with one line break, which is not part of it.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

const createCommand: Command = {
  path: ['node', 'users', 'create'],
  summary: 'Create a district console user (prints a generated password once unless --password-stdin).',
  usage:
    'USERNAME --name "Last, First" [--password-stdin] [--config FILE]\n\n' +
    'With --password-stdin the password is read from standard input (at least 12 characters); otherwise a random\n' +
    'password is generated and printed this once. Grant tool rights with `rex node users grant`.',
  options: { ...CONFIG_OPTION, name: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  positionals: true,
  async run(args) {
    const [username, ...rest] = args.positionals;
    if (!username || rest.length > 0) throw new UsageError('give one USERNAME');
    const name = stringOption(args, 'name')?.trim();
    if (!name) throw new UsageError('--name is required: the name shown for the user, e.g. "Registrar, Rita"');
    const fromStdin = args.values['password-stdin'] === true;
    const password = fromStdin ? await readStdin() : generatePassword();
    return withNodeDatabase(configFrom(args), async (orm) => {
      const result = await createUser(orm.em.fork(), { username, displayName: name, password });
      if (result.kind !== 'created') {
        console.error(result.detail);
        return 1;
      }
      console.log(`user created: ${describeUser(result.user)}`);
      if (!fromStdin) {
        console.log(`password: ${password}`);
        console.error('Give the password to the user now: it is not shown again.');
      }
      return 0;
    });
  },
};

const rightsCommand = (verb: 'grant' | 'revoke'): Command => ({
  path: ['node', 'users', verb],
  summary: verb === 'grant' ? 'Grant tool rights to a console user.' : 'Revoke tool rights from a console user.',
  usage: `USERNAME RIGHT… ${verb === 'grant' ? '[--by NAME] ' : ''}[--config FILE]\n\nRIGHT is one of: ${ALL_TOOL_RIGHTS.join(', ')}.`,
  options: { ...CONFIG_OPTION, ...(verb === 'grant' ? { by: { type: 'string' as const } } : {}) },
  positionals: true,
  async run(args) {
    const { username, rights } = userAndRights(args);
    return withNodeDatabase(configFrom(args), async (orm) => {
      const em = orm.em.fork();
      return reportChange(verb === 'grant' ? await grantRights(em, username, rights, cliActor(args)) : await revokeRights(em, username, rights));
    });
  },
});

const stateCommand = (verb: 'disable' | 'enable'): Command => ({
  path: ['node', 'users', verb],
  summary: verb === 'disable' ? 'Disable a console user: sign-in refused, sessions ended.' : 'Enable a disabled console user again.',
  usage: 'USERNAME [--config FILE]',
  options: CONFIG_OPTION,
  positionals: true,
  async run(args) {
    const [username, ...rest] = args.positionals;
    if (!username || rest.length > 0) throw new UsageError('give one USERNAME');
    return withNodeDatabase(configFrom(args), async (orm) => {
      const em = orm.em.fork();
      const change = await setUserDisabled(em, username, verb === 'disable');
      if (change.kind === 'ok' && verb === 'disable') await expireSessionsOf(em, change.user.id);
      return reportChange(change);
    });
  },
});

const listCommand: Command = {
  path: ['node', 'users', 'list'],
  summary: 'List the district console users and their tool rights.',
  usage: '[--config FILE]',
  options: CONFIG_OPTION,
  async run(args) {
    return withNodeDatabase(configFrom(args), async (orm) => {
      const users = await listUsers(orm.em.fork());
      if (users.length === 0) console.log('no users; create one with `rex node users create USERNAME --name NAME`');
      for (const user of users) console.log(describeUser(user));
      return 0;
    });
  },
};

const disclosuresCommand: Command = {
  path: ['node', 'disclosures'],
  summary: "A student's FERPA disclosure log: every request, release, rejection, view, receipt and import, newest first.",
  usage: '--student ID [--json] [--config FILE]\n\nID is the local student id (studentUniqueId).',
  options: { ...CONFIG_OPTION, student: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const student = stringOption(args, 'student')?.trim();
    if (!student) throw new UsageError('--student ID is required: the log is read one student at a time');
    return withNodeDatabase(configFrom(args), async (orm) => {
      const entries = await disclosuresOf(orm.em.fork(), student);
      if (args.values.json === true) console.log(JSON.stringify(entries, null, 2));
      else if (entries.length === 0) console.log(`no disclosures recorded for student ${student}`);
      else for (const entry of entries) console.log(formatDisclosure(entry));
      return 0;
    });
  },
};

/** Console users, their tool rights, and the disclosure log. */
export const userCommands: Command[] = [
  createCommand,
  rightsCommand('grant'),
  rightsCommand('revoke'),
  stateCommand('disable'),
  stateCommand('enable'),
  listCommand,
  disclosuresCommand,
];
