import { EntitySchema } from '@mikro-orm/postgresql';
import { Migration } from '@mikro-orm/migrations';
import type { TransferSide, TransferStatus } from './transfer-status.js';

/** A district as a transfer names it. */
export interface DistrictRef {
  ncesId: string;
  name: string;
}

/** A user as a transfer names them. */
export interface UserRef {
  username: string;
  name: string;
}

/** The demographics a request carries; taken from the requesting district's record, not editable. */
export interface RequestDemographics {
  firstName: string;
  middleName?: string;
  lastSurname: string;
  birthDate: string;
  gender: string;
  ssn?: string;
  gradeLevel?: string;
  school?: string;
}

/** One district's copy of a records transfer. */
export interface RecordsTransfer {
  id: string;
  side: TransferSide;
  requestMessageId: string;
  studentId: string | null;
  studentName: string;
  demographics: RequestDemographics;
  requestingDistrict: DistrictRef;
  releasingDistrict: DistrictRef;
  requestedBy: UserRef;
  requestedAt: Date;
  requestComments: string | null;
  status: TransferStatus;
  decidedBy: UserRef | null;
  decidedAt: Date | null;
  decisionComments: string | null;
  candidates: unknown[] | null;
  updatedAt: Date;
  version: number;
}

export const RecordsTransferEntity = new EntitySchema<RecordsTransfer>({
  name: 'RecordsTransfer',
  tableName: 'records_transfer',
  properties: {
    id: { type: 'uuid', primary: true },
    side: { type: 'string' },
    requestMessageId: { type: 'string' },
    studentId: { type: 'string', nullable: true },
    studentName: { type: 'string' },
    demographics: { type: 'json' },
    requestingDistrict: { type: 'json' },
    releasingDistrict: { type: 'json' },
    requestedBy: { type: 'json' },
    requestedAt: { type: 'datetime' },
    requestComments: { type: 'text', nullable: true },
    status: { type: 'string' },
    decidedBy: { type: 'json', nullable: true },
    decidedAt: { type: 'datetime', nullable: true },
    decisionComments: { type: 'text', nullable: true },
    candidates: { type: 'json', nullable: true },
    updatedAt: { type: 'datetime' },
    version: { type: 'integer', version: true },
  },
});

/** One status change of a transfer, kept for good. */
export interface TransferEvent {
  id: number;
  transferId: string;
  status: TransferStatus;
  at: Date;
  actor: string;
  note: string | null;
}

export const TransferEventEntity = new EntitySchema<TransferEvent>({
  name: 'TransferEvent',
  tableName: 'records_transfer_event',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    transferId: { type: 'uuid' },
    status: { type: 'string' },
    at: { type: 'datetime' },
    actor: { type: 'string' },
    note: { type: 'text', nullable: true },
  },
});

/** Records transfers and their status history. */
export class Migration20261123RecordsTransfer extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE records_transfer (
        id uuid PRIMARY KEY,
        side text NOT NULL CHECK (side IN ('requesting', 'releasing')),
        request_message_id text NOT NULL,
        student_id text,
        student_name text NOT NULL,
        demographics jsonb NOT NULL,
        requesting_district jsonb NOT NULL,
        releasing_district jsonb NOT NULL,
        requested_by jsonb NOT NULL,
        requested_at timestamptz NOT NULL,
        request_comments text,
        status text NOT NULL CHECK (status IN ('requested', 'match-error', 'pending-release', 'released', 'rejected', 'received')),
        decided_by jsonb,
        decided_at timestamptz,
        decision_comments text,
        candidates jsonb,
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1,
        UNIQUE (side, request_message_id)
      )`);
    this.addSql('CREATE INDEX records_transfer_student ON records_transfer (student_id)');
    this.addSql('CREATE INDEX records_transfer_requested_at ON records_transfer (requested_at DESC)');
    this.addSql(`
      CREATE TABLE records_transfer_event (
        id bigserial PRIMARY KEY,
        transfer_id uuid NOT NULL REFERENCES records_transfer (id) DEFERRABLE INITIALLY DEFERRED,
        status text NOT NULL,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        note text
      )`);
    this.addSql('CREATE INDEX records_transfer_event_transfer ON records_transfer_event (transfer_id, at)');
  }
}
