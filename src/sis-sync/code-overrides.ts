import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defaultCodeSets, isCodeSetName, withOverrides, type CodeOverride, type CodeSets } from '../sis-mapping/code-sets.js';

/**
 * The code sets a node maps with: the defaults, then the data directory's
 * `sif-code-sets.json` (same shape as src/sis-mapping/code-sets.json, only
 * `sets.<name>.codes` is read), then the overrides stored in the node
 * database by `rex node sif codes set` (the database wins: it is what an
 * administrator changed last).
 */

/** The name of the override file in the data directory. */
export const CODE_SETS_FILE = 'sif-code-sets.json';

/** Overrides from the data directory's file; a missing file is none, a broken one an error naming it. */
export function fileOverrides(dataDir: string): CodeOverride[] {
  const path = join(dataDir, CODE_SETS_FILE);
  if (!existsSync(path)) return [];
  let parsed: { sets?: Record<string, { codes?: Record<string, unknown> }> };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const overrides: CodeOverride[] = [];
  for (const [set, { codes = {} } = {}] of Object.entries(parsed.sets ?? {})) {
    if (!isCodeSetName(set)) throw new Error(`${path}: ${set} is not a SIF code set (see rex node sif codes list)`);
    for (const [code, value] of Object.entries(codes)) if (typeof value === 'string') overrides.push({ set, code, value });
  }
  return overrides;
}

/** Overrides stored in the node database. */
export async function databaseOverrides(em: EntityManager): Promise<CodeOverride[]> {
  const rows = await em.execute<Array<{ set_name: string; code: string; value: string }>>('SELECT set_name, code, value FROM sif_code_override ORDER BY updated_at, set_name, code');
  return rows.map((r) => ({ set: r.set_name, code: r.code, value: r.value }));
}

/** Stores (or replaces) one override. */
export async function saveCodeOverride(em: EntityManager, override: CodeOverride): Promise<void> {
  await em.execute(
    `INSERT INTO sif_code_override (set_name, code, value) VALUES (?, ?, ?)
     ON CONFLICT (set_name, code) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [override.set, override.code, override.value],
  );
}

/** Removes one override (the default, if any, applies again). */
export async function removeCodeOverride(em: EntityManager, set: string, code: string): Promise<boolean> {
  const rows = await em.execute<unknown[]>('DELETE FROM sif_code_override WHERE set_name = ? AND code = ? RETURNING 1', [set, code]);
  return rows.length > 0;
}

/** The effective code sets of a node. */
export async function effectiveCodeSets(em: EntityManager, dataDir: string | undefined): Promise<CodeSets> {
  const fromFile = dataDir ? fileOverrides(dataDir) : [];
  return withOverrides(defaultCodeSets(), [...fromFile, ...(await databaseOverrides(em))]);
}
