import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { buildNodeApp } from '../../src/http/node-app.js';
import { zoneDeliveryFor } from '../../src/http/zone-routes.js';
import { nodeSchema } from '../../src/node/node-schema.js';
import { decodeSif } from '../../src/sif/sif-codec.js';
import type { SifAck } from '../../src/sif/sif-message.js';
import { startInitialSync, syncProgress, type SyncProgress } from '../../src/sis-sync/initial-sync.js';
import { openDatabase } from '../../src/storage/database.js';
import { createTestDatabase } from './database.js';
import { testNodeConfig } from './node-config.js';
import { eventXml, msgId, SIS_SAMPLES } from './sis-samples.js';

/**
 * A node on a fresh database with the district SIS zone, a pull-mode SIS
 * agent registered and providing `provided`, and the base SIS samples
 * applied: what the SIF → Ed-Fi integration tests start from.
 */
export interface SisSyncApp {
  readonly orm: MikroORM;
  readonly app: FastifyInstance;
  /** Posts a SIF_Message to the zone as the SIS; resolves with the zone's SIF_Ack. */
  post(xml: string): Promise<SifAck>;
  /** Publishes one event as the SIS; resolves with its SIF_MsgId once acknowledged (status 0). */
  publish(objectName: string, action: 'Add' | 'Change' | 'Delete', xml: string): Promise<string>;
  /** Lets the node's agent apply everything queued for it. */
  drain(): Promise<void>;
  /**
   * Runs an initial sync of one object type that the SIS answers with
   * `objectsXml` in one SIF_Response packet, and applies it; resolves with
   * the sync's progress (objects, failures).
   */
  initialSync(objectName: string, objectsXml: string[]): Promise<SyncProgress | undefined>;
  /** An Ed-Fi GET (query string without `?`), expected to answer 200. */
  get(resource: string, query: string): Promise<Array<Record<string, unknown>>>;
  /** The sync failures logged for a SIF_MsgId. */
  failures(id: string): Promise<Array<{ object_name: string; category: number; code: number; reason: string }>>;
  close(): Promise<void>;
}

/** The zone the SIS and the node's agent share. */
export const SIS_ZONE = 'district-sis';
const ZONE = SIS_ZONE;

/** A SIF_Header from the SIS agent. */
export function sisHeader(id = msgId()): string {
  return `<SIF_Header><SIF_MsgId>${id}</SIF_MsgId><SIF_Timestamp>2026-01-15T10:00:00Z</SIF_Timestamp><SIF_SourceId>SIS-AGENT</SIF_SourceId></SIF_Header>`;
}

/**
 * Starts the node and, unless `samples` is false, loads the base samples (see {@link SisSyncApp}).
 * With `thread`, the node agent runs in its SIS agent thread, as in a node process.
 */
export async function startSisSyncApp(provided: readonly string[], { samples = true, thread = false } = {}): Promise<SisSyncApp> {
  const url = await createTestDatabase('node');
  const orm = await openDatabase(url, nodeSchema, 10);
  const config = testNodeConfig(url, { ncesId: '0499901', name: 'Saguaro Unified', state: 'AZ' }, { edfi: { requireToken: false } });
  const app = await buildNodeApp({ config, orm, ...(thread ? { databaseUrl: url } : {}) });
  const post = async (xml: string): Promise<SifAck> => {
    const response = await app.inject({ method: 'POST', url: `/zones/${ZONE}`, headers: { 'content-type': 'application/xml' }, payload: xml });
    const decoded = decodeSif(response.body, 'xml');
    if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error(response.body);
    return decoded.message;
  };
  const envelope = (body: string) => `<SIF_Message xmlns="http://www.sifinfo.org/infrastructure/2.x" Version="2.4">${body}</SIF_Message>`;
  const register = await post(envelope(`<SIF_Register>${sisHeader()}<SIF_Name>SIS</SIF_Name><SIF_Version>2.4</SIF_Version><SIF_MaxBufferSize>1048576</SIF_MaxBufferSize><SIF_Mode>Pull</SIF_Mode></SIF_Register>`));
  expect(register.status?.code).toBe(0);
  const names = [...new Set([...SIS_SAMPLES.map(([n]) => n), ...provided])];
  const provide = await post(envelope(`<SIF_Provide>${sisHeader()}${names.map((n) => `<SIF_Object ObjectName="${n}"/>`).join('')}</SIF_Provide>`));
  expect(provide.status?.code, JSON.stringify(provide.error)).toBe(0);
  const sync: SisSyncApp = {
    orm,
    app,
    post,
    async publish(objectName, action, xml) {
      const id = msgId();
      const ack = await post(eventXml(objectName, action, xml, id));
      expect(ack.status?.code, JSON.stringify(ack.error)).toBe(0);
      return id;
    },
    async drain() {
      const worker = zoneDeliveryFor(orm)!;
      while ((await worker.drain()) > 0);
    },
    async initialSync(objectName, objectsXml) {
      const started = await startInitialSync(orm.em.fork(), ZONE, objectName);
      if (started.kind !== 'sent') throw new Error(JSON.stringify(started));
      const packet = `<SIF_Response>${sisHeader()}<SIF_RequestMsgId>${started.msgId}</SIF_RequestMsgId><SIF_PacketNumber>1</SIF_PacketNumber><SIF_MorePackets>No</SIF_MorePackets><SIF_ObjectData>${objectsXml.join('')}</SIF_ObjectData></SIF_Response>`;
      expect((await post(envelope(packet))).status?.code).toBe(0);
      await sync.drain();
      return syncProgress(orm.em.fork(), ZONE, started.msgId);
    },
    async get(resource, query) {
      const response = await app.inject({ method: 'GET', url: `/data/v3/ed-fi/${resource}?${query}` });
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as Array<Record<string, unknown>>;
    },
    failures: (id) => orm.em.fork().execute('SELECT object_name, category, code, reason FROM sif_sync_failure WHERE msg_id = ?', [id]),
    async close() {
      await app.close();
      await orm.close(true);
    },
  };
  if (!samples) return sync;
  for (const [name, xml] of SIS_SAMPLES) await sync.publish(name, 'Add', xml);
  await sync.drain();
  return sync;
}
