import { Migration } from '@mikro-orm/migrations';

/**
 * The durable outbox (messages this node must deliver, retried with backoff)
 * and the inbox of message ids already processed (exactly-once processing).
 */
export class Migration20261123Outbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE outbox_message (
        id text PRIMARY KEY,
        destination text NOT NULL,
        content_type text NOT NULL,
        body bytea NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    this.addSql(`CREATE INDEX outbox_message_due ON outbox_message (next_attempt_at) WHERE status = 'pending'`);
    this.addSql(`
      CREATE TABLE inbox_message (
        id text PRIMARY KEY,
        source text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);
  }
}
