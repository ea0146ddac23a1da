import type { EntityManager } from '@mikro-orm/postgresql';
import { SIF_VERSION } from '../sif/sif-message.js';
import { inTransaction } from '../storage/bound-statements.js';
import { checkZoneDefinition, type ZoneAgentDefinition, type ZoneDefinition, type ZoneRight, type ZoneRights } from './zone-definition.js';

/**
 * Zone definitions and agent rights in the node's database. The definition
 * is kept whole (jsonb) for the admin API; agents and rights are also kept
 * as rows, which the zone server reads for every message.
 */

/** The definitions of every zone, by id. */
export async function listZones(em: EntityManager): Promise<ZoneDefinition[]> {
  const rows = await em.execute<Array<{ definition: ZoneDefinition }>>('SELECT definition FROM zone ORDER BY id');
  return rows.map((r) => r.definition);
}

/**
 * Zone definitions recently read for the zone endpoint, per database (an
 * ORM's configuration: one process may hold several nodes' databases) and
 * zone id. Any change made in this process (saveZone, deleteZone) ends
 * the generation, so every cached definition is read again.
 */
const recent = new WeakMap<object, Map<string, { zone: ZoneDefinition; at: number; generation: number }>>();
let generation = 0;

/** How long the endpoint trusts a definition it read: changes made by another process (the CLI) show within this. */
const RECENT_MS = 1000;

/**
 * One zone's definition for handling a message: read once a second at most
 * per zone rather than for every message. Changes made in this process
 * (saveZone, deleteZone) are seen at once.
 */
export async function zoneForMessage(em: EntityManager, id: string): Promise<ZoneDefinition | undefined> {
  let zones = recent.get(em.config);
  if (!zones) recent.set(em.config, (zones = new Map()));
  const cached = zones.get(id);
  if (cached && cached.generation === generation && Date.now() - cached.at < RECENT_MS) return cached.zone;
  const current = generation;
  const zone = await findZone(em, id);
  if (zone) zones.set(id, { zone, at: Date.now(), generation: current });
  else zones.delete(id);
  return zone;
}

/** One zone's definition, or undefined. */
export async function findZone(em: EntityManager, id: string): Promise<ZoneDefinition | undefined> {
  const rows = await em.execute<Array<{ definition: ZoneDefinition }>>('SELECT definition FROM zone WHERE id = ?', [id]);
  return rows[0]?.definition;
}

async function saveAgent(em: EntityManager, zoneId: string, agent: Pick<ZoneAgentDefinition, 'sourceId' | 'name' | 'rights'>, kind: 'agent' | 'node' | 'template'): Promise<void> {
  await em.execute(
    `INSERT INTO zone_agent (zone_id, source_id, name, kind) VALUES (?, ?, ?, ?)
     ON CONFLICT (zone_id, source_id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind`,
    [zoneId, agent.sourceId, agent.name, kind],
  );
  await em.execute('DELETE FROM zone_agent_right WHERE zone_id = ? AND source_id = ?', [zoneId, agent.sourceId]);
  for (const [object, rights] of Object.entries(agent.rights)) {
    if (rights.length === 0) continue;
    await em.execute('INSERT INTO zone_agent_right (zone_id, source_id, object_name, rights) VALUES (?, ?, ?, ?)', [zoneId, agent.sourceId, object, `{${rights.join(',')}}`]);
  }
}

/**
 * The node's own agent is always registered (mode Internal: delivered in
 * process through onObjectForNode) and subscribed to every object it has
 * the Subscribe right on.
 */
async function registerNodeAgent(em: EntityManager, zone: ZoneDefinition): Promise<void> {
  const agent = zone.nodeAgent;
  await em.execute(
    `INSERT INTO zone_registration (zone_id, source_id, name, mode, versions, max_buffer_size)
     VALUES (?, ?, ?, 'Internal', ?, ?)
     ON CONFLICT (zone_id, source_id) DO UPDATE SET name = EXCLUDED.name, mode = 'Internal'`,
    [zone.id, agent.sourceId, agent.name, `{${SIF_VERSION}}`, zone.maxMessageBytes],
  );
  await em.execute(`DELETE FROM zone_provision WHERE zone_id = ? AND source_id = ? AND role = 'subscribe'`, [zone.id, agent.sourceId]);
  for (const [object, rights] of Object.entries(agent.rights)) {
    if (!rights.includes('Subscribe')) continue;
    await em.execute(`INSERT INTO zone_provision (zone_id, source_id, object_name, role) VALUES (?, ?, ?, 'subscribe')`, [zone.id, agent.sourceId, object]);
  }
}

/**
 * Creates or replaces a zone and its agents' rights. Agents no longer
 * listed lose their registration (and queue); agents admitted through the
 * zone's agentTemplate keep it, with the template's current rights.
 */
