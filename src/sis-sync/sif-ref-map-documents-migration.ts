import { Migration } from '@mikro-orm/migrations';

/**
 * The SIF ref map keyed by document position (issue 5), so that one SIF
 * object may own several Ed-Fi documents of the same resource (a
 * StudentSnapshot → one program association per program), and a Change
 * can compare the documents recorded for a RefId with the newly mapped set:
 * - primary key `(zone, object, RefId, position)` instead of `…, resource`.
 *   Rows of one object are rewritten whole on every write; duplicates left
 *   by the old key (a document of one resource replaced by another at the
 *   same position) are dropped, keeping the newest.
 * - `edfi_id` nullable: an object that currently maps to no owned document
 *   (a snapshot with no program) keeps one row with no document, which
 *   holds its key and its SIF object for later partial Changes.
 * - `related_key`: the values of the attributes other objects find this one
 *   by (SifObjectMapper.findBy, e.g. a StudentSectionEnrollment by student
 *   and section RefId), on the first row, behind a partial index: a mark's
 *   enrollment lookup no longer scans the zone's section enrollments.
 */
export class Migration20261124SifRefMapDocuments extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE sif_ref_map DROP CONSTRAINT sif_ref_map_pkey`);
    this.addSql(`
      DELETE FROM sif_ref_map m USING (
        SELECT ctid, row_number() OVER (PARTITION BY zone_id, object_name, ref_id, position ORDER BY updated_at DESC, (sif_object IS NULL)) AS n
        FROM sif_ref_map
      ) d
      WHERE m.ctid = d.ctid AND d.n > 1`);
    this.addSql(`ALTER TABLE sif_ref_map ADD PRIMARY KEY (zone_id, object_name, ref_id, position)`);
    this.addSql(`ALTER TABLE sif_ref_map ALTER COLUMN edfi_id DROP NOT NULL`);
    this.addSql(`ALTER TABLE sif_ref_map ADD COLUMN related_key text`);
    // The one object found by attributes today (see studentSectionEnrollmentMapper.findBy); the separator is RELATED_KEY_SEPARATOR.
    this.addSql(`
      UPDATE sif_ref_map SET related_key = concat_ws(E'\\x1f', btrim(sif_object->>'@StudentPersonalRefId'), btrim(sif_object->>'@SectionInfoRefId'))
      WHERE object_name = 'StudentSectionEnrollment' AND position = 0 AND sif_object IS NOT NULL`);
    this.addSql(`CREATE INDEX sif_ref_map_related ON sif_ref_map (zone_id, object_name, related_key, updated_at DESC) WHERE related_key IS NOT NULL`);
  }
}
