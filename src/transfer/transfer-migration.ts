import { Migration } from '@mikro-orm/migrations';

/** The Ed-Fi resources whose writes change a student's match keys (names and birth date; sex and SSN). */
export const MATCH_SOURCE_RESOURCES = ['ed-fi/students', 'ed-fi/studentEducationOrganizationAssociations'] as const;

/**
 * Tables of the records-transfer workflow (DESIGN §6), after the transfer
 * itself (transfer-entity.ts):
 *
 * - `records_transfer_packet`: a received records packet, encrypted at rest
 *   (src/crypto/at-rest.ts), one per transfer;
 * - `records_transfer_notification`: what the requesting district is told
 *   (released, rejected, match error), listed by Process Alerts;
 * - `student_match_key`: the match-key index of the district's students
 *   (src/matching `matchKeyOf` and `nearLookupKeysOf`), so a request is
 *   matched with one index probe instead of a scan;
 * - `student_match_dirty`: students whose Ed-Fi documents changed since the
 *   index last saw them. A trigger on `edfi_document` marks them in the
 *   writer's own transaction, so no write is ever missed; the index is
 *   brought up to date before each match (match-index.ts). The keys are
 *   computed in TypeScript because normalization (accents, hyphens,
 *   apostrophes) lives in src/matching and must be the same code.
 */
export class Migration20261124TransferWorkflow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE records_transfer_packet (
        transfer_id uuid PRIMARY KEY REFERENCES records_transfer (id),
        ciphertext bytea NOT NULL,
        byte_length integer NOT NULL,
        record_types text[] NOT NULL,
        sender_key_id text,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE records_transfer_notification (
        id bigserial PRIMARY KEY,
        transfer_id uuid NOT NULL REFERENCES records_transfer (id),
        status text NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX records_transfer_notification_created ON records_transfer_notification (created_at DESC)');
    this.addSql('CREATE INDEX records_transfer_side_status ON records_transfer (side, status, requested_at DESC)');
    this.addSql(`
      CREATE TABLE student_match_key (
        student_unique_id text PRIMARY KEY,
        match_key text NOT NULL,
        last_first text NOT NULL,
        last_birth text NOT NULL,
        first_birth text NOT NULL,
        demographics jsonb NOT NULL
      )`);
    for (const column of ['match_key', 'last_first', 'last_birth', 'first_birth']) {
      this.addSql(`CREATE INDEX student_match_key_${column} ON student_match_key (${column})`);
    }
    this.addSql(`CREATE TABLE student_match_dirty (student_unique_id text PRIMARY KEY)`);
    this.addSql(`
      CREATE FUNCTION student_match_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO student_match_dirty VALUES (NEW.identity->>'studentUniqueId') ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.identity->>'studentUniqueId' IS DISTINCT FROM NEW.identity->>'studentUniqueId') THEN
          INSERT INTO student_match_dirty VALUES (OLD.identity->>'studentUniqueId') ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    const resources = MATCH_SOURCE_RESOURCES.map((r) => `'${r}'`).join(', ');
    this.addSql(`
      CREATE TRIGGER student_match_written AFTER INSERT OR UPDATE ON edfi_document
      FOR EACH ROW WHEN (NEW.resource IN (${resources})) EXECUTE FUNCTION student_match_mark_dirty()`);
    this.addSql(`
      CREATE TRIGGER student_match_deleted AFTER DELETE ON edfi_document
      FOR EACH ROW WHEN (OLD.resource IN (${resources})) EXECUTE FUNCTION student_match_mark_dirty()`);
    // Students stored before this migration are indexed at the first match.
    this.addSql(`
      INSERT INTO student_match_dirty
      SELECT DISTINCT identity->>'studentUniqueId' FROM edfi_document WHERE resource IN (${resources})
      ON CONFLICT DO NOTHING`);
  }
}
