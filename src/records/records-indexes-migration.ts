import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes of the Ed-Fi document store added after its tables: contacts by
 * `contactUniqueId`, for the access layer's scope checks of contacts and the
 * list condition (src/clients/record-scope.ts), which otherwise scan every
 * document. Partial: most documents name no contact, and `=` on the key
 * implies it is not null, so the planner still uses it.
 */
export class Migration20261124EdfiRecordsIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `CREATE INDEX edfi_document_contact ON edfi_document ((identity->>'contactUniqueId'), resource) WHERE (identity->>'contactUniqueId') IS NOT NULL`,
    );
  }
}
