import { Migration } from '@mikro-orm/migrations';

/**
 * Ed-Fi API clients (OAuth2 client credentials) and their access tokens.
 * Secrets are kept only as scrypt hashes; tokens only as SHA-256 hashes (a
 * token is 256 random bits, so a fast hash is enough and keeps the per-request
 * check cheap). Revoking a client deletes its tokens.
 */
export class Migration20261124EdfiClients extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE edfi_client (
        key text PRIMARY KEY,
        name text NOT NULL,
        secret_hash text NOT NULL,
        education_organization_ids bigint[] NOT NULL CHECK (cardinality(education_organization_ids) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    this.addSql(`
      CREATE TABLE edfi_access_token (
        token_hash bytea PRIMARY KEY,
        client_key text NOT NULL REFERENCES edfi_client (key) ON DELETE CASCADE,
        issued_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    this.addSql(`CREATE INDEX edfi_access_token_client ON edfi_access_token (client_key)`);
    this.addSql(`CREATE INDEX edfi_access_token_expiry ON edfi_access_token (expires_at)`);
  }
}
