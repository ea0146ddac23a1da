import type { EntityManager } from '@mikro-orm/postgresql';
import type { SifError } from '../sif/sif-error.js';
import { newHeader, SIF_VERSION, type SifRequest } from '../sif/sif-message.js';
import { sendAsNodeAgent } from '../zones/zone-server.js';
import { findZone } from '../zones/zone-store.js';

/**
 * The initial sync of a SIS zone (issue 5): the node's agent asks the
 * provider for every object of a type with one SIF_Request (no
 * conditions: "all"), and the SIF_Response packets the provider sends back
 * are loaded by the node agent as they arrive (src/sis-sync/sis-node-agent.ts),
 * which counts them in `sif_sync_request`.
 */

/** The largest packet the node accepts in answer (SIF_MaxBufferSize). */
export const SYNC_MAX_BUFFER = 1024 * 1024;

/** The outcome of asking. */
export type SyncStart = { kind: 'sent'; msgId: string } | { kind: 'refused'; error: SifError } | { kind: 'no-zone' };

/** Sends the SIF_Request for every `objectName` in a zone and records it. */
export async function startInitialSync(em: EntityManager, zoneId: string, objectName: string): Promise<SyncStart> {
  const zone = await findZone(em, zoneId);
  if (!zone) return { kind: 'no-zone' };
  const request: SifRequest = {
    type: 'SIF_Request',
    version: SIF_VERSION,
    header: newHeader(zone.nodeAgent.sourceId),
    versions: [SIF_VERSION],
    maxBufferSize: Math.min(SYNC_MAX_BUFFER, zone.maxMessageBytes),
    query: { objectName, elements: [] },
  };
  await em.execute('INSERT INTO sif_sync_request (zone_id, msg_id, object_name) VALUES (?, ?, ?)', [zoneId, request.header.msgId, objectName]);
  const answer = await sendAsNodeAgent(em, zone, request);
  if (answer.ack.error) {
    await em.execute('DELETE FROM sif_sync_request WHERE zone_id = ? AND msg_id = ?', [zoneId, request.header.msgId]);
    return { kind: 'refused', error: answer.ack.error };
  }
  return { kind: 'sent', msgId: request.header.msgId };
}

/** How far an initial sync got. */
export interface SyncProgress {
  objectName: string;
  packets: number;
  objects: number;
  failures: number;
  complete: boolean;
  error: string | null;
}

/** The progress of an initial sync, or undefined for an unknown request. */
export async function syncProgress(em: EntityManager, zoneId: string, msgId: string): Promise<SyncProgress | undefined> {
  const [row] = await em.execute<Array<{ object_name: string; packets: number; objects: number; failures: number; complete: boolean; error: string | null }>>(
    'SELECT object_name, packets, objects, failures, complete, error FROM sif_sync_request WHERE zone_id = ? AND msg_id = ?',
    [zoneId, msgId],
  );
  return row ? { objectName: row.object_name, packets: row.packets, objects: row.objects, failures: row.failures, complete: row.complete, error: row.error } : undefined;
}
