import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load-config.js';
import { UsageError, type Command } from './command.js';
import { commands } from './commands.js';

/**
 * Entry point of the `rex` CLI: finds the longest command path that matches
 * the words given, parses its options and runs it.
 */
async function main(argv: string[]): Promise<void> {
  const command = findCommand(argv);
  if (!command) {
    printOverview(argv);
    process.exit(argv.length === 0 || argv.includes('--help') || argv.includes('-h') ? 0 : 2);
  }
  const rest = argv.slice(command.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(helpText(command));
    process.exit(0);
  }
  try {
    const parsed = parseArgs({
      args: rest,
      options: command.options ?? {},
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
    const code = await command.run({ values: parsed.values, positionals: parsed.positionals });
    if (code !== 'keep-running') process.exit(code);
  } catch (error) {
    process.exit(reportFailure(command, error));
  }
}

function findCommand(argv: string[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && command.path.length > (best?.path.length ?? 0)) best = command;
  }
  return best;
}

function reportFailure(command: Command, error: unknown): number {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`rex ${command.path.join(' ')}: ${(error as Error).message}\n\n${helpText(command)}`);
    return 2;
  }
  if (error instanceof ConfigError) {
    console.error(`rex: ${error.message}`);
    return 78; // EX_CONFIG
  }
  console.error(`rex ${command.path.join(' ')}: ${(error as Error).stack ?? String(error)}`);
  return 1;
}

function helpText(command: Command): string {
  const text = `usage: rex ${command.path.join(' ')} ${command.usage}\n\n${command.summary}`;
  const subcommands = commands.filter(
    (c) => c.path.length > command.path.length && command.path.every((word, i) => c.path[i] === word),
  );
  if (subcommands.length === 0) return text;
  const width = Math.max(...subcommands.map((c) => c.path.join(' ').length));
  const lines = subcommands.map((c) => `  rex ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `${text}\n\nRelated commands:\n${lines.join('\n')}`;
}

function printOverview(argv: string[]): void {
  const prefix = argv.filter((a) => !a.startsWith('-'));
  const listed = commands.filter((c) => prefix.every((word, i) => c.path[i] === word));
  const shown = listed.length > 0 ? listed : commands;
  if (listed.length === 0 && prefix.length > 0) console.error(`rex: unknown command "${prefix.join(' ')}"\n`);
  console.log('usage: rex <command> [options]   (rex <command> --help for details)\n');
  const width = Math.max(...shown.map((c) => c.path.join(' ').length));
  for (const c of shown) console.log(`  rex ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
}

await main(process.argv.slice(2));
