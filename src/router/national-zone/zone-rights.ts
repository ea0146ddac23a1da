import { readFileSync } from 'node:fs';
import { sifError, type SifError } from '../../sif/sif-error.js';
import type { NationalEnvelope } from '../../national/national-envelope.js';

/**
 * Data access rights in the NationalRouter zone (DESIGN §4). The zone is
 * defined in `zones/national-router.json` and owned by the router: every
 * active district is an agent with the rights that file gives district
 * agents, and districts cannot change them.
 */

/** SIF 2.x access rights of an agent on an object. */
export type ZoneRight = 'Provide' | 'Subscribe' | 'PublishAdd' | 'PublishChange' | 'PublishDelete' | 'Request' | 'Respond';

/** The zone as routing uses it: what every district agent may do, per object name. */
export interface ZoneRights {
  readonly zoneId: string;
  /** SIF_SourceId of the zone (the router) in the acks it writes. */
  readonly zisSourceId: string;
  /** Largest SIF_Message accepted. */
  readonly maxMessageBytes: number;
  readonly districtRights: ReadonlyMap<string, ReadonlySet<ZoneRight>>;
}

const RIGHTS: readonly ZoneRight[] = ['Provide', 'Subscribe', 'PublishAdd', 'PublishChange', 'PublishDelete', 'Request', 'Respond'];

/** The zone file's location. */
export const NATIONAL_ZONE_FILE = new URL('../../../zones/national-router.json', import.meta.url);

/** Reads the zone file (schemas/zone.schema.json). */
export function loadZoneRights(file: URL | string = NATIONAL_ZONE_FILE): ZoneRights {
  return zoneRightsOf(JSON.parse(readFileSync(file, 'utf8')) as ZoneDocument);
}

/** The parts of a zone document (schemas/zone.schema.json) routing reads. */
export interface ZoneDocument {
  id: string;
  zisSourceId?: string;
  maxMessageBytes?: number;
  /** Rights of agents the zone's owner admits: in the NationalRouter zone, every active district. */
  agentTemplate?: { rights: Record<string, string[]> };
}

/** The district agents' rights from a parsed zone document. */
export function zoneRightsOf(document: ZoneDocument): ZoneRights {
  const districtRights = new Map<string, Set<ZoneRight>>();
  for (const [objectName, rights] of Object.entries(document.agentTemplate?.rights ?? {})) {
    districtRights.set(objectName, new Set(rights.filter((r): r is ZoneRight => (RIGHTS as string[]).includes(r))));
  }
  return {
    zoneId: document.id,
    zisSourceId: document.zisSourceId ?? 'REX-ZIS',
    maxMessageBytes: document.maxMessageBytes ?? 1024 * 1024,
    districtRights,
  };
}

/** The right a routed message needs (SIF 2.x: requests need Request, responses Respond, events Publish Add/Change/Delete). */
export function rightNeeded(envelope: NationalEnvelope): ZoneRight | undefined {
  switch (envelope.type) {
    case 'SIF_Request':
      return 'Request';
    case 'SIF_Response':
      return 'Respond';
    case 'SIF_Event':
      return `Publish${envelope.action ?? 'Change'}` as ZoneRight;
    default:
      return undefined;
  }
}

/**
 * Checks that a district agent may send the message, or returns the
 * category 4 SIF_Error with the code for the missing right.
 */
export function checkRight(rights: ZoneRights, envelope: NationalEnvelope, objectName: string | undefined): SifError | undefined {
  const right = rightNeeded(envelope);
  if (!right) return undefined;
  if (objectName && rights.districtRights.get(objectName)?.has(right)) return undefined;
  const what = `district agents of ${rights.zoneId} have no ${right} right on ${objectName ?? '(no object)'}`;
  return sifError(4, MISSING_RIGHT_CODE[right], what);
}

/** SIF 2.x Access and Permissions error codes (category 4). */
const MISSING_RIGHT_CODE: Record<ZoneRight, number> = {
  Provide: 3,
  Subscribe: 4,
  Request: 5,
  Respond: 6,
  PublishAdd: 10,
  PublishChange: 11,
  PublishDelete: 12,
};
