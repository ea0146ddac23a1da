import { resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox/sandbox.js';
import { stringOption, type Command } from './command.js';
import { stopOnSignal } from './shared-options.js';

/** What a newcomer can try against the running sandbox. */
function commandsToTry(sandbox: Sandbox): string {
  const [first, second] = sandbox.nodes;
  if (!first || !second) return '';
  const rex = 'npm run rex --';
  return [
    'Try, in another terminal:',
    `  ${rex} node status --config ${first.configFile}`,
    `  ${rex} node directory --state ${second.district.state} --config ${first.configFile}`,
    `  ${rex} node directory --state ${first.district.state} --city <city> --config ${second.configFile}`,
    `  ${rex} router districts --config ${sandbox.routerConfigFile}`,
    `  curl ${sandbox.router.url}/openapi.json`,
    `  curl ${first.node.url}/healthz`,
    '',
    'Press Ctrl-C to stop everything.',
  ].join('\n');
}

/** `rex sandbox`: what `npm start` runs. */
export const sandboxCommand: Command = {
  path: ['sandbox'],
  summary: 'Start the sandbox: embedded PostgreSQL, a router and two demo districts (npm start).',
  usage: '[--data-dir DIR]\n\nData (databases, keys, certificates, passwords) is kept in DIR, by default .rex/sandbox; a second start reuses it.',
  options: { 'data-dir': { type: 'string' } },
  async run(args) {
    const dataDir = resolve(stringOption(args, 'data-dir') ?? process.env.REX_DATA_DIR ?? '.rex/sandbox');
    console.log(`Open Records Exchange sandbox — data in ${dataDir}\n`);
    const sandbox = await startSandbox(dataDir);
    console.log(`\n${commandsToTry(sandbox)}`);
    stopOnSignal(() => sandbox.stop());
    return 'keep-running';
  },
};
