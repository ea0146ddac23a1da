/**
 * What the workflow does with messages from other districts (DESIGN §6.4–6.7).
 * Each runs inside the national zone's exactly-once transaction (src/national):
 * the transfer's changes, the outbox messages and the FERPA entries commit
 * with the inbox record, or not at all and the message comes again.
 *
 * The sender is the authenticated SIF_SourceId (its signature was verified
 * end to end); a message about a transfer is accepted only from the
 * district on the other side of that transfer.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { encryptAtRest } from '../crypto/at-rest.js';
import { recordDisclosure } from '../disclosure/disclosure-log.js';
import { matchErrorReport, type MatchDecision } from '../matching/student-match.js';
import type { NationalEnvelope } from '../national/national-envelope.js';
import { matchAgainstIndex, type LocalStudent } from './match-index.js';
import { RecordsTransferEntity, type RecordsTransfer } from './transfer-entity.js';
import { SYSTEM_USER, type TransferNode } from './transfer-node.js';
import type { PacketPayload, RejectionPayload, RequestPayload, StatusPayload } from './transfer-payloads.js';
import { moveTransfer, openTransfer } from './transfer-store.js';
import { releaseInTransaction, sendStatus, type StoredCandidate } from './transfer-workflow.js';
import { boundRows } from '../storage/bound-statements.js';

/**
 * A request arrives at the releasing district: open the transfer, match the
 * student automatically, and either wait for a person (pending release),
 * release at once (exact match and the district opted in), or record a
 * match error with the candidates a person may choose from.
 */
export async function receiveRequest(tx: EntityManager, node: TransferNode, envelope: NationalEnvelope, request: RequestPayload): Promise<void> {
  const opened = await openTransfer(
    tx,
    {
      side: 'releasing',
      requestMessageId: envelope.msgId,
      studentId: null,
      studentName: `${request.demographics.lastSurname}, ${request.demographics.firstName}`,
      demographics: request.demographics,
      // The authenticated sender, whatever the payload says.
      requestingDistrict: { ncesId: envelope.sourceId, name: request.requestingDistrict.name },
      releasingDistrict: node.district,
      requestedBy: request.requestedBy,
      requestComments: request.comments,
      requestedAt: validDate(request.requestedAt),
    },
    `district:${envelope.sourceId}`,
  );
  if (!opened.ok || opened.duplicate) return;
  const decision = await matchAgainstIndex(tx, request.demographics);
  if (decision.kind !== 'matched') {
    const report = matchErrorReport(decision);
    await moveTransfer(tx, opened.transfer.id, 'match-error', 'matching', { note: report.message, candidates: storedCandidates(decision) });
    return;
  }
  const student = decision.student;
  const matched = await moveTransfer(tx, opened.transfer.id, 'pending-release', 'matching', { studentId: student.studentId, note: `Exact match: student ${student.studentId}` });
  if (!matched.ok) throw new Error(`matching could not move transfer ${opened.transfer.id}: ${matched.detail}`);
  await recordDisclosure(tx, {
    action: 'request',
    actor: request.requestedBy,
    student: { id: student.studentId, name: student.name },
    recordTypes: ['demographics'],
    district: matched.transfer.requestingDistrict,
    redisclosureNotice: false,
    transferId: matched.transfer.id,
    ...(request.comments ? { comments: request.comments } : {}),
  });
  if (node.autoReleaseExactMatches) {
    await releaseInTransaction(tx, node, matched.transfer, { user: SYSTEM_USER, comments: 'Released automatically: exactly one student matched the request.' });
  } else {
    await sendStatus(tx, node, matched.transfer, 'pending-release', 'A student was matched to the request; the records wait for release.');
  }
}

/** The sender's request time, or now when it sent none that reads as a date. */
function validDate(text: string): Date {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? new Date() : date;
}

