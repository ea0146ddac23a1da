import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEdfiSpec } from '../../src/edfi/generate/spec-model.js';
import { DEFAULT_STANDARDS_DIR, REPO_ROOT, readSpecInputs, renderGeneratedFiles } from '../../src/edfi/generate/generate-edfi-schemas.js';

describe('generated Ed-Fi schemas', () => {
  it('equal what the generator makes from ../shared/standards/edfi', () => {
    if (!existsSync(DEFAULT_STANDARDS_DIR)) {
      throw new Error(`../shared/standards/edfi is missing (looked in ${DEFAULT_STANDARDS_DIR}): the official Ed-Fi specifications are needed`);
    }
    const files = renderGeneratedFiles(buildEdfiSpec(readSpecInputs()));
    for (const [path, content] of Object.entries(files)) {
      expect(readFileSync(join(REPO_ROOT, path), 'utf8'), `${path} is stale: run npm run generate:edfi-schemas`).toBe(content);
    }
  }, 120_000);
});
