/**
 * The match-key index of a district's students (tables in
 * transfer-migration.ts) and the candidate lookup matching runs on
 * (DESIGN §6.4). Writes to students and their district associations mark
 * the student dirty in the writer's transaction (a trigger); before each
 * lookup the dirty students are re-keyed, so the index is never behind the
 * Ed-Fi store when a request is matched.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { matchKeyOf, type MatchDemographics } from '../matching/demographics.js';
import { demographicsFromEdfi, type EdfiStudentDistrictAssociation, type EdfiStudentNames } from '../matching/edfi-demographics.js';
import { nearLookupKeysOf } from '../matching/lookup-keys.js';
import { decideMatch, type MatchCandidate, type MatchDecision } from '../matching/student-match.js';
import { TEXT_ARRAY } from '../storage/bound-statements.js';
import type { RequestDemographics } from './transfer-entity.js';

/** A student of this district as matching sees it. */
export interface LocalStudent extends MatchCandidate {
  readonly demographics: RequestDemographics;
  /** "Last, First" as the Records Transfer list shows it. */
  readonly name: string;
}

/** The students a request may concern: every one under its exact key, and a bounded pool of near ones. */
export interface CandidatePool {
  readonly exact: LocalStudent[];
  readonly near: LocalStudent[];
}

/** Students re-keyed per transaction while catching up (bounded so a bulk load does not make one huge transaction). */
const REFRESH_BATCH = 2000;
/** Near candidates read per request: plenty for a person to choose from after scoring. */
const NEAR_POOL = 200;

interface DirtyRow {
  id: string;
  student: EdfiStudentNames | null;
  seoa: EdfiStudentDistrictAssociation | null;
}

/**
 * Re-keys every student marked dirty since the last call; returns how many.
 * Safe to run from several processes at once: a student another process is
 * re-keying is waited for (not skipped), so when this returns every write
 * committed before it is in the index; rows are locked in key order, so two
 * refreshes cannot deadlock.
 */
export async function refreshMatchIndex(em: EntityManager): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await em.transactional((tx) => refreshBatch(tx));
    total += done;
    // A batch may come back short because another process took some rows, so only an empty one means done.
    if (done === 0) return total;
  }
}

/** Students re-keyed at once above which the catch-up also vacuums (see catchUpMatchIndex). */
const VACUUM_AFTER = 1000;

/**
 * Brings the match-key index up to date after a bulk load, outside any
 * transaction, and then vacuums its tables when many students were re-keyed.
 * Each re-key deletes a row of `student_match_dirty`; until autovacuum comes
 * by (up to a minute later) every lookup's "anything dirty?" probe wades
 * through those dead rows, which tripled lookup latency after a 200,000
 * student load. VACUUM cannot run inside a transaction, hence a separate
 * step for loaders rather than part of the per-lookup refresh.
 */
export async function catchUpMatchIndex(orm: MikroORM): Promise<number> {
  const total = await refreshMatchIndex(orm.em.fork());
  if (total >= VACUUM_AFTER) await orm.em.fork().execute('VACUUM (ANALYZE) student_match_dirty, student_match_key');
  return total;
}

async function refreshBatch(tx: EntityManager): Promise<number> {
  const rows = await tx.execute<DirtyRow[]>(
    `WITH taken AS (
       DELETE FROM student_match_dirty WHERE student_unique_id IN (
         SELECT student_unique_id FROM student_match_dirty ORDER BY student_unique_id LIMIT ? FOR UPDATE)
       RETURNING student_unique_id
     )
     SELECT t.student_unique_id AS id, s.body AS student, e.body AS seoa
     FROM taken t
     LEFT JOIN edfi_document s ON s.identity->>'studentUniqueId' = t.student_unique_id AND s.resource = 'ed-fi/students'
     LEFT JOIN LATERAL (
       SELECT body FROM edfi_document
       WHERE identity->>'studentUniqueId' = t.student_unique_id AND resource = 'ed-fi/studentEducationOrganizationAssociations'
       ORDER BY (body->>'sexDescriptor' IS NOT NULL) DESC, last_modified DESC LIMIT 1
     ) e ON true`,
    [REFRESH_BATCH],
  );
  if (rows.length === 0) return 0;
  const gone = rows.filter((r) => !r.student).map((r) => r.id);
  const keyed = rows.filter((r) => r.student).map((r) => keyRow(r.id, demographicsFromEdfi(r.student!, r.seoa ?? undefined)));
  if (gone.length > 0) await tx.execute(`DELETE FROM student_match_key WHERE student_unique_id = ANY(${TEXT_ARRAY})`, [JSON.stringify(gone)]);
  if (keyed.length > 0) {
    await tx.execute(
      `INSERT INTO student_match_key (student_unique_id, match_key, last_first, last_birth, first_birth, demographics)
       SELECT id, match_key, last_first, last_birth, first_birth, demographics
       FROM jsonb_to_recordset(?::jsonb) AS r(id text, match_key text, last_first text, last_birth text, first_birth text, demographics jsonb)
       ON CONFLICT (student_unique_id) DO UPDATE SET match_key = excluded.match_key, last_first = excluded.last_first,
         last_birth = excluded.last_birth, first_birth = excluded.first_birth, demographics = excluded.demographics`,
      [JSON.stringify(keyed)],
    );
  }
  return rows.length;
}

