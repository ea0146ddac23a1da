/**
 * The FERPA disclosure log of a district node (DESIGN §5): every request,
 * release, rejection, view, receipt and import of a student's records, with
 * who, when, which student, which record types, which other district, the
 * legal basis and whether the redisclosure notice went with the records.
 * Parents may ask what was sent: `disclosuresOf` answers per student.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { boundRows } from '../storage/bound-statements.js';

/** What happened to the records. */
export type DisclosureAction = 'request' | 'release' | 'rejection' | 'view' | 'receipt' | 'import';

/** Every action, in the order of a transfer. */
export const DISCLOSURE_ACTIONS: readonly DisclosureAction[] = ['request', 'release', 'rejection', 'view', 'receipt', 'import'];

/**
 * The exception to consent that a records transfer relies on: disclosure to
 * officials of another school where the student seeks or intends to enroll,
 * 34 CFR §99.31(a)(2) (conditions in §99.34).
 */
export const TRANSFER_LEGAL_BASIS = '34 CFR §99.31(a)(2): school where the student seeks or intends to enroll';

/** One entry as a feature records it. */
export interface DisclosureEntry {
  action: DisclosureAction;
  /** The district user who acted (`system` for automatic steps). */
  actor: { username: string; name: string };
  student: { id: string; name: string };
  /** The record types concerned, e.g. `transcripts`, `immunizations`. */
  recordTypes: readonly string[];
  /** The other district: to whom records went, or from whom they were requested or received. */
  district: { ncesId: string; name: string };
  /** Defaults to {@link TRANSFER_LEGAL_BASIS}. */
  legalBasis?: string;
  /** Whether the §99.33 redisclosure notice went with the records. */
  redisclosureNotice: boolean;
  transferId?: string;
  comments?: string;
  /** Defaults to now; given by features replaying a recorded time. */
  occurredAt?: Date;
}

/** One entry as the log keeps it. */
export interface Disclosure extends Required<Omit<DisclosureEntry, 'transferId' | 'comments' | 'recordTypes'>> {
  id: string;
  recordTypes: string[];
  transferId: string | null;
  comments: string | null;
}

interface DisclosureRow {
  id: string;
  occurred_at: Date;
  action: DisclosureAction;
  actor_username: string;
  actor_name: string;
  student_id: string;
  student_name: string;
  record_types: string[];
  district_nces_id: string;
  district_name: string;
  legal_basis: string;
  redisclosure_notice: boolean;
  transfer_id: string | null;
  comments: string | null;
}

/**
 * Appends an entry to the log. Call it with the entity manager of the
 * transaction that makes the change (a release, an import), so the entry
 * and the change commit or roll back together.
 */
export async function recordDisclosure(em: EntityManager, entry: DisclosureEntry): Promise<Disclosure> {
  if (!DISCLOSURE_ACTIONS.includes(entry.action)) throw new TypeError(`unknown disclosure action ${String(entry.action)}`);
  // Types are text without commas (see DisclosureEntry), so one text parameter carries the list.
  if (entry.recordTypes.some((type) => type.includes(','))) throw new TypeError('a record type holds no comma');
  const rows = await boundRows<DisclosureRow>(
    em,
    `INSERT INTO disclosure_log (occurred_at, action, actor_username, actor_name, student_id, student_name, record_types,
       district_nces_id, district_name, legal_basis, redisclosure_notice, transfer_id, comments)
     VALUES (?, ?, ?, ?, ?, ?, string_to_array(?, ','), ?, ?, ?, ?, ?, ?) RETURNING *`,
    [
      entry.occurredAt ?? new Date(),
      entry.action,
      entry.actor.username,
      entry.actor.name,
      entry.student.id,
      entry.student.name,
      entry.recordTypes.join(','),
      entry.district.ncesId,
      entry.district.name,
      entry.legalBasis ?? TRANSFER_LEGAL_BASIS,
      entry.redisclosureNotice,
      entry.transferId ?? null,
      entry.comments ?? null,
    ],
  );
  return toDisclosure(rows[0]!);
}

/** Every log entry about a student, newest first. */
export async function disclosuresOf(em: EntityManager, studentId: string): Promise<Disclosure[]> {
  const rows = await em.execute<DisclosureRow[]>('SELECT * FROM disclosure_log WHERE student_id = ? ORDER BY occurred_at DESC, id DESC', [studentId]);
  return rows.map(toDisclosure);
}

function toDisclosure(row: DisclosureRow): Disclosure {
  return {
    id: String(row.id),
    occurredAt: new Date(row.occurred_at),
    action: row.action,
    actor: { username: row.actor_username, name: row.actor_name },
    student: { id: row.student_id, name: row.student_name },
    recordTypes: row.record_types,
    district: { ncesId: row.district_nces_id, name: row.district_name },
    legalBasis: row.legal_basis,
    redisclosureNotice: row.redisclosure_notice,
    transferId: row.transfer_id,
    comments: row.comments,
  };
}

/** One line of the log as the CLI prints it. */
export function formatDisclosure(d: Disclosure): string {
  const direction = d.action === 'release' ? 'to' : d.action === 'request' || d.action === 'receipt' ? 'from' : 'with';
  const notice = d.redisclosureNotice ? 'redisclosure notice included' : 'no redisclosure notice';
  return `${d.occurredAt.toISOString()}  ${d.action.padEnd(9)}  ${d.student.name} (${d.student.id})  ${d.recordTypes.join(', ') || '-'}  ${direction} ${d.district.name} (${d.district.ncesId})  by ${d.actor.name} (${d.actor.username})  ${notice}  — ${d.legalBasis}${d.comments ? `  "${d.comments}"` : ''}`;
}
