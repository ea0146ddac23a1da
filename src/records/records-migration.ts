import { Migration } from '@mikro-orm/migrations';

/**
 * The Ed-Fi document store: every resource's documents in one table (JSONB
 * body, identity in reference form and its hash, unique per resource), the
 * references between documents (referential integrity and 409 on delete),
 * and tombstones for the change queries' `/deletes`. One sequence numbers
 * every change (Ed-Fi change queries' change version, also the ETag).
 */
export class Migration20261124EdfiRecords extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE SEQUENCE edfi_change_version`);
    this.addSql(`
      CREATE TABLE edfi_document (
        id char(32) PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        resource text NOT NULL,
        identity_hash text NOT NULL,
        identity jsonb NOT NULL,
        alias_resource text,
        alias_hash text,
        body jsonb NOT NULL,
        education_organization_ids bigint[] NOT NULL DEFAULT '{}',
        change_version bigint NOT NULL,
        last_modified timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT edfi_document_identity UNIQUE (resource, identity_hash)
      )`);
    this.addSql(`CREATE INDEX edfi_document_alias ON edfi_document (alias_resource, alias_hash) WHERE alias_resource IS NOT NULL`);
    this.addSql(`CREATE INDEX edfi_document_paging ON edfi_document (resource, seq)`);
    this.addSql(`CREATE INDEX edfi_document_changes ON edfi_document (resource, change_version)`);
    this.addSql(`CREATE INDEX edfi_document_student ON edfi_document ((identity->>'studentUniqueId'), resource)`);
    this.addSql(`
      CREATE TABLE edfi_reference (
        from_id char(32) NOT NULL,
        to_resource text NOT NULL,
        to_hash text NOT NULL
      )`);
    this.addSql(`CREATE INDEX edfi_reference_from ON edfi_reference (from_id)`);
    this.addSql(`CREATE INDEX edfi_reference_to ON edfi_reference (to_resource, to_hash)`);
    this.addSql(`
      CREATE TABLE edfi_deleted (
        id char(32) NOT NULL,
        resource text NOT NULL,
        identity jsonb NOT NULL,
        change_version bigint NOT NULL,
        deleted_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE INDEX edfi_deleted_changes ON edfi_deleted (resource, change_version)`);
  }
}
