import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig, type RexConfig } from '../../src/config/load-config.js';

/** The district test nodes stand for unless a test names its own. */
export const TEST_DISTRICT = { ncesId: '0499901', name: 'Test USD', state: 'AZ' };

/**
 * A test node's configuration on `databaseUrl`: its own temporary data
 * directory, no logging, and a router address nothing answers at (tests of
 * the node alone never reach the router). `node` adds settings of the
 * configuration's `node` section (say, `edfi`).
 */
export function testNodeConfig(
  databaseUrl: string,
  district: { ncesId: string; name: string; state: string } = TEST_DISTRICT,
  node: Record<string, unknown> = {},
): RexConfig {
  return checkConfig({
    dataDir: mkdtempSync(join(tmpdir(), 'rex-node-')),
    databaseUrl,
    logLevel: 'silent',
    node: { routerUrl: 'http://127.0.0.1:9', district, ...node },
  });
}