export async function saveZone(em: EntityManager, zone: ZoneDefinition): Promise<void> {
  generation += 1;
  await em.execute(
    `INSERT INTO zone (id, name, owner, definition) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, owner = EXCLUDED.owner, definition = EXCLUDED.definition, updated_at = now()`,
    [zone.id, zone.name, zone.owner, JSON.stringify(zone)],
  );
  const listed = [zone.nodeAgent.sourceId, ...zone.agents.map((a) => a.sourceId)];
  const templated = await em.execute<Array<{ source_id: string; name: string }>>(`SELECT source_id, name FROM zone_agent WHERE zone_id = ? AND kind = 'template'`, [zone.id]);
  const pattern = zone.agentTemplate ? new RegExp(zone.agentTemplate.sourceIdPattern) : undefined;
  const keep = [...listed, ...templated.filter((t) => pattern?.test(t.source_id)).map((t) => t.source_id)];
  await em.execute(`DELETE FROM zone_agent WHERE zone_id = ? AND NOT (source_id = ANY(?))`, [zone.id, `{${keep.join(',')}}`]);
  await em.execute(`DELETE FROM zone_registration WHERE zone_id = ? AND NOT (source_id = ANY(?))`, [zone.id, `{${keep.join(',')}}`]);
  await saveAgent(em, zone.id, zone.nodeAgent, 'node');
  for (const agent of zone.agents) await saveAgent(em, zone.id, agent, 'agent');
  for (const t of templated) {
    if (pattern?.test(t.source_id) && zone.agentTemplate) await saveAgent(em, zone.id, { sourceId: t.source_id, name: t.name, rights: zone.agentTemplate.rights }, 'template');
  }
  await registerNodeAgent(em, zone);
}

/** Deletes a zone with everything in it; false when there was none. */
export async function deleteZone(em: EntityManager, id: string): Promise<boolean> {
  generation += 1;
  const rows = await em.execute<Array<{ id: string }>>('DELETE FROM zone WHERE id = ? RETURNING id', [id]);
  await em.execute('DELETE FROM zone_queue WHERE zone_id = ?', [id]);
  return rows.length > 0;
}

/**
 * Replaces every zone of one owner with `zones` (already validated), in one
 * transaction: a failure leaves the zones as they were.
 */
export async function replaceZones(em: EntityManager, zones: ZoneDefinition[], owner: 'node' | 'router'): Promise<void> {
  await inTransaction(em, async (tx) => {
    const ids = zones.map((z) => z.id);
    const gone = await tx.execute<Array<{ id: string }>>('SELECT id FROM zone WHERE owner = ? AND NOT (id = ANY(?))', [owner, `{${ids.join(',')}}`]);
    for (const { id } of gone) await deleteZone(tx, id);
    for (const zone of zones) await saveZone(tx, zone);
  });
}

/** An agent's rights in a zone, or undefined when it is not an agent of the zone. */
export async function agentRights(em: EntityManager, zoneId: string, sourceId: string): Promise<ZoneRights | undefined> {
  // One round trip: the agent row (it may have no rights) with its rights, if any.
  const rows = await em.execute<Array<{ object_name: string | null; rights: ZoneRight[] | null }>>(
    `SELECT r.object_name, r.rights FROM zone_agent a
       LEFT JOIN zone_agent_right r ON r.zone_id = a.zone_id AND r.source_id = a.source_id
      WHERE a.zone_id = ? AND a.source_id = ? ORDER BY r.object_name`,
    [zoneId, sourceId],
  );
  if (rows.length === 0) return undefined;
  return Object.fromEntries(rows.filter((r) => r.object_name !== null).map((r) => [r.object_name!, r.rights ?? []]));
}

/** The outcome of changing an agent's rights through the admin API. */
export type RightsChange = { kind: 'ok'; zone: ZoneDefinition } | { kind: 'not-found'; detail: string } | { kind: 'invalid'; problems: string[] };

/** Sets one listed agent's rights (the definition changes too, so a reload from the database keeps them). */
export async function setAgentRights(em: EntityManager, zoneId: string, sourceId: string, rights: ZoneRights): Promise<RightsChange> {
  const zone = await findZone(em, zoneId);
  if (!zone) return { kind: 'not-found', detail: `no zone ${zoneId}` };
  const changed: ZoneDefinition = JSON.parse(JSON.stringify(zone)) as ZoneDefinition;
  const agent = changed.nodeAgent.sourceId === sourceId ? changed.nodeAgent : changed.agents.find((a) => a.sourceId === sourceId);
  if (!agent) return { kind: 'not-found', detail: `zone ${zoneId} has no agent ${sourceId}` };
  agent.rights = rights;
  const check = checkZoneDefinition(changed);
  if (check.kind === 'invalid') return check;
  await inTransaction(em, (tx) => saveZone(tx, check.zone));
  return { kind: 'ok', zone: check.zone };
}

/**
 * Admits an agent through the zone's agentTemplate (the router admits each
 * active district node to NationalRouter this way). The agent gets the
 * template's rights; its source id must match the template's pattern.
 */
export async function admitTemplateAgent(em: EntityManager, zoneId: string, sourceId: string, name: string): Promise<RightsChange> {
  const zone = await findZone(em, zoneId);
  if (!zone?.agentTemplate) return { kind: 'not-found', detail: `zone ${zoneId} has no agent template` };
  if (!new RegExp(zone.agentTemplate.sourceIdPattern).test(sourceId)) return { kind: 'invalid', problems: [`${sourceId} does not match ${zone.agentTemplate.sourceIdPattern}`] };
  await saveAgent(em, zoneId, { sourceId, name, rights: zone.agentTemplate.rights }, 'template');
  return { kind: 'ok', zone };
}

/** Removes an agent admitted through the template (a withdrawn or revoked district). */
export async function dismissTemplateAgent(em: EntityManager, zoneId: string, sourceId: string): Promise<void> {
  await em.execute(`DELETE FROM zone_registration WHERE zone_id = ? AND source_id = ?`, [zoneId, sourceId]);
  await em.execute(`DELETE FROM zone_agent WHERE zone_id = ? AND source_id = ? AND kind = 'template'`, [zoneId, sourceId]);
}
