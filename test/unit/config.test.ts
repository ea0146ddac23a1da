import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';

function configFile(content: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rex-config-')), 'config.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const node = { district: { ncesId: '0400001', name: 'Saguaro Unified', state: 'AZ' }, routerUrl: 'http://127.0.0.1:4000' };

describe('loadConfig', () => {
  it('fills defaults and lets the environment override the file', () => {
    const config = loadConfig(configFile({ node }), { REX_PORT: '4101', DATABASE_URL: 'postgres://x/y' });
    expect(config.http.port).toBe(4101);
    expect(config.databaseUrl).toBe('postgres://x/y');
    expect(config.node?.deliveryMode).toBe('push');
    expect(config.router.signatureWindowSeconds).toBe(300);
  });

  it.each([
    [{ node: { ...node, district: { ...node.district, state: 'Arizona' } } }, {}, 'node.district.state must match pattern'],
    [{ node: { ...node, district: { name: 'X Unified', state: 'AZ' } } }, {}, 'node.district.ncesId is required'],
    [{ nodes: {} }, {}, 'nodes is not a known setting'],
    [{}, { REX_PORT: 'eighty' }, 'http.port must be integer'],
    [{ node: { ...node, deliveryMode: 'fax' } }, {}, 'node.deliveryMode must be one of push, pull'],
  ])('refuses %j with one line naming the key', (content, env, message) => {
    const load = () => loadConfig(configFile(content), env);
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
    try {
      load();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
