import type { MikroORM } from '@mikro-orm/postgresql';
import type { RexConfig } from '../config/load-config.js';
import { edfiSpec } from '../edfi/edfi-spec.js';
import { prepareDocument } from '../edfi/document-identity.js';
import { isEdfiFailure } from '../edfi/edfi-problem.js';
import { upsertDocument } from '../records/document-store.js';
import type { SifJsonObject, SifJsonValue } from '../sif/json-mapping.js';
import { errorAck } from '../sif/sif-build.js';
import type { SifError } from '../sif/sif-error.js';
import type { SifEvent, SifResponse } from '../sif/sif-message.js';
import type { NodeAgentBatchHandler, NodeAgentDelivery, NodeAgentHandler, NodeAgentResult } from '../zones/node-agent.js';
import { sendAsNodeAgent } from '../zones/zone-server.js';
import { findZone } from '../zones/zone-store.js';
import { applySifObject, applySifObjects, type ApplyOutcome, type SyncContext } from './apply-sif.js';
import { addBatchOf, eventSegments, runSegment } from './event-batch.js';
import { applySifAdds } from './apply-sif-batch.js';
import { effectiveCodeSets } from './code-overrides.js';

/**
 * The node's own agent in its SIS zones (src/zones/node-agent.ts seam):
 * applies SIF_Events and the packets of SIF_Responses to the Ed-Fi store.
 * An object that cannot be applied is logged with the SIF_MsgId and the
 * reason, recorded in `sif_sync_failure`, and its event is answered with a
 * SIF_Ack carrying the category 9 SIF_Error (sent through the zone, which
 * settles the queued event with it); the other objects are unaffected.
 */

/** Where the handler reports. */
export interface SisAgentLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** What the SIS node agent needs. */
export interface SisNodeAgentOptions {
  orm: MikroORM;
  /** The node's configuration: its district is the local education agency records hang off. */
  district: { ncesId: string; name: string };
  /** The data directory (its sif-code-sets.json overrides the default code sets). */
  dataDir?: string;
  log?: SisAgentLog;
  /** How long the code sets are cached before overrides are read again (default 5 s). */
  codeSetsTtlMs?: number;
}

const SILENT: SisAgentLog = { info() {}, warn() {} };

/** The district's Ed-Fi localEducationAgencyId: its 7-digit NCES id as a number. */
export function localEducationAgencyIdOf(district: { ncesId: string }): number {
  return Number(district.ncesId);
}

/** Creates the district's own local education agency when the store has none (records hang off it). */
export async function ensureDistrict(orm: MikroORM, district: { ncesId: string; name: string }): Promise<void> {
  const spec = edfiSpec();
  const prepared = prepareDocument(spec, spec.resource('ed-fi', 'localEducationAgencies')!, {
    localEducationAgencyId: localEducationAgencyIdOf(district),
    nameOfInstitution: district.name,
    categories: [{ educationOrganizationCategoryDescriptor: 'uri://ed-fi.org/EducationOrganizationCategoryDescriptor#Local Education Agency' }],
    localEducationAgencyCategoryDescriptor: 'uri://ed-fi.org/LocalEducationAgencyCategoryDescriptor#Regular public school district',
  });
  if (isEdfiFailure(prepared)) throw new Error(`the district's local education agency is not valid: ${prepared.detail}`);
  const em = orm.em.fork();
  const found = await em.execute<unknown[]>('SELECT 1 FROM edfi_document WHERE resource = ? AND identity_hash = ?', [prepared.key, prepared.identityHash]);
  if (found.length === 0) await upsertDocument(em, prepared);
}

/** The SIS node agent for a node's configuration. */
export function sisNodeAgentFor(orm: MikroORM, config: RexConfig, log?: SisAgentLog): NodeAgentHandler {
  const district = config.node?.district;
  if (!district) return async () => {};
  return sisNodeAgent({ orm, district, dataDir: config.dataDir, ...(log ? { log } : {}) });
}

/** The SIS node agent for a node's configuration, taking many queued messages at a time. */
export function sisNodeAgentBatchFor(orm: MikroORM, config: RexConfig, log?: SisAgentLog): NodeAgentBatchHandler {
  const district = config.node?.district;
  if (!district) return async (deliveries) => deliveries.map(() => ({ kind: 'done' }));
  return sisNodeAgentBatch({ orm, district, dataDir: config.dataDir, ...(log ? { log } : {}) });
}

/** Builds the handler the zone delivery worker calls for the node agent's messages, one at a time. */
export function sisNodeAgent(options: SisNodeAgentOptions): NodeAgentHandler {
  const batch = sisNodeAgentBatch(options);
  return async (delivery) => {
    const [result] = await batch([delivery]);
    if (result?.kind === 'failed') throw new Error(result.reason);
  };
}

/**
 * Builds the batch handler: runs of consecutive events of one object type
 * are applied concurrently, one after the other per RefId (so the last one
 * wins as in sequence); SIF_Responses and changes of object type are
 * barriers. A run of Adds with distinct RefIds is applied as one batch
 * (apply-sif-batch.ts: multi-row upserts in one transaction, each object
 * still whole or not at all). After a failure nothing later in the batch is
 * attempted.
 */
