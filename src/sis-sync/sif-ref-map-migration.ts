import { Migration } from '@mikro-orm/migrations';

/**
 * SIF → Ed-Fi synchronisation state (issue 5):
 * - `sif_ref_map`: for each SIF object received in a zone (by RefId, or its
 *   key attributes for objects without one), each Ed-Fi document it owns,
 *   with the document's id and natural key, the key other SIF objects use
 *   to refer to it, and (on the first row) the whole SIF object as last
 *   known, onto which partial Change events merge.
 * - `sif_code_override`: an administrator's additions to the SIF code set →
 *   Ed-Fi descriptor table.
 * - `sif_sync_failure`: objects that could not be mapped or stored, with
 *   the SIF_MsgId and the SIF_Error (category 9) they were answered with.
 * - `sif_sync_request`: initial syncs (SIF_Request sent, packets loaded).
 */
export class Migration20261124SifRefMap extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE sif_ref_map (
        zone_id text NOT NULL,
        object_name text NOT NULL,
        ref_id text NOT NULL,
        resource text NOT NULL,
        position smallint NOT NULL,
        edfi_id char(32) NOT NULL,
        natural_key jsonb NOT NULL,
        object_key jsonb NOT NULL,
        sif_object jsonb,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (zone_id, object_name, ref_id, resource)
      )`);
    this.addSql(`CREATE INDEX sif_ref_map_document ON sif_ref_map (edfi_id)`);
    this.addSql(`
      CREATE TABLE sif_code_override (
        set_name text NOT NULL,
        code text NOT NULL,
        value text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (set_name, code)
      )`);
    this.addSql(`
      CREATE TABLE sif_sync_failure (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        zone_id text NOT NULL,
        msg_id text NOT NULL,
        object_name text NOT NULL,
        ref_id text,
        action text NOT NULL,
        category smallint NOT NULL,
        code smallint NOT NULL,
        reason text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE INDEX sif_sync_failure_message ON sif_sync_failure (zone_id, msg_id)`);
    this.addSql(`
      CREATE TABLE sif_sync_request (
        zone_id text NOT NULL,
        msg_id text NOT NULL,
        object_name text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        packets integer NOT NULL DEFAULT 0,
        objects integer NOT NULL DEFAULT 0,
        failures integer NOT NULL DEFAULT 0,
        complete boolean NOT NULL DEFAULT false,
        error text,
        PRIMARY KEY (zone_id, msg_id)
      )`);
  }
}
