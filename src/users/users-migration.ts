import { Migration } from '@mikro-orm/migrations';

/**
 * District console users, their tool rights and their sessions (DESIGN §5).
 * Rights are plain text, checked against `TOOL_RIGHTS` in code, so adding a
 * right needs no migration. A session is stored by the SHA-256 of its token:
 * reading the table does not give anyone a usable token.
 */
export class Migration20261124Users extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE console_user (
        id uuid PRIMARY KEY,
        username text NOT NULL UNIQUE CHECK (username = lower(username) AND length(username) BETWEEN 1 AND 64),
        display_name text NOT NULL,
        password_hash text NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE user_right (
        user_id uuid NOT NULL REFERENCES console_user (id) ON DELETE CASCADE,
        tool_right text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        granted_by text NOT NULL,
        PRIMARY KEY (user_id, tool_right)
      )`);
    this.addSql(`
      CREATE TABLE user_session (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES console_user (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    this.addSql('CREATE INDEX user_session_user ON user_session (user_id)');
    this.addSql('CREATE INDEX user_session_expires ON user_session (expires_at)');
  }
}
