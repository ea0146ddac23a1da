import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { ensureDatabase } from '../../src/storage/embedded-postgres.js';

/**
 * Creates a fresh database for one test file, cloned from the migrated
 * template of the given role, and returns its URL.
 */
export async function createTestDatabase(role: 'router' | 'node'): Promise<string> {
  const adminUrl = inject('pgAdminUrl');
  if (!adminUrl) throw new Error('no test PostgreSQL: run the tests with --config test/vitest.config.ts (npm test does)');
  const name = `rex_test_${role}_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(adminUrl, name, `rex_template_${role}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
