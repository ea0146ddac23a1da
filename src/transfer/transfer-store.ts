import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OptimisticLockError, UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  RecordsTransferEntity,
  TransferEventEntity,
  type RecordsTransfer,
  type TransferEvent,
  type UserRef,
} from './transfer-entity.js';
import { canMove, type TransferStatus } from './transfer-status.js';

/** What opening a transfer needs; the rest is filled in. */
export type NewTransfer = Pick<
  RecordsTransfer,
  'side' | 'requestMessageId' | 'studentId' | 'studentName' | 'demographics' | 'requestingDistrict' | 'releasingDistrict' | 'requestedBy' | 'requestComments'
> & { requestedAt?: Date };

/** The outcome of a change to a transfer. */
export type TransferChange =
  | { ok: true; transfer: RecordsTransfer; duplicate?: boolean }
  | { ok: false; reason: 'not-found' | 'not-allowed' | 'concurrent-change'; detail: string };

/** A transfer with its status history, oldest first, as the Records Transfer list shows it. */
export interface TransferWithHistory extends RecordsTransfer {
  history: TransferEvent[];
}

/**
 * Opens a district's copy of a transfer with status `requested`. The request
 * message id makes it idempotent: the same request arriving twice opens one
 * transfer (the second call answers with the first, marked `duplicate`).
 */
export async function openTransfer(em: EntityManager, data: NewTransfer, actor: string): Promise<TransferChange> {
  const now = new Date();
  const transfer = em.create(RecordsTransferEntity, {
    ...data,
    id: randomUUID(),
    requestedAt: data.requestedAt ?? now,
    status: 'requested',
    decidedBy: null,
    decidedAt: null,
    decisionComments: null,
    candidates: null,
    updatedAt: now,
  } as RecordsTransfer);
  em.create(TransferEventEntity, { transferId: transfer.id, status: 'requested', at: now, actor, note: data.requestComments } as TransferEvent);
  try {
    await em.flush();
    return { ok: true, transfer };
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    em.clear();
    const existing = await em.findOne(RecordsTransferEntity, { side: data.side, requestMessageId: data.requestMessageId });
    if (!existing) throw error;
    return { ok: true, transfer: existing, duplicate: true };
  }
}

/**
 * Moves a transfer to its next status and records who did it and when.
 * Only the moves the status machine allows are made; two people deciding at
 * once cannot both win (optimistic locking on the transfer's version).
 */
export async function moveTransfer(
  em: EntityManager,
  id: string,
  to: TransferStatus,
  actor: string,
  details: { note?: string | null; decidedBy?: UserRef; studentId?: string; candidates?: unknown[]; expectedVersion?: number } = {},
): Promise<TransferChange> {
  const transfer = await em.findOne(RecordsTransferEntity, { id });
  if (!transfer) return { ok: false, reason: 'not-found', detail: `no transfer ${id}` };
  if (details.expectedVersion !== undefined && details.expectedVersion !== transfer.version) {
    return { ok: false, reason: 'concurrent-change', detail: 'the transfer was changed by someone else; reload it' };
  }
  if (!canMove(transfer.side, transfer.status, to)) {
    return { ok: false, reason: 'not-allowed', detail: `a ${transfer.side} transfer cannot go from ${transfer.status} to ${to}` };
  }
  const now = new Date();
  Object.assign(transfer, { status: to, updatedAt: now });
  if (details.decidedBy) Object.assign(transfer, { decidedBy: details.decidedBy, decidedAt: now, decisionComments: details.note ?? null });
  if (details.studentId !== undefined) transfer.studentId = details.studentId;
  if (details.candidates !== undefined) transfer.candidates = details.candidates;
  em.create(TransferEventEntity, { transferId: id, status: to, at: now, actor, note: details.note ?? null } as TransferEvent);
  try {
    await em.flush();
    return { ok: true, transfer };
  } catch (error) {
    if (error instanceof OptimisticLockError) {
      return { ok: false, reason: 'concurrent-change', detail: 'the transfer was changed by someone else at the same time; reload it' };
    }
    throw error;
  }
}

/** Transfers newest first, for one student or the whole district, each with its status history. */
export async function listTransfers(em: EntityManager, filter: { studentId?: string; limit?: number } = {}): Promise<TransferWithHistory[]> {
  const transfers = await em.find(
    RecordsTransferEntity,
    filter.studentId ? { studentId: filter.studentId } : {},
    { orderBy: { requestedAt: 'desc' }, limit: filter.limit ?? 100 },
  );
  const events = transfers.length
    ? await em.find(TransferEventEntity, { transferId: { $in: transfers.map((t) => t.id) } }, { orderBy: { at: 'asc', id: 'asc' } })
    : [];
  return transfers.map((t) => ({ ...t, history: events.filter((e) => e.transferId === t.id) }));
}
