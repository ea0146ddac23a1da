/**
 * `npm run generate:edfi-schemas`: regenerates the committed Ed-Fi model,
 * JSON Schemas, standard descriptor values and our extension's OpenAPI
 * document from the official specifications in `../shared/standards/edfi`
 * (or the folder given as the first argument). The specifications themselves
 * are never copied into the repository.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { STUDENT_HEALTH_CONDITIONS_SCHEMA } from '../../seed/health-records.js';
import { buildEdfiSpec, type GeneratedSpec, type SpecInputs } from './spec-model.js';
import { extensionOpenApi } from './extension-openapi.js';

/** The repository root (this file is src/edfi/generate/…). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where the official Ed-Fi specifications are, relative to the repository. */
export const DEFAULT_STANDARDS_DIR = resolve(REPO_ROOT, '../shared/standards/edfi');

/** Reads and parses the specification files of `dir`; throws a clear error when they are missing. */
export function readSpecInputs(dir = DEFAULT_STANDARDS_DIR): SpecInputs {
  const file = (name: string) => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new Error(`Ed-Fi specification missing: ${path} (expected ../shared/standards/edfi/${name})`);
    return readFileSync(path, 'utf8');
  };
  const catalogDir = join(dir, 'descriptors-5.2');
  if (!existsSync(catalogDir)) throw new Error(`Ed-Fi descriptor catalog missing: ../shared/standards/edfi/descriptors-5.2`);
  const descriptorCatalog: Record<string, string> = {};
  for (const name of readdirSync(catalogDir).filter((n) => n.endsWith('.xml'))) {
    descriptorCatalog[name.replace(/\.xml$/, '')] = readFileSync(join(catalogDir, name), 'utf8');
  }
  return {
    resources: parse(file('resources-ds-5.0.yaml'), { maxAliasCount: -1 }),
    resources6: parse(file('resources-ds-6.0.yaml'), { maxAliasCount: -1 }),
    descriptors: parse(file('descriptor-api-5.0.yaml'), { maxAliasCount: -1 }),
    xsd: file('Ed-Fi-Core-5.2.xsd'),
    descriptorCatalog,
    extensions: {
      studentHealthConditions: { schema: STUDENT_HEALTH_CONDITIONS_SCHEMA, identity: ['educationOrganizationId', 'studentUniqueId'] },
    },
  };
}

/** The committed files the generation produces: repository-relative path → content. */
export function renderGeneratedFiles(spec: GeneratedSpec): Record<string, string> {
  return {
    'schemas/edfi/model.json': `${JSON.stringify(spec.model)}\n`,
    'schemas/edfi/resources.schema.json': `${JSON.stringify(spec.schemas)}\n`,
    'src/edfi/descriptors/standard-descriptors.json': `${JSON.stringify(spec.descriptorValues, null, 0).replace(/\],"/g, '],\n"')}\n`,
    'openapi/edfi-rex-extension.json': `${JSON.stringify(extensionOpenApi(spec), null, 2)}\n`,
  };
}

function main(): void {
  const dir = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_STANDARDS_DIR;
  const files = renderGeneratedFiles(buildEdfiSpec(readSpecInputs(dir)));
  for (const [path, content] of Object.entries(files)) {
    const target = join(REPO_ROOT, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    console.log(`wrote ${path} (${Math.round(content.length / 1024)} KiB)`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
