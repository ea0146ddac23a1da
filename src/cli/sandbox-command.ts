import { resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../sandbox/sandbox.js';
import { stringOption, type Command } from './command.js';
import { stopOnSignal } from './shared-options.js';

/** What a newcomer can try against the running sandbox. */
function commandsToTry(sandbox: Sandbox): string {
  const [first, second] = sandbox.nodes;
  if (!first || !second) return '';
  const rex = 'npm run rex --';
  const logins = sandbox.nodes.flatMap(({ district, node, logins }) => [
    `  ${district.name} (${node.url})`,
    `    registrar login:  ${logins.user.username} / ${logins.user.password}   (HTTP Basic on the node API)`,
    `    Ed-Fi client:     ${logins.edfiClient.key} / ${logins.edfiClient.secret}   (OAuth2 client credentials at ${node.url}/oauth/token)`,
  ]);
  const { user, edfiClient } = first.logins;
  return [
    'Logins (kept in each node\'s data directory, sandbox-logins.json):',
    ...logins,
    '',
    'Try, in another terminal:',
    `  ${rex} sandbox demo-transfer          # request → match → release → receive between the two districts`,
    `  curl -u ${user.username}:${user.password} ${first.node.url}/transfers`,
    `  curl -u ${second.logins.user.username}:${second.logins.user.password} ${second.node.url}/process-alerts`,
    `  TOKEN=$(curl -s -u ${edfiClient.key}:${edfiClient.secret} -d grant_type=client_credentials ${first.node.url}/oauth/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
    `  curl -H "Authorization: Bearer $TOKEN" '${first.node.url}/data/v3/ed-fi/students?limit=2'`,
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