export function sisNodeAgentBatch(options: SisNodeAgentOptions): NodeAgentBatchHandler {
  const { orm, log = SILENT, codeSetsTtlMs = 5000 } = options;
  const contexts = new Map<string, { context: SyncContext; at: number }>();
  let district: Promise<void> | undefined;

  const contextFor = async (zoneId: string): Promise<SyncContext> => {
    const cached = contexts.get(zoneId);
    if (cached && Date.now() - cached.at < codeSetsTtlMs) return cached.context;
    district ??= ensureDistrict(orm, options.district).catch((error: unknown) => {
      district = undefined;
      throw error;
    });
    await district;
    const context: SyncContext = {
      zoneId,
      spec: edfiSpec(),
      codes: await effectiveCodeSets(orm.em.fork(), options.dataDir),
      localEducationAgencyId: localEducationAgencyIdOf(options.district),
      ensured: cached?.context.ensured ?? new Set(),
    };
    contexts.set(zoneId, { context, at: Date.now() });
    return context;
  };

  const handleOne = async (delivery: NodeAgentDelivery): Promise<void> => {
    const { message } = delivery;
    if (message.type === 'SIF_Event') return onEvent(delivery.zoneId, message);
    if (message.type === 'SIF_Response') return onResponse(delivery.zoneId, message);
    // The node agent provides nothing in a SIS zone, so it is never asked; anything else is dropped.
  };

  return async (deliveries: NodeAgentDelivery[]): Promise<NodeAgentResult[]> => {
    const results = new Array<NodeAgentResult>(deliveries.length).fill({ kind: 'skipped' });
    for (const segment of eventSegments(deliveries)) {
      const adds = addBatchOf(segment);
      if (!(await (adds ? runAdds(segment.deliveries[adds[0]!.index]!.zoneId, adds, results) : runSegment(segment, handleOne, results)))) break;
    }
    return results;
  };

  /** A segment of Adds with distinct RefIds, applied as one batch (apply-sif-batch.ts); resolves with whether all are done. */
  async function runAdds(zoneId: string, adds: Array<{ index: number; event: SifEvent }>, results: NodeAgentResult[]): Promise<boolean> {
    const objectName = adds[0]!.event.objectName;
    const items = adds.filter(({ event }) => {
      const object = event.object[objectName];
      return typeof object === 'object' && !Array.isArray(object);
    });
    try {
      // The zone removes the delivered events with a synchronous commit after this (zone-delivery.ts), which also flushes the batch.
      const objects = items.map(({ event }) => event.object[objectName] as SifJsonObject);
      const outcomes = await applySifAdds(orm, await contextFor(zoneId), objectName, objects, { flushedLater: true });
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.kind !== 'failed') continue;
        const { event } = items[i]!;
        await recordFailure(zoneId, event.header.msgId, event.action, outcome);
        await answerWithError(zoneId, event, outcome.error);
      }
    } catch (error) {
      for (const { index } of adds) results[index] = { kind: 'failed', reason: String(error) };
      return false;
    }
    for (const { index } of adds) results[index] = { kind: 'done' };
    return true;
  }

  async function onEvent(zoneId: string, event: SifEvent): Promise<void> {
    const object = event.object[event.objectName];
    if (typeof object !== 'object' || Array.isArray(object)) return;
    const outcome = await applySifObject(orm, await contextFor(zoneId), event.objectName, event.action, object);
    if (outcome.kind === 'failed') {
      await recordFailure(zoneId, event.header.msgId, event.action, outcome);
      await answerWithError(zoneId, event, outcome.error);
    }
  }

  async function onResponse(zoneId: string, response: SifResponse): Promise<void> {
    const context = await contextFor(zoneId);
    let objects = 0;
    let failures = 0;
    for (const [objectName, value] of Object.entries(response.objectData ?? {})) {
      const items = asList(value).filter((o): o is SifJsonObject => typeof o === 'object' && !Array.isArray(o));
      for (const outcome of await applySifObjects(orm, context, objectName, 'Add', items)) {
        if (outcome.kind === 'applied') objects += 1;
        if (outcome.kind === 'failed') {
          failures += 1;
          await recordFailure(zoneId, response.header.msgId, 'Add', outcome);
        }
      }
    }
    await orm.em.fork().execute(
      `UPDATE sif_sync_request SET packets = packets + 1, objects = objects + ?, failures = failures + ?, complete = ?, error = coalesce(?, error)
        WHERE zone_id = ? AND msg_id = ?`,
      [objects, failures, !response.morePackets, response.error ? `${response.error.category}/${response.error.code} ${response.error.extendedDesc ?? response.error.desc}` : null, zoneId, response.requestMsgId],
    );
    log.info({ zoneId, requestMsgId: response.requestMsgId, packet: response.packetNumber, objects, failures }, 'SIF_Response packet loaded');
  }

  async function recordFailure(zoneId: string, msgId: string, action: string, outcome: Extract<ApplyOutcome, { kind: 'failed' }>): Promise<void> {
    const reason = outcome.error.extendedDesc ?? outcome.error.desc;
    log.warn({ zoneId, msgId, object: outcome.objectName, refId: outcome.refId, category: outcome.error.category, code: outcome.error.code, reason }, 'SIF object not applied to the Ed-Fi store');
    await orm.em.fork().execute(
      'INSERT INTO sif_sync_failure (zone_id, msg_id, object_name, ref_id, action, category, code, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [zoneId, msgId, outcome.objectName, outcome.refId ?? null, action, outcome.error.category, outcome.error.code, reason],
    );
  }

  /** Acknowledges the event with the SIF_Error, as a subscribing agent does (the zone removes the event). */
  async function answerWithError(zoneId: string, event: SifEvent, error: SifError): Promise<void> {
    const em = orm.em.fork();
    const zone = await findZone(em, zoneId);
    if (!zone) return;
    const ack = errorAck(zone.nodeAgent.sourceId, { msgId: event.header.msgId, sourceId: event.header.sourceId }, error);
    const answer = await sendAsNodeAgent(em, zone, ack);
    if (answer.ack.error) log.warn({ zoneId, msgId: event.header.msgId, error: answer.ack.error }, 'the zone refused the error SIF_Ack');
  }
}

function asList(value: SifJsonValue): SifJsonValue[] {
  return Array.isArray(value) ? value : [value];
}

