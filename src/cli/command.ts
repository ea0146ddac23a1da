import type { ParseArgsConfig } from 'node:util';

/** Options as node:util parseArgs declares them. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed values of a command's options and its positional arguments. */
export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** One `rex` sub-command, such as `rex node register`. */
export interface Command {
  /** The words after `rex`, e.g. ['node', 'register']. An empty path is not allowed. */
  readonly path: string[];
  /** One line for the command list. */
  readonly summary: string;
  /** Usage text shown by --help, after the "usage:" line. */
  readonly usage: string;
  readonly options?: OptionSpec;
  /** Whether positionals are accepted (they are checked by the command itself). */
  readonly positionals?: boolean;
  /** Runs the command; the process exits with the returned code, unless the command keeps servers running. */
  run(args: CommandArgs): Promise<number | 'keep-running'>;
}

/** Raised for wrong command-line use; main prints the message and the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Reads a string option, or undefined. */
export function stringOption(args: CommandArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}
