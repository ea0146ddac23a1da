/**
 * The national records-transfer workflow at a district node (DESIGN §6.3–6.8;
 * seeds/001, seeds/002): what people do — request a student's records,
 * release or reject a request, choose the right student among near
 * candidates, send a match error report, view a received packet — each in
 * one transaction with its status change, its FERPA log entry and the
 * message for the other district (put in the durable outbox, sealed and
 * sent by the node's outbox worker).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { decryptAtRest } from '../crypto/at-rest.js';
import { recordDisclosure } from '../disclosure/disclosure-log.js';
import { missingRequiredFields, normalizeDemographics } from '../matching/demographics.js';
import { RECORD_OBJECT } from '../national/national-envelope.js';
import { enqueueNationalMessage } from '../national/national-sender.js';
import { newMsgId } from '../sif/sif-message.js';
import { studentName } from './match-index.js';
import { recordTypesOf, studentDemographics, studentDocuments } from './student-records.js';
import { RecordsTransferEntity, TransferEventEntity, type DistrictRef, type RecordsTransfer, type TransferEvent, type UserRef } from './transfer-entity.js';
import type { TransferNode } from './transfer-node.js';
import { encodePayload, REDISCLOSURE_NOTICE, STATUS_OBJECT, TRANSFER_FORMAT, type PacketPayload, type StatusPayload } from './transfer-payloads.js';
import { moveTransfer, openTransfer, type TransferChange, type TransferWithHistory } from './transfer-store.js';

/** Why a workflow step was refused; each maps to one HTTP status in transfer-routes.ts. */
export type WorkflowRefusal = 'not-found' | 'not-allowed' | 'concurrent-change' | 'invalid';

/** The outcome of a workflow step. */
export type WorkflowResult<T> = { kind: 'ok'; value: T } | { kind: WorkflowRefusal; detail: string };

/** A near or multiple candidate kept with a match error, for a person to choose from. */
export interface StoredCandidate {
  studentId: string;
  name: string;
  birthDate: string;
  gender: string;
  /** Whether the candidate met every exact-match rule (several did: a multiple match). */
  exact: boolean;
  score: number;
  differences: string[];
}

/** What a step by a person carries. */
export interface Decision {
  user: UserRef;
  comments?: string | null;
  /** The version the person saw (HTTP If-Match); a different current version is a concurrent change. */
  expectedVersion?: number;
}

/** Raised inside a transaction to roll it back with a refusal. */
class Refused extends Error {
  constructor(readonly refusal: { kind: WorkflowRefusal; detail: string }) {
    super(refusal.detail);
  }
}

/** Runs `work` in a transaction; a refusal rolls it back and is returned. */
async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<WorkflowResult<T>> {
  try {
    return { kind: 'ok', value: await em.fork().transactional(work) };
  } catch (error) {
    if (error instanceof Refused) return error.refusal;
    throw error;
  }
}

/** Unwraps a store change or refuses. */
function changed(change: TransferChange): RecordsTransfer {
  if (!change.ok) throw new Refused({ kind: change.reason, detail: change.detail });
  return change.transfer;
}

/**
 * A new national transfer request for one of this district's own students
 * (DESIGN §6.3): the demographics come from the district's record and are
 * not editable; the request is sent sealed to the releasing district.
 */
export async function requestTransfer(
  em: EntityManager,
  node: TransferNode,
  input: { studentUniqueId: string; releasingDistrict: DistrictRef; comments?: string | null; user: UserRef },
): Promise<WorkflowResult<RecordsTransfer>> {
  if (input.releasingDistrict.ncesId === node.district.ncesId) return { kind: 'invalid', detail: 'a district does not request records from itself' };
  const demographics = await studentDemographics(em.fork(), input.studentUniqueId);
  if (!demographics) return { kind: 'not-found', detail: `this district has no student ${input.studentUniqueId}` };
  const missing = missingRequiredFields(normalizeDemographics(demographics));
  if (missing.length > 0) return { kind: 'invalid', detail: `the student's record lacks ${missing.join(', ')}: the releasing district could not match it` };
  const result = await inTransaction(em, async (tx) => {
    const msgId = newMsgId();
    const requestedAt = new Date();
    const transfer = changed(
      await openTransfer(
        tx,
        {
          side: 'requesting',
          requestMessageId: msgId,
          studentId: input.studentUniqueId,
          studentName: studentName(demographics),
          demographics,
          requestingDistrict: node.district,
          releasingDistrict: input.releasingDistrict,
          requestedBy: input.user,
          requestComments: input.comments ?? null,
          requestedAt,
        },
        input.user.username,
      ),
    );
    const payload = { format: TRANSFER_FORMAT, kind: 'request', demographics, requestingDistrict: node.district, releasingDistrict: input.releasingDistrict, requestedBy: input.user, requestedAt: requestedAt.toISOString(), comments: input.comments ?? null } as const;
    await enqueueNationalMessage(tx, node.district.ncesId, { type: 'SIF_Request', msgId, destinationId: input.releasingDistrict.ncesId, objectName: RECORD_OBJECT, payload: encodePayload(payload) });
    await recordDisclosure(tx, {
      action: 'request',
      actor: input.user,
      student: { id: input.studentUniqueId, name: transfer.studentName },
      recordTypes: ['demographics'],
      district: input.releasingDistrict,
      redisclosureNotice: false,
      transferId: transfer.id,
      ...(input.comments ? { comments: input.comments } : {}),
    });
    return transfer;
  });
  if (result.kind === 'ok') node.wakeOutbox?.();
  return result;
}

