import { Migration } from '@mikro-orm/migrations';
import { Migration20261124RouterQueue, Migration20261126RouterRequestLookup } from './national-zone/zone-queue-migration.js';

/** Districts, their registrations and the certificates issued to them. */
export class Migration20261122RouterDistricts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE district (
        nces_id varchar(7) PRIMARY KEY,
        name text NOT NULL,
        state char(2) NOT NULL,
        endpoint text NOT NULL,
        delivery_mode text NOT NULL CHECK (delivery_mode IN ('push', 'pull')),
        application_name text NOT NULL,
        terms_version text NOT NULL,
        registered_from text NOT NULL,
        registered_by text NOT NULL,
        registered_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'active', 'invalid', 'rejected', 'withdrawn', 'revoked')),
        reason text,
        key_id text NOT NULL,
        public_key_pem text NOT NULL,
        csr_pem text NOT NULL,
        certificate_pem text,
        certificate_serial text,
        certificate_not_after timestamptz,
        cities text[] NOT NULL DEFAULT '{}',
        zips text[] NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1
      )`);
    this.addSql('CREATE UNIQUE INDEX district_key_id ON district (key_id)');
    this.addSql(`CREATE INDEX district_directory ON district (state) WHERE status = 'active'`);
    this.addSql(`
      CREATE TABLE issued_certificate (
        serial text PRIMARY KEY,
        nces_id varchar(7) NOT NULL REFERENCES district (nces_id),
        pem text NOT NULL,
        not_before timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        revoked_at timestamptz,
        revocation_reason text
      )`);
    this.addSql('CREATE INDEX issued_certificate_district ON issued_certificate (nces_id)');
  }
}

/** Router migrations, in the order they apply. */
export const routerMigrations = [Migration20261122RouterDistricts, Migration20261124RouterQueue, Migration20261126RouterRequestLookup];
