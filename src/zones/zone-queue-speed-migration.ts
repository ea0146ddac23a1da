import { Migration } from '@mikro-orm/migrations';

/**
 * Zone queue speed: Selective Message Blocking checks "has this agent a
 * blocked event?" for every candidate row of its queue. Blocked rows are
 * rare (at most one per agent), so a partial index over them answers the
 * check with one index probe instead of a scan of the agent's queue.
 */
export class Migration20261124ZoneQueueSpeed extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE INDEX zone_queue_blocked ON zone_queue (zone_id, target) WHERE state = 'blocked'`);
  }
}