/** Loads a transfer of this node on `side`, or refuses. */
async function transferOn(tx: EntityManager, id: string, side: RecordsTransfer['side']): Promise<RecordsTransfer> {
  const transfer = await tx.findOne(RecordsTransferEntity, { id });
  if (!transfer) throw new Refused({ kind: 'not-found', detail: `no transfer ${id}` });
  if (transfer.side !== side) {
    throw new Refused({ kind: 'not-allowed', detail: side === 'releasing' ? 'only the releasing district decides a request; this district asked for these records' : 'this transfer is a request this district received, not one it made' });
  }
  return transfer;
}

/**
 * Releases a request (DESIGN §6.6): only once a student is matched (or
 * chosen by a person). Assembles the records packet from the Ed-Fi store,
 * sends it sealed as the SIF_Response to the request, and logs the
 * disclosure with the record types and the redisclosure notice.
 */
export async function releaseTransfer(em: EntityManager, node: TransferNode, id: string, decision: Decision): Promise<WorkflowResult<RecordsTransfer>> {
  const result = await inTransaction(em, async (tx) => {
    const transfer = await transferOn(tx, id, 'releasing');
    if (transfer.status !== 'pending-release') {
      const why = transfer.status === 'match-error' ? 'no student matched exactly: choose a candidate first' : `the transfer is ${transfer.status}`;
      throw new Refused({ kind: 'not-allowed', detail: `cannot release: ${why}` });
    }
    return releaseInTransaction(tx, node, transfer, decision);
  });
  if (result.kind === 'ok') node.wakeOutbox?.();
  return result;
}

/** The release itself, in the caller's transaction (also used by automatic release). */
export async function releaseInTransaction(tx: EntityManager, node: TransferNode, transfer: RecordsTransfer, decision: Decision): Promise<RecordsTransfer> {
  const studentId = transfer.studentId;
  if (!studentId) throw new Refused({ kind: 'not-allowed', detail: 'cannot release: no student is matched to the request' });
  const released = changed(
    await moveTransfer(tx, transfer.id, 'released', decision.user.username, {
      decidedBy: decision.user,
      note: decision.comments ?? null,
      ...(decision.expectedVersion !== undefined ? { expectedVersion: decision.expectedVersion } : {}),
    }),
  );
  const records = await studentDocuments(tx, studentId);
  const recordTypes = recordTypesOf(records);
  const demographics = await studentDemographics(tx, studentId);
  const packet: PacketPayload = {
    format: TRANSFER_FORMAT,
    kind: 'packet',
    requestMsgId: transfer.requestMessageId,
    releasingDistrict: node.district,
    releasedBy: decision.user,
    releasedAt: (released.decidedAt ?? new Date()).toISOString(),
    comments: decision.comments ?? null,
    redisclosureNotice: REDISCLOSURE_NOTICE,
    student: { studentUniqueId: studentId, name: demographics ? studentName(demographics) : transfer.studentName },
    recordTypes,
    records,
  };
  await enqueueNationalMessage(tx, node.district.ncesId, {
    type: 'SIF_Response',
    destinationId: transfer.requestingDistrict.ncesId,
    objectName: RECORD_OBJECT,
    requestMsgId: transfer.requestMessageId,
    payload: encodePayload(packet),
  });
  await recordDisclosure(tx, {
    action: 'release',
    actor: decision.user,
    student: { id: studentId, name: packet.student.name },
    recordTypes,
    district: transfer.requestingDistrict,
    redisclosureNotice: true,
    transferId: transfer.id,
    ...(decision.comments ? { comments: decision.comments } : {}),
  });
  return released;
}

