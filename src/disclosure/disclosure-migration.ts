import { Migration } from '@mikro-orm/migrations';

/**
 * The FERPA disclosure log (34 CFR §99.32: a record of each request for and
 * disclosure of a student's education records, kept with the records). It
 * is append-only, and the database enforces it: a trigger refuses every
 * UPDATE, DELETE and TRUNCATE, whatever code or person tries.
 */
export class Migration20261124Disclosure extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE disclosure_log (
        id bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        action text NOT NULL CHECK (action IN ('request', 'release', 'rejection', 'view', 'receipt', 'import')),
        actor_username text NOT NULL,
        actor_name text NOT NULL,
        student_id text NOT NULL,
        student_name text NOT NULL,
        record_types text[] NOT NULL,
        district_nces_id text NOT NULL,
        district_name text NOT NULL,
        legal_basis text NOT NULL,
        redisclosure_notice boolean NOT NULL,
        transfer_id uuid,
        comments text
      )`);
    this.addSql('CREATE INDEX disclosure_log_student ON disclosure_log (student_id, occurred_at DESC, id DESC)');
    this.addSql(`
      CREATE FUNCTION disclosure_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $body$
      BEGIN
        RAISE EXCEPTION 'disclosure_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'FERPA disclosure records (34 CFR 99.32) are kept as written; record a new entry instead.';
      END
      $body$`);
    this.addSql(`
      CREATE TRIGGER disclosure_log_append_only BEFORE UPDATE OR DELETE ON disclosure_log
      FOR EACH ROW EXECUTE FUNCTION disclosure_log_refuse_change()`);
    this.addSql(`
      CREATE TRIGGER disclosure_log_no_truncate BEFORE TRUNCATE ON disclosure_log
      FOR EACH STATEMENT EXECUTE FUNCTION disclosure_log_refuse_change()`);
  }
}
