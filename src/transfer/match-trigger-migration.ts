import { Migration } from '@mikro-orm/migrations';
import { MATCH_SOURCE_RESOURCES } from './transfer-migration.js';

/**
 * Marks changed students for the match-key index once per statement instead
 * of once per row: the row triggers of Migration20261124TransferWorkflow ran
 * a PL/pgSQL function and an INSERT for every student document a bulk load
 * or batch upsert wrote. Statement triggers see the written rows as
 * transition tables (PostgreSQL docs, "CREATE TRIGGER": REFERENCING …
 * TABLE), and one INSERT … SELECT marks them all. A transition table needs
 * a trigger per event, hence three. Marking a student too often is harmless
 * (the index re-reads it); missing one is not, so an update marks both the
 * old and the new student id.
 */
export class Migration20261124MatchStatementTriggers extends Migration {
  override async up(): Promise<void> {
    const resources = MATCH_SOURCE_RESOURCES.map((r) => `'${r}'`).join(', ');
    const mark = (table: string) =>
      `INSERT INTO student_match_dirty
       SELECT DISTINCT identity->>'studentUniqueId' FROM ${table}
       WHERE resource IN (${resources}) AND identity->>'studentUniqueId' IS NOT NULL
       ON CONFLICT DO NOTHING;`;
    this.addSql(`DROP TRIGGER student_match_written ON edfi_document`);
    this.addSql(`DROP TRIGGER student_match_deleted ON edfi_document`);
    this.addSql(`DROP FUNCTION student_match_mark_dirty()`);
    this.addSql(`CREATE FUNCTION student_match_mark_new() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${mark('new_rows')} RETURN NULL; END $$`);
    this.addSql(`CREATE FUNCTION student_match_mark_old() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${mark('old_rows')} RETURN NULL; END $$`);
    this.addSql(`CREATE FUNCTION student_match_mark_both() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${mark('old_rows')} ${mark('new_rows')} RETURN NULL; END $$`);
    this.addSql(`CREATE TRIGGER student_match_inserted AFTER INSERT ON edfi_document REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_match_mark_new()`);
    this.addSql(
      `CREATE TRIGGER student_match_updated AFTER UPDATE ON edfi_document REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_match_mark_both()`,
    );
    this.addSql(`CREATE TRIGGER student_match_deleted AFTER DELETE ON edfi_document REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION student_match_mark_old()`);
  }
}
