import { buildSifXml, type SifJsonObject, type SifJsonValue } from '../sif/json-mapping.js';
import { sifError, type SifError } from '../sif/sif-error.js';
import type { SifRequest } from '../sif/sif-message.js';
import type { RosterObject, SisRoster } from './sis-roster.js';

/**
 * The SIF_Response packets that answer a SIF_Request from the roster. The
 * simulator answers a SIF_Query for all objects of a type, or with
 * conditions of the form "element or @attribute EQ value" (AND); anything
 * else is answered with SIF_Error 8/9 (unsupported query). Objects are
 * split into packets no larger than the request's SIF_MaxBufferSize.
 */

/** The content of one packet: objects or an error. */
export type AnswerPacket = { objectData: SifJsonObject } | { error: SifError };

interface Condition {
  element: string;
  value: string;
}

function conditionsOf(request: SifRequest): Condition[] | SifError {
  const group = request.query?.conditionGroup;
  if (!group) return [];
  const conditions: Condition[] = [];
  for (const set of asList(group['SIF_Conditions'])) {
    for (const condition of asList((set as SifJsonObject)['SIF_Condition'])) {
      const c = condition as SifJsonObject;
      if (c['SIF_Operator'] !== 'EQ') return sifError(8, 9, `the simulated SIS answers only EQ conditions, not ${String(c['SIF_Operator'])}`);
      conditions.push({ element: String(c['SIF_Element']), value: String(c['SIF_Value']) });
    }
  }
  return conditions;
}

function asList(value: SifJsonValue | undefined): SifJsonValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function matches(object: SifJsonObject, conditions: Condition[]): boolean {
  return conditions.every(({ element, value }) => {
    const found = object[element.replace(/^\//, '')];
    const text = typeof found === 'string' ? found : typeof found === 'object' && !Array.isArray(found) ? found['#text'] : undefined;
    return text === value;
  });
}

/** Size of a packet of objects in XML, with room for the envelope. */
function packetBytes(objectName: string, objects: RosterObject[]): number {
  return Buffer.byteLength(buildSifXml({ SIF_Message: { '@Version': '2.4', SIF_Response: { SIF_ObjectData: { [objectName]: objects.map((o) => o.object) } } } })) + 600;
}

/** Splits objects into packets that fit the buffer (halving until each fits). */
function split(objectName: string, objects: RosterObject[], maxBytes: number): RosterObject[][] {
  if (objects.length <= 1 || packetBytes(objectName, objects) <= maxBytes) return [objects];
  const half = Math.ceil(objects.length / 2);
  return [...split(objectName, objects.slice(0, half), maxBytes), ...split(objectName, objects.slice(half), maxBytes)];
}

/** The packets answering a request (always at least one). */
export function answerPackets(roster: SisRoster, request: SifRequest): AnswerPacket[] {
  const objectName = request.query?.objectName;
  if (!objectName) return [{ error: sifError(8, 15, 'the simulated SIS does not answer SIF_ExtendedQuery') }];
  const conditions = conditionsOf(request);
  if (!Array.isArray(conditions)) return [{ error: conditions }];
  const found = roster.byName(objectName).filter((o) => matches(o.object, conditions));
  // SIF 2.x: a request with no matching objects is answered with one packet holding an empty SIF_ObjectData.
  if (found.length === 0) return [{ objectData: {} }];
  return split(objectName, found, request.maxBufferSize).map((objects) => ({ objectData: { [objectName]: objects.map((o) => o.object) } }));
}