/** Rejects a request, with comments; the requesting district is told (a sealed SIF_Response). */
export async function rejectTransfer(em: EntityManager, node: TransferNode, id: string, decision: Decision): Promise<WorkflowResult<RecordsTransfer>> {
  const result = await inTransaction(em, async (tx) => {
    const transfer = await transferOn(tx, id, 'releasing');
    const rejected = changed(
      await moveTransfer(tx, id, 'rejected', decision.user.username, {
        decidedBy: decision.user,
        note: decision.comments ?? null,
        ...(decision.expectedVersion !== undefined ? { expectedVersion: decision.expectedVersion } : {}),
      }),
    );
    const payload = { format: TRANSFER_FORMAT, kind: 'rejection', requestMsgId: transfer.requestMessageId, rejectedBy: decision.user, rejectedAt: new Date().toISOString(), comments: decision.comments ?? null } as const;
    await enqueueNationalMessage(tx, node.district.ncesId, {
      type: 'SIF_Response',
      destinationId: transfer.requestingDistrict.ncesId,
      objectName: RECORD_OBJECT,
      requestMsgId: transfer.requestMessageId,
      payload: encodePayload(payload),
    });
    await recordDisclosure(tx, {
      action: 'rejection',
      actor: decision.user,
      student: { id: transfer.studentId ?? `unmatched:${transfer.requestMessageId}`, name: transfer.studentName },
      recordTypes: [],
      district: transfer.requestingDistrict,
      redisclosureNotice: false,
      transferId: id,
      ...(decision.comments ? { comments: decision.comments } : {}),
    });
    return rejected;
  });
  if (result.kind === 'ok') node.wakeOutbox?.();
  return result;
}

/**
 * A person picks the right student among the candidates of a match error
 * (never done automatically, DESIGN §6.4); the request then waits for
 * release like an exact match, and the requesting district is told.
 */
export async function chooseCandidate(em: EntityManager, node: TransferNode, id: string, studentId: string, decision: Decision): Promise<WorkflowResult<RecordsTransfer>> {
  const result = await inTransaction(em, async (tx) => {
    const transfer = await transferOn(tx, id, 'releasing');
    if (transfer.status !== 'match-error') throw new Refused({ kind: 'not-allowed', detail: `a candidate is chosen only after a match error; the transfer is ${transfer.status}` });
    const candidates = (transfer.candidates ?? []) as StoredCandidate[];
    if (!candidates.some((c) => c.studentId === studentId)) throw new Refused({ kind: 'invalid', detail: `${studentId} is not one of the request's candidates` });
    if (!(await studentDemographics(tx, studentId))) throw new Refused({ kind: 'invalid', detail: `student ${studentId} is no longer in this district's records` });
    const note = `Student ${studentId} chosen by ${decision.user.name}${decision.comments ? `: ${decision.comments}` : ''}`;
    const chosen = changed(
      await moveTransfer(tx, id, 'pending-release', decision.user.username, {
        studentId,
        note,
        ...(decision.expectedVersion !== undefined ? { expectedVersion: decision.expectedVersion } : {}),
      }),
    );
    await sendStatus(tx, node, chosen, 'pending-release', 'A student was matched to the request; the records wait for release.');
    return chosen;
  });
  if (result.kind === 'ok') node.wakeOutbox?.();
  return result;
}

/**
 * Sends the match error report to the requesting district ("exact match
 * not found", seeds/001): what went wrong, nothing about other students.
 */
export async function sendMatchErrorReport(em: EntityManager, node: TransferNode, id: string, decision: Decision): Promise<WorkflowResult<RecordsTransfer>> {
  const result = await inTransaction(em, async (tx) => {
    const transfer = await transferOn(tx, id, 'releasing');
    if (transfer.status !== 'match-error') throw new Refused({ kind: 'not-allowed', detail: `there is no match error to report; the transfer is ${transfer.status}` });
    const report = (await tx.find(TransferEventEntity, { transferId: id, status: 'match-error' }, { orderBy: { id: 'asc' }, limit: 1 }))[0]?.note;
    const message = report ?? 'Exact match not found.';
    await sendStatus(tx, node, transfer, 'match-error', message);
    tx.create(TransferEventEntity, { transferId: id, status: 'match-error', at: new Date(), actor: decision.user.username, note: `Error report sent to ${transfer.requestingDistrict.name}: ${message}` } as TransferEvent);
    await tx.flush();
    return transfer;
  });
  if (result.kind === 'ok') node.wakeOutbox?.();
  return result;
}

