/**
 * What the records-transfer workflow puts inside the sealed payload of its
 * NationalRouter zone messages (src/national: the payload is signed and
 * encrypted to the other district, the router sees only ciphertext).
 *
 * - the SIF_Request (object StudentRecordExchange) carries a `request`;
 * - the SIF_Response to it carries a `packet` (released) or a `rejection`;
 * - interim news travels as SIF_Event Add of SIF_LogEntry carrying a
 *   `status` (pending release, match error report), as the zone file says
 *   districts exchange status messages.
 *
 * Every payload names its format, so other features' messages of the same
 * SIF types are left alone.
 */
import type { DistrictRef, RequestDemographics, UserRef } from './transfer-entity.js';
import type { StudentDocuments } from './student-records.js';

/** The format tag of every workflow payload. */
export const TRANSFER_FORMAT = 'rex-transfer/1';

/** The SIF object of the status messages (zones/national-router.json: PublishAdd on SIF_LogEntry). */
export const STATUS_OBJECT = 'SIF_LogEntry';

/**
 * FERPA §99.33(a): the notice that goes with released records: they may be
 * redisclosed only as the regulations allow.
 */
export const REDISCLOSURE_NOTICE =
  'These education records are disclosed under 34 CFR §99.31(a)(2) to a school where the student seeks or intends to enroll. ' +
  'Under 34 CFR §99.33 they may not be disclosed to any other party without the prior written consent of the parent or eligible student, except as 34 CFR §99.31 permits.';

/** A new national transfer request. */
export interface RequestPayload {
  format: typeof TRANSFER_FORMAT;
  kind: 'request';
  demographics: RequestDemographics;
  requestingDistrict: DistrictRef;
  releasingDistrict: DistrictRef;
  requestedBy: UserRef;
  requestedAt: string;
  comments: string | null;
}

/** The released records. */
export interface PacketPayload {
  format: typeof TRANSFER_FORMAT;
  kind: 'packet';
  requestMsgId: string;
  releasingDistrict: DistrictRef;
  releasedBy: UserRef;
  releasedAt: string;
  comments: string | null;
  redisclosureNotice: string;
  student: { studentUniqueId: string; name: string };
  recordTypes: string[];
  /** Ed-Fi JSON documents by `project/resource`. */
  records: StudentDocuments;
}

/** A refusal of the request by a person at the releasing district. */
export interface RejectionPayload {
  format: typeof TRANSFER_FORMAT;
  kind: 'rejection';
  requestMsgId: string;
  rejectedBy: UserRef;
  rejectedAt: string;
  comments: string | null;
}

/** Interim news about a request. */
export interface StatusPayload {
  format: typeof TRANSFER_FORMAT;
  kind: 'status';
  requestMsgId: string;
  status: 'pending-release' | 'match-error';
  /** For a match error: the report ("Exact match not found: …"). */
  message: string;
  at: string;
}

/** Any workflow payload. */
export type TransferPayload = RequestPayload | PacketPayload | RejectionPayload | StatusPayload;

/** Serializes a payload for sealing. */
export function encodePayload(payload: TransferPayload): Uint8Array {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

/**
 * Reads a workflow payload; undefined when the bytes are not one (another
 * feature's message, or a malformed one, which is then ignored rather than
 * redelivered for ever).
 */
export function decodePayload(bytes: Uint8Array | undefined): TransferPayload | undefined {
  if (!bytes) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const payload = value as Partial<TransferPayload>;
  if (payload.format !== TRANSFER_FORMAT) return undefined;
  switch (payload.kind) {
    case 'request':
      return isDemographics(payload.demographics) && isDistrict(payload.requestingDistrict) && isUser(payload.requestedBy) ? (payload as RequestPayload) : undefined;
    case 'packet':
      return typeof payload.requestMsgId === 'string' && isUser(payload.releasedBy) && typeof payload.records === 'object' ? (payload as PacketPayload) : undefined;
    case 'rejection':
      return typeof payload.requestMsgId === 'string' && isUser(payload.rejectedBy) ? (payload as RejectionPayload) : undefined;
    case 'status':
      return typeof payload.requestMsgId === 'string' && (payload.status === 'pending-release' || payload.status === 'match-error') ? (payload as StatusPayload) : undefined;
    default:
      return undefined;
  }
}

function isDemographics(value: unknown): value is RequestDemographics {
  const d = value as Partial<RequestDemographics> | undefined;
  return typeof d === 'object' && d !== null && typeof d.firstName === 'string' && typeof d.lastSurname === 'string' && typeof d.birthDate === 'string' && typeof d.gender === 'string';
}

function isDistrict(value: unknown): value is DistrictRef {
  const d = value as Partial<DistrictRef> | undefined;
  return typeof d === 'object' && d !== null && typeof d.ncesId === 'string' && typeof d.name === 'string';
}

function isUser(value: unknown): value is UserRef {
  const u = value as Partial<UserRef> | undefined;
  return typeof u === 'object' && u !== null && typeof u.username === 'string' && typeof u.name === 'string';
}
