import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The official SIF US 2.4 schema, read from ../shared/standards beside the repository. */
export const SIF_XSD = resolve(fileURLToPath(new URL('../../../shared/standards/sif/SIF_Message-us-2.4.xsd', import.meta.url)));

/** Throws a clear message when the standards folder or xmllint is missing. */
export function requireXsdTools(): void {
  if (!existsSync(SIF_XSD)) {
    throw new Error(`../shared/standards/sif/SIF_Message-us-2.4.xsd is missing (looked at ${SIF_XSD}): the SIF conformance tests need the official XSDs beside the repository`);
  }
  const probe = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (probe.error) throw new Error('xmllint is missing: install Debian libxml2-utils (apt-get install -y libxml2-utils)');
}

/**
 * Validates many XML documents against the SIF 2.4 XSD in one xmllint run
 * (loading the 1 MB schema once). Returns name → error text for each
 * document that does not validate; an empty object when all do.
 */
export function validateAgainstSifXsd(documents: Record<string, string>): Record<string, string> {
  requireXsdTools();
  const dir = mkdtempSync(join(tmpdir(), 'rex-sif-xsd-'));
  try {
    const files = Object.entries(documents).map(([name, xml], index) => {
      const file = join(dir, `${index}-${name.replace(/[^A-Za-z0-9_-]/g, '_')}.xml`);
      writeFileSync(file, xml);
      return { name, file };
    });
    const run = spawnSync('xmllint', ['--noout', '--schema', SIF_XSD, ...files.map((f) => f.file)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const failures: Record<string, string> = {};
    for (const { name, file } of files) {
      const lines = run.stderr.split('\n').filter((line) => line.startsWith(file) && !line.endsWith(' validates'));
      if (lines.length > 0) failures[name] = lines.join('\n').replaceAll(file, name);
    }
    return failures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** xmllint's canonical form (C14N) of a document, with whitespace-only text between elements removed. */
export function canonicalXml(xml: string): string {
  requireXsdTools();
  return execFileSync('xmllint', ['--noblanks', '--c14n', '-'], { input: xml, encoding: 'utf8' });
}
