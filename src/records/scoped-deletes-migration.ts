import { Migration } from '@mikro-orm/migrations';

/**
 * Tombstones carry the education organizations of the deleted document, so
 * the change queries' `/deletes` can be limited to a client's scope like
 * every other read (src/clients/record-scope.ts works on the same columns
 * as for `edfi_document`). Tombstones written before this migration get the
 * organizations named in their identity (schoolId, educationOrganizationId
 * …), which is where they are for the associations that carry them.
 */
export class Migration20261124EdfiScopedDeletes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE edfi_deleted ADD COLUMN education_organization_ids bigint[] NOT NULL DEFAULT '{}'`);
    this.addSql(`
      UPDATE edfi_deleted SET education_organization_ids = ARRAY(
        SELECT DISTINCT (e.value #>> '{}')::bigint FROM jsonb_each(identity) AS e
        WHERE e.key IN ('schoolId', 'localEducationAgencyId', 'stateEducationAgencyId', 'educationServiceCenterId', 'educationOrganizationId')
          AND jsonb_typeof(e.value) = 'number'
        ORDER BY 1
      )`);
  }
}
