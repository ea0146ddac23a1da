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

/**
 * Zone queue speed: the head index covers only queued rows. A SIF_Ack
 * finds its message by (zone, target, SIF_MsgId), which the unique key
 * answers with one probe; but right after a burst of events the planner's
 * statistics still describe a near-empty queue, both indexes look equally
 * cheap, and it could pick the head index and filter the agent's whole
 * queue by msg id (1 ms per ack with 10,000 queued, so draining a queue was
 * quadratic). Statements that look a message up by msg id never imply
 * `state = 'queued'`, so this partial index cannot serve them; the head
 * scans (SIF_GetMessage, push claims) all say `state = 'queued'`.
 */
export class Migration20261126ZoneQueueHeadQueued extends Migration {
  override async up(): Promise<void> {
    this.addSql(`DROP INDEX IF EXISTS zone_queue_head`);
    this.addSql(`CREATE INDEX zone_queue_head ON zone_queue (zone_id, target, id) WHERE state = 'queued'`);
  }
}

/**
 * Zone queue speed: every delivery updates its row once (a claim sets the
 * lease and counts the attempt; SIF_GetMessage counts the attempt) before
 * the ack deletes it. No index covers those columns, so with room left on
 * the row's page PostgreSQL updates it in place (a HOT update) instead of
 * writing a new version into every index of the queue. Pages filled by a
 * burst of events had no room left.
 */
export class Migration20261127ZoneQueueRoomForUpdates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE zone_queue SET (fillfactor = 50)`);
  }
}