/** Puts interim news for the requesting district in the outbox (a sealed SIF_LogEntry event). */
export async function sendStatus(tx: EntityManager, node: TransferNode, transfer: RecordsTransfer, status: StatusPayload['status'], message: string): Promise<void> {
  const payload: StatusPayload = { format: TRANSFER_FORMAT, kind: 'status', requestMsgId: transfer.requestMessageId, status, message, at: new Date().toISOString() };
  await enqueueNationalMessage(tx, node.district.ncesId, { type: 'SIF_Event', action: 'Add', destinationId: transfer.requestingDistrict.ncesId, objectName: STATUS_OBJECT, payload: encodePayload(payload) });
}

/**
 * The received records packet of a transfer, decrypted, for a user with the
 * right; the view is logged for FERPA before the records are returned.
 */
export async function viewPacket(em: EntityManager, node: TransferNode, id: string, user: UserRef): Promise<WorkflowResult<PacketPayload>> {
  return inTransaction(em, async (tx) => {
    const transfer = await transferOn(tx, id, 'requesting');
    const [row] = await tx.execute<Array<{ ciphertext: Buffer }>>(`SELECT ciphertext FROM records_transfer_packet WHERE transfer_id = ?`, [id]);
    if (!row) throw new Refused({ kind: 'not-found', detail: `no records have been received for transfer ${id} (it is ${transfer.status})` });
    const plain = decryptAtRest(node.atRestKey, row.ciphertext, id);
    if (!plain) throw new Error(`the stored packet of transfer ${id} does not decrypt with this node's at-rest key`);
    const packet = JSON.parse(plain.toString('utf8')) as PacketPayload;
    await recordDisclosure(tx, {
      action: 'view',
      actor: user,
      student: { id: transfer.studentId ?? packet.student.studentUniqueId, name: transfer.studentName },
      recordTypes: packet.recordTypes,
      district: transfer.releasingDistrict,
      redisclosureNotice: true,
      transferId: id,
    });
    return packet;
  });
}

/** One transfer with its status history, oldest change first. */
export async function getTransfer(em: EntityManager, id: string): Promise<TransferWithHistory | undefined> {
  const fork = em.fork();
  const transfer = await fork.findOne(RecordsTransferEntity, { id });
  if (!transfer) return undefined;
  const history = await fork.find(TransferEventEntity, { transferId: id }, { orderBy: { at: 'asc', id: 'asc' } });
  return { ...transfer, history };
}

/** A notification for the requesting district's users. */
export interface TransferNotification {
  id: string;
  transferId: string;
  studentName: string;
  status: string;
  message: string;
  createdAt: Date;
}

/** Process Alerts: requests entering the district that wait for someone, requests leaving it still open, and the latest news. */
export interface ProcessAlerts {
  incoming: RecordsTransfer[];
  outgoing: RecordsTransfer[];
  notifications: TransferNotification[];
}

/** The Process Alerts inbox (seeds/001: request messages entering and exiting the district). */
export async function processAlerts(em: EntityManager, limit = 100): Promise<ProcessAlerts> {
  const fork = em.fork();
  const incoming = await fork.find(RecordsTransferEntity, { side: 'releasing', status: { $in: ['requested', 'match-error', 'pending-release'] } }, { orderBy: { requestedAt: 'desc' }, limit });
  const outgoing = await fork.find(RecordsTransferEntity, { side: 'requesting', status: { $in: ['requested', 'match-error', 'pending-release', 'released'] } }, { orderBy: { requestedAt: 'desc' }, limit });
  const rows = await fork.execute<Array<{ id: string; transfer_id: string; student_name: string; status: string; message: string; created_at: Date }>>(
    `SELECT n.id, n.transfer_id, t.student_name, n.status, n.message, n.created_at
     FROM records_transfer_notification n JOIN records_transfer t ON t.id = n.transfer_id
     ORDER BY n.created_at DESC, n.id DESC LIMIT ?`,
    [limit],
  );
  const notifications = rows.map((r) => ({ id: String(r.id), transferId: r.transfer_id, studentName: r.student_name, status: r.status, message: r.message, createdAt: new Date(r.created_at) }));
  return { incoming, outgoing, notifications };
}
