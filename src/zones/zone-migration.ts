import { Migration } from '@mikro-orm/migrations';

/**
 * Zones (DESIGN §4): definitions and agent rights (from zones/ files or the
 * admin API), and the zone server's state: registrations, provisions, the
 * msg ids already received (duplicates → status 7), open requests (packet
 * checks), and the durable per-agent delivery queue.
 */
export class Migration20261124Zones extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE zone (
        id text PRIMARY KEY,
        name text NOT NULL,
        owner text NOT NULL CHECK (owner IN ('node', 'router')),
        definition jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE zone_agent (
        zone_id text NOT NULL REFERENCES zone (id) ON DELETE CASCADE,
        source_id text NOT NULL,
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('agent', 'node', 'template')),
        PRIMARY KEY (zone_id, source_id)
      )`);
    this.addSql(`
      CREATE TABLE zone_agent_right (
        zone_id text NOT NULL,
        source_id text NOT NULL,
        object_name text NOT NULL,
        rights text[] NOT NULL,
        PRIMARY KEY (zone_id, source_id, object_name),
        FOREIGN KEY (zone_id, source_id) REFERENCES zone_agent (zone_id, source_id) ON DELETE CASCADE
      )`);
    this.addSql(`
      CREATE TABLE zone_registration (
        zone_id text NOT NULL REFERENCES zone (id) ON DELETE CASCADE,
        source_id text NOT NULL,
        name text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('Push', 'Pull', 'Internal')),
        format text NOT NULL DEFAULT 'xml' CHECK (format IN ('xml', 'json')),
        url text,
        protocol jsonb,
        versions text[] NOT NULL,
        max_buffer_size bigint NOT NULL,
        sleeping boolean NOT NULL DEFAULT false,
        registered_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (zone_id, source_id)
      )`);
    this.addSql(`
      CREATE TABLE zone_provision (
        zone_id text NOT NULL,
        source_id text NOT NULL,
        object_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('provide', 'subscribe')),
        PRIMARY KEY (zone_id, source_id, object_name, role),
        FOREIGN KEY (zone_id, source_id) REFERENCES zone_registration (zone_id, source_id) ON DELETE CASCADE
      )`);
    // SIF 2.x: one provider per object in a zone (SIF_Error 6/4 otherwise).
    this.addSql(`CREATE UNIQUE INDEX zone_provision_one_provider ON zone_provision (zone_id, object_name) WHERE role = 'provide'`);
    this.addSql(`
      CREATE TABLE zone_received (
        zone_id text NOT NULL REFERENCES zone (id) ON DELETE CASCADE,
        source_id text NOT NULL,
        msg_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (zone_id, source_id, msg_id)
      )`);
    this.addSql(`
      CREATE TABLE zone_request (
        zone_id text NOT NULL REFERENCES zone (id) ON DELETE CASCADE,
        msg_id text NOT NULL,
        requester text NOT NULL,
        responder text NOT NULL,
        object_name text NOT NULL,
        max_buffer_size bigint NOT NULL,
        versions text[] NOT NULL,
        next_packet integer NOT NULL DEFAULT 1,
        complete boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (zone_id, msg_id)
      )`);
    this.addSql(`
      CREATE TABLE zone_queue (
        id bigserial PRIMARY KEY,
        zone_id text NOT NULL,
        target text NOT NULL,
        msg_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('event', 'request', 'response')),
        message json NOT NULL,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'blocked')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (zone_id, target, msg_id),
        FOREIGN KEY (zone_id, target) REFERENCES zone_registration (zone_id, source_id) ON DELETE CASCADE
      )`);
    // json, not jsonb: jsonb reorders object keys, and SIF element order must survive.
    this.addSql(`CREATE INDEX zone_queue_head ON zone_queue (zone_id, target, id)`);
  }
}