/** The candidates kept with a match error: the several exact matches, or the near ones with their differences. */
function storedCandidates(decision: Exclude<MatchDecision<LocalStudent>, { kind: 'matched' }>): StoredCandidate[] {
  const base = (s: LocalStudent) => ({ studentId: s.studentId, name: s.name, birthDate: s.demographics.birthDate, gender: s.demographics.gender });
  if (decision.kind === 'multiple') return decision.candidates.map((s) => ({ ...base(s), exact: true, score: 1, differences: [] }));
  if (decision.kind === 'no-match') return decision.near.map((n) => ({ ...base(n.student), exact: false, score: n.score, differences: n.differences.map((d) => d.note) }));
  return [];
}

/** The requesting side's transfer a message from `sourceId` is about, or undefined (unknown, or not from its releasing district). */
async function requestedTransfer(tx: EntityManager, requestMsgId: string, sourceId: string): Promise<RecordsTransfer | undefined> {
  const transfer = await tx.findOne(RecordsTransferEntity, { side: 'requesting', requestMessageId: requestMsgId });
  return transfer && transfer.releasingDistrict.ncesId === sourceId ? transfer : undefined;
}

async function notify(tx: EntityManager, transfer: RecordsTransfer, status: string, message: string): Promise<void> {
  await boundRows(tx, `INSERT INTO records_transfer_notification (transfer_id, status, message) VALUES (?, ?, ?)`, [transfer.id, status, message]);
}

/** Interim news from the releasing district (pending release, match error report). */
export async function receiveStatus(tx: EntityManager, envelope: NationalEnvelope, status: StatusPayload): Promise<void> {
  const transfer = await requestedTransfer(tx, status.requestMsgId, envelope.sourceId);
  if (!transfer) return;
  const actor = `district:${envelope.sourceId}`;
  const moved = transfer.status === status.status ? undefined : await moveTransfer(tx, transfer.id, status.status, actor, { note: status.message });
  // News that arrives after a later status (a packet overtook it) changes nothing.
  if (moved && !moved.ok) return;
  await notify(tx, transfer, status.status, `${transfer.releasingDistrict.name}: ${status.message}`);
}

/** The releasing district's answer: the records packet, or a rejection. */
export async function receiveAnswer(tx: EntityManager, node: TransferNode, envelope: NationalEnvelope, answer: PacketPayload | RejectionPayload, payloadBytes: Uint8Array): Promise<void> {
  if (envelope.requestMsgId !== answer.requestMsgId) return;
  const transfer = await requestedTransfer(tx, answer.requestMsgId, envelope.sourceId);
  if (!transfer) return;
  const actor = `district:${envelope.sourceId}`;
  if (answer.kind === 'rejection') {
    const moved = await moveTransfer(tx, transfer.id, 'rejected', actor, { decidedBy: answer.rejectedBy, note: answer.comments });
    if (moved.ok) await notify(tx, transfer, 'rejected', `${transfer.releasingDistrict.name} rejected the request${answer.comments ? `: ${answer.comments}` : '.'}`);
    return;
  }
  const released = await moveTransfer(tx, transfer.id, 'released', actor, { decidedBy: answer.releasedBy, note: answer.comments });
  if (!released.ok) return;
  await boundRows(
    tx,
    `INSERT INTO records_transfer_packet (transfer_id, ciphertext, byte_length, record_types, sender_key_id) VALUES (?, ?, ?, string_to_array(?, ','), ?)`,
    [transfer.id, encryptAtRest(node.atRestKey, payloadBytes, transfer.id), payloadBytes.length, answer.recordTypes.join(','), null],
  );
  const received = await moveTransfer(tx, transfer.id, 'received', SYSTEM_USER.username, { note: `Records packet received (${answer.recordTypes.join(', ') || 'no records'})` });
  if (!received.ok) throw new Error(`transfer ${transfer.id} could not be marked received: ${received.detail}`);
  await notify(tx, transfer, 'received', `${transfer.releasingDistrict.name} released the records of ${transfer.studentName}; they have been received.`);
  await recordDisclosure(tx, {
    action: 'receipt',
    actor: SYSTEM_USER,
    student: { id: transfer.studentId ?? answer.student.studentUniqueId, name: transfer.studentName },
    recordTypes: answer.recordTypes,
    district: transfer.releasingDistrict,
    redisclosureNotice: true,
    transferId: transfer.id,
  });
}
