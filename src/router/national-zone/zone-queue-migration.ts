import { Migration } from '@mikro-orm/migrations';

/**
 * The NationalRouter zone's tables (DESIGN §5). Neither holds readable
 * student data:
 * - `zone_message`: routing metadata of every accepted message (who, to whom,
 *   which type, when), kept for a while after delivery so a resent SIF_MsgId
 *   is answered with status 7 and a SIF_Response can be matched to its
 *   SIF_Request;
 * - `zone_delivery`: the delivery queue, push and pull alike: the message's
 *   exact signed bytes (whose student data is a JWE the router cannot open),
 *   the sender's signature headers for end-to-end verification, and retry
 *   state. A row is deleted when the destination acknowledges the message or
 *   when it expires.
 */
export class Migration20261124RouterQueue extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE zone_message (
        source_id text NOT NULL,
        msg_id char(32) NOT NULL,
        zone text NOT NULL,
        destination_id text,
        message_type text NOT NULL,
        object_name text,
        request_msg_id char(32),
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source_id, msg_id)
      )`);
    this.addSql('CREATE INDEX zone_message_received ON zone_message (received_at)');
    this.addSql(`
      CREATE TABLE zone_delivery (
        seq bigserial PRIMARY KEY,
        source_id text NOT NULL,
        msg_id char(32) NOT NULL,
        destination_id text NOT NULL,
        message_type text NOT NULL,
        content_type text NOT NULL,
        body bytea NOT NULL,
        origin_key_id text NOT NULL,
        origin_signature text NOT NULL,
        origin_signature_input text NOT NULL,
        origin_content_digest text NOT NULL,
        origin_authority text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error text,
        UNIQUE (source_id, msg_id)
      )`);
    this.addSql('CREATE INDEX zone_delivery_destination ON zone_delivery (destination_id, seq)');
    this.addSql('CREATE INDEX zone_delivery_expiry ON zone_delivery (expires_at)');
  }
}

/**
 * A SIF_Response names its request only by SIF_RequestMsgId, without the
 * requester's SourceId, so the router looks requests up by msg id alone.
 * The primary key leads with source_id: without this index that lookup reads
 * through the messages of every sender kept for duplicate detection (a scan
 * before PostgreSQL 18, a skip scan over all senders from 18 on).
 */
export class Migration20261126RouterRequestLookup extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE INDEX IF NOT EXISTS zone_message_request ON zone_message (msg_id) WHERE message_type = 'SIF_Request'`);
  }
}
