import { Migration } from '@mikro-orm/migrations';

/**
 * The node's log of NationalRouter zone messages it sent and received:
 * routing metadata only (the content lives with the feature that handled
 * it). A received message is logged in the same transaction as its handling,
 * so the log shows each message once, however often it was delivered.
 */
export class Migration20261124NationalMessages extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE national_message (
        direction text NOT NULL CHECK (direction IN ('in', 'out')),
        source_id text NOT NULL,
        msg_id char(32) NOT NULL,
        destination_id text,
        message_type text NOT NULL,
        object_name text,
        request_msg_id char(32),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (direction, source_id, msg_id)
      )`);
    this.addSql('CREATE INDEX national_message_request ON national_message (request_msg_id) WHERE request_msg_id IS NOT NULL');
  }
}