function keyRow(id: string, demographics: RequestDemographics) {
  const near = nearLookupKeysOf(demographics);
  return {
    id,
    match_key: matchKeyOf(demographics),
    last_first: near.lastFirst,
    last_birth: near.lastBirth,
    first_birth: near.firstBirth,
    demographics,
  };
}

/**
 * The students a request may concern, after bringing the index up to date:
 * all of those under the request's exact key (never cut short, so a second
 * exact match is never missed) and up to 200 sharing two of last name,
 * first name and birth date (for a person to choose from).
 */
export async function candidatePool(em: EntityManager, request: MatchDemographics, options: { near?: boolean } = {}): Promise<CandidatePool> {
  // One round trip when the index is current: the lookup also says whether any student is waiting to be re-keyed.
  const near = options.near ?? true;
  let found = await lookupPool(em, request, near);
  if (found.dirty) {
    await refreshMatchIndex(em);
    found = await lookupPool(em, request, near);
  }
  return found.pool;
}

/**
 * Matches a request against the index: the exact-key students first (one
 * probe), and only when none of them matches, the near pool as well, so
 * the near candidates a person may choose from come with the match error.
 * Near students cannot be exact matches (their key differs), so the common
 * case of a match never reads them.
 */
export async function matchAgainstIndex(em: EntityManager, request: MatchDemographics): Promise<MatchDecision<LocalStudent>> {
  const exact = await candidatePool(em, request, { near: false });
  const decision = decideMatch(request, exact.exact);
  if (decision.kind !== 'no-match') return decision;
  const pool = await candidatePool(em, request);
  return decideMatch(request, [...pool.exact, ...pool.near]);
}

type PoolRow = { id: string | null; demographics: RequestDemographics | null; exact: boolean | null; dirty: boolean };

async function lookupPool(em: EntityManager, request: MatchDemographics, withNear: boolean): Promise<{ pool: CandidatePool; dirty: boolean }> {
  const key = matchKeyOf(request);
  const near = nearLookupKeysOf(request);
  const nearPart = withNear
    ? `UNION ALL
       (SELECT student_unique_id, demographics, false FROM student_match_key
        WHERE (last_first = ? OR last_birth = ? OR first_birth = ?) AND match_key <> ? LIMIT ?)`
    : '';
  const rows = await em.execute<PoolRow[]>(
    `WITH pool AS (
       SELECT student_unique_id AS id, demographics, true AS exact FROM student_match_key WHERE match_key = ?
       ${nearPart}
     )
     SELECT p.id, p.demographics, p.exact, EXISTS (SELECT 1 FROM student_match_dirty) AS dirty
     FROM (SELECT 1) AS one LEFT JOIN pool p ON true`,
    withNear ? [key, near.lastFirst, near.lastBirth, near.firstBirth, key, NEAR_POOL] : [key],
  );
  const students = rows.filter((r): r is PoolRow & { id: string; demographics: RequestDemographics } => r.id !== null);
  const student = (r: { id: string; demographics: RequestDemographics }): LocalStudent => ({ studentId: r.id, demographics: r.demographics, name: studentName(r.demographics) });
  return {
    dirty: rows[0]?.dirty ?? false,
    pool: { exact: students.filter((r) => r.exact).map(student), near: students.filter((r) => !r.exact).map(student) },
  };
}

/** "Last, First" as the source's Records Transfer list writes a student's name. */
export function studentName(d: Pick<RequestDemographics, 'firstName' | 'lastSurname'>): string {
  return `${d.lastSurname}, ${d.firstName}`;
}
