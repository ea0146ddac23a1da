import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { PROVIDE_OBJECT_NAMES, REQUEST_OBJECT_NAMES, SUBSCRIBE_OBJECT_NAMES } from '../sif/object-names.js';

/** A data access right of SIF 2.x (DESIGN §4). */
export type ZoneRight = 'Provide' | 'Subscribe' | 'PublishAdd' | 'PublishChange' | 'PublishDelete' | 'Request' | 'Respond';

/** Every right, in SIF_AgentACL order. */
export const ZONE_RIGHTS: readonly ZoneRight[] = ['Provide', 'Subscribe', 'PublishAdd', 'PublishChange', 'PublishDelete', 'Request', 'Respond'];

/** Object name → rights. */
export type ZoneRights = Record<string, ZoneRight[]>;

/** An agent of a zone file. */
export interface ZoneAgentDefinition {
  sourceId: string;
  name: string;
  description?: string;
  rights: ZoneRights;
}

/** A zone file (schemas/zone.schema.json), with defaults filled. */
export interface ZoneDefinition {
  id: string;
  name: string;
  description?: string;
  owner: 'node' | 'router';
  scope: { schools: string[]; schoolYears: number[] };
  sifVersions: string[];
  maxMessageBytes: number;
  zisSourceId: string;
  nodeAgent: ZoneAgentDefinition;
  agents: ZoneAgentDefinition[];
  agentTemplate?: { sourceIdPattern: string; description?: string; rights: ZoneRights };
}

/** The id of the router's zone, which districts can never change. */
export const NATIONAL_ROUTER_ZONE = 'NationalRouter';

/** The top-level zones/ folder of the repository. */
export const DEFAULT_ZONES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../zones');
const SCHEMA_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../schemas/zone.schema.json');

const validate = new Ajv({ useDefaults: true, allErrors: true }).compile<ZoneDefinition>(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);

/** A checked zone, or every problem found in it. */
export type ZoneCheck = { kind: 'ok'; zone: ZoneDefinition } | { kind: 'invalid'; problems: string[] };

function describe(error: ErrorObject): string {
  const where = error.instancePath || '(zone)';
  return `${where} ${error.message ?? 'is invalid'}${error.params && 'allowedValues' in error.params ? ` (${(error.params['allowedValues'] as string[]).join(', ')})` : ''}`;
}

/** Which SIF 2.4 object lists each right needs its object to be in. */
const RIGHT_OBJECTS: Record<ZoneRight, ReadonlySet<string>> = {
  Provide: PROVIDE_OBJECT_NAMES,
  Subscribe: SUBSCRIBE_OBJECT_NAMES,
  PublishAdd: SUBSCRIBE_OBJECT_NAMES,
  PublishChange: SUBSCRIBE_OBJECT_NAMES,
  PublishDelete: SUBSCRIBE_OBJECT_NAMES,
  Request: REQUEST_OBJECT_NAMES,
  Respond: REQUEST_OBJECT_NAMES,
};

/** Problems with rights that the JSON Schema cannot see: unknown objects, rights an object cannot have. */
export function rightsProblems(rights: ZoneRights, where: string): string[] {
  const problems: string[] = [];
  for (const [object, list] of Object.entries(rights)) {
    if (!REQUEST_OBJECT_NAMES.has(object) && !SUBSCRIBE_OBJECT_NAMES.has(object) && !PROVIDE_OBJECT_NAMES.has(object)) {
      problems.push(`${where}/${object} is not a SIF US 2.4 object`);
      continue;
    }
    for (const right of list) {
      if (!RIGHT_OBJECTS[right].has(object)) problems.push(`${where}/${object}: ${object} cannot have the ${right} right in SIF 2.4`);
    }
  }
  return problems;
}

/** Validates one zone definition (JSON Schema, then rights and agent ids); fills defaults on success. */
export function checkZoneDefinition(value: unknown): ZoneCheck {
  const copy = JSON.parse(JSON.stringify(value ?? null)) as unknown;
  if (!validate(copy)) return { kind: 'invalid', problems: (validate.errors ?? []).map(describe) };
  const zone = copy;
  const problems = [...rightsProblems(zone.nodeAgent.rights, '/nodeAgent/rights')];
  zone.agents.forEach((agent, i) => problems.push(...rightsProblems(agent.rights, `/agents/${i}/rights`)));
  if (zone.agentTemplate) {
    problems.push(...rightsProblems(zone.agentTemplate.rights, '/agentTemplate/rights'));
    try {
      new RegExp(zone.agentTemplate.sourceIdPattern);
    } catch {
      problems.push('/agentTemplate/sourceIdPattern is not a regular expression');
    }
  }
  const ids = [zone.nodeAgent.sourceId, ...zone.agents.map((a) => a.sourceId)];
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) problems.push(`agent ${duplicate} is listed twice`);
  if (ids.includes(zone.zisSourceId)) problems.push(`zisSourceId ${zone.zisSourceId} is also an agent`);
  if ((zone.id === NATIONAL_ROUTER_ZONE) !== (zone.owner === 'router')) problems.push(`only the ${NATIONAL_ROUTER_ZONE} zone is owned by the router`);
  return problems.length > 0 ? { kind: 'invalid', problems } : { kind: 'ok', zone };
}

/** Every zone file of a folder, checked: all valid, or the problems of every file (nothing is half-loaded). */
export type ZoneFolder = { kind: 'ok'; zones: ZoneDefinition[] } | { kind: 'invalid'; problems: string[] };

/** Reads and validates every `*.json` file of a zones folder; file name must be `<id>`-like and ids unique. */
export function readZoneFolder(dir = DEFAULT_ZONES_DIR): ZoneFolder {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (error) {
    return { kind: 'invalid', problems: [`cannot read ${dir}: ${(error as Error).message}`] };
  }
  const zones: ZoneDefinition[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      problems.push(`${file}: not valid JSON: ${(error as Error).message}`);
      continue;
    }
    const check = checkZoneDefinition(value);
    if (check.kind === 'invalid') problems.push(...check.problems.map((p) => `${file}: ${p}`));
    else if (zones.some((z) => z.id === check.zone.id)) problems.push(`${file}: zone id ${check.zone.id} is used by another file`);
    else zones.push(check.zone);
  }
  return problems.length > 0 ? { kind: 'invalid', problems } : { kind: 'ok', zones };
}
