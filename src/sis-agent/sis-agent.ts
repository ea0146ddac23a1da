import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SifJsonObject } from '../sif/json-mapping.js';
import { errorAck, statusAck } from '../sif/sif-build.js';
import { decodeSif, encodeSif } from '../sif/sif-codec.js';
import type { SifError } from '../sif/sif-error.js';
import { readSifMessage } from '../sif/sif-read.js';
import { newHeader, SIF_VERSION, type SifAck, type SifEventAction, type SifMessage, type SifRequest, type SifResponse } from '../sif/sif-message.js';
import { SUBSCRIBE_OBJECT_NAMES } from '../sif/object-names.js';
import { SIS_OBJECT_NAMES } from '../sis-mapping/sis-mapping.js';
import { answerPackets } from './sis-answers.js';
import type { RosterObject, SisRoster } from './sis-roster.js';


/** The roster objects that travel as SIF_Events (SIF 2.4 gives some objects, e.g. StudentAcademicRecord, none: they are only requested). */
export function eventObjects(objects: readonly RosterObject[]): RosterObject[] {
  return objects.filter((o) => SUBSCRIBE_OBJECT_NAMES.has(o.objectName));
}

/**
 * A simulated student information system (issue 5): a SIF 2.x agent that
 * registers in a district's SIS zone (push or pull), provides and publishes
 * the objects the node maps, publishes its roster as SIF_Events, and
 * answers SIF_Requests (the node's initial sync) with SIF_Response packets
 * no larger than the requester's SIF_MaxBufferSize.
 */

/** How the agent runs. */
export interface SisAgentOptions {
  /** The zone endpoint, e.g. http://127.0.0.1:4101/zones/district-sis. */
  zoneUrl: string;
  /** SIF_SourceId (the zone file's SIS agent; default SIS-AGENT). */
  sourceId?: string;
  mode: 'push' | 'pull';
  /** Push mode: where the agent listens (default 127.0.0.1, a free port). */
  host?: string;
  port?: number;
  roster: SisRoster;
  /** Pull mode: wait between SIF_GetMessage polls when the queue is empty (default 1000 ms). */
  pollMs?: number;
  log?: (line: string) => void;
}

/** The SIF error in an ack, as an exception (the zone refused a message). */
export class SifRefused extends Error {
  override readonly name = 'SifRefused';
  constructor(readonly error: SifError, what: string) {
    super(`${what}: SIF_Error ${error.category}/${error.code} ${error.desc}${error.extendedDesc ? ` — ${error.extendedDesc}` : ''}`);
  }
}

/** A running simulated SIS. */
export class SisAgent {
  readonly sourceId: string;
  private server: Server | undefined;
  private polling = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Requests answered (for status output and tests). */
  answered = 0;

  constructor(private readonly options: SisAgentOptions) {
    this.sourceId = options.sourceId ?? 'SIS-AGENT';
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Posts one message to the zone and returns its SIF_Ack. */
  async send(message: SifMessage): Promise<SifAck> {
    const response = await fetch(this.options.zoneUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', accept: 'application/xml' },
      body: encodeSif(message, 'xml'),
    });
    const decoded = decodeSif(await response.text(), 'xml');
    if (decoded.kind !== 'ok' || decoded.message.type !== 'SIF_Ack') throw new Error(`${this.options.zoneUrl} answered HTTP ${response.status} without a SIF_Ack`);
    return decoded.message;
  }

  private async sendOk(message: SifMessage, what: string): Promise<SifAck> {
    const ack = await this.send(message);
    if (ack.error) throw new SifRefused(ack.error, what);
    return ack;
  }

  private header() {
    return newHeader(this.sourceId);
  }

  /** Registers (push: after starting its listener) and provisions; safe to repeat. */
  async connect(): Promise<void> {
    const url = this.options.mode === 'push' ? await this.listen() : undefined;
    await this.sendOk(
      {
        type: 'SIF_Register',
        version: SIF_VERSION,
        header: this.header(),
        name: 'Simulated student information system',
        versions: [SIF_VERSION],
        maxBufferSize: 1024 * 1024,
        mode: this.options.mode === 'push' ? 'Push' : 'Pull',
        ...(url ? { protocol: { type: 'HTTP', secure: false, url, properties: [] } } : {}),
        application: { vendor: 'Open Records Exchange', product: 'rex sis-agent', version: '1.0' },
      },
      'SIF_Register',
    );
    const objects = SIS_OBJECT_NAMES.map((objectName) => ({ objectName }));
    // Some objects (StudentAcademicRecord) have no SIF_Events in SIF 2.4: provided and answered, never published.
    const published = objects.filter(({ objectName }) => SUBSCRIBE_OBJECT_NAMES.has(objectName));
    await this.sendOk(
      {
        type: 'SIF_Provision',
        version: SIF_VERSION,
        header: this.header(),
        objects: { provide: objects, subscribe: [], publishAdd: published, publishChange: published, publishDelete: published, request: [], respond: objects },
      },
      'SIF_Provision',
    );
    this.log(`sis-agent ${this.sourceId} registered (${this.options.mode}) and provisioned ${objects.length} objects at ${this.options.zoneUrl}${url ? `; listening at ${url}` : ''}`);
  }

  /** Publishes one SIF_Event. */
  async publish(objectName: string, action: SifEventAction, object: SifJsonObject): Promise<SifAck> {
    return this.sendOk(
      { type: 'SIF_Event', version: SIF_VERSION, header: this.header(), objectName, action, object: { [objectName]: object } },
      `SIF_Event ${action} ${objectName}`,
    );
  }

  /**
   * Publishes objects as Add events. Objects of one type go out
   * `concurrency` at a time; types go one after the other, so an object is
   * always published after the objects it refers to.
   */
  async publishAll(objects: readonly RosterObject[], onProgress?: (done: number) => void, concurrency = 4): Promise<number> {
    let done = 0;
    for (const name of SIS_OBJECT_NAMES.filter((n) => SUBSCRIBE_OBJECT_NAMES.has(n))) {
      const batch = objects.filter((o) => o.objectName === name);
      for (let i = 0; i < batch.length && !this.stopped; i += concurrency) {
        await Promise.all(batch.slice(i, i + concurrency).map((o) => this.publish(o.objectName, 'Add', o.object)));
        done += Math.min(concurrency, batch.length - i);
        onProgress?.(done);
      }
    }
    return done;
  }

  /** Handles one message the zone delivered; returns the SIF_Ack to answer with. */
  async handle(message: SifMessage): Promise<SifAck> {
    const target = { msgId: message.header.msgId, sourceId: message.header.sourceId };
    if (message.type === 'SIF_Request') {
      // Answer after acknowledging (push: the ack goes back in the HTTP answer first).
      setImmediate(() => void this.respond(message).catch((error: unknown) => this.log(`sis-agent: answering ${message.header.msgId} failed: ${String(error)}`)));
    }
    return statusAck(this.sourceId, target, 1);
  }

  /** Sends the SIF_Response packets answering a request. */
  async respond(request: SifRequest): Promise<void> {
    const packets = answerPackets(this.options.roster, request);
    for (let i = 0; i < packets.length; i++) {
      const response: SifResponse = {
        type: 'SIF_Response',
        version: SIF_VERSION,
        header: newHeader(this.sourceId, { destinationId: request.header.sourceId }),
        requestMsgId: request.header.msgId,
        packetNumber: i + 1,
        morePackets: i < packets.length - 1,
        ...packets[i]!,
      };
      await this.sendOk(response, `SIF_Response packet ${i + 1}`);
    }
    this.answered += 1;
    this.log(`sis-agent answered SIF_Request ${request.header.msgId} (${request.query?.objectName ?? '?'}) in ${packets.length} packet(s)`);
  }

  /** Pull mode: asks for the next message until the queue is empty; returns how many were handled. */
  async pullOnce(): Promise<number> {
    let handled = 0;
    for (;;) {
      const ack = await this.sendOk({ type: 'SIF_SystemControl', version: SIF_VERSION, header: this.header(), command: 'SIF_GetMessage' }, 'SIF_GetMessage');
      const data = ack.status?.data;
      if (ack.status?.code !== 0 || data?.kind !== 'message') return handled;
      const read = readSifMessage({ SIF_Message: data.message });
      if (read.kind === 'error') throw new Error(`the zone delivered an unreadable message: ${read.error.extendedDesc ?? read.error.desc}`);
      const answer = await this.handle(read.value);
      await this.sendOk(answer, 'SIF_Ack');
      handled += 1;
    }
  }

  /** Pull mode: polls in the background until stopped. */
  startPolling(): void {
    const tick = async () => {
      if (this.stopped || this.polling) return;
      this.polling = true;
      try {
        await this.pullOnce();
      } catch (error) {
        this.log(`sis-agent: polling failed: ${String(error)}`);
      } finally {
        this.polling = false;
        if (!this.stopped) this.pollTimer = setTimeout(() => void tick(), this.options.pollMs ?? 1000);
      }
    };
    void tick();
  }

  private async listen(): Promise<string> {
    if (this.server) return this.url();
    this.server = createServer((request, reply) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        void (async () => {
          const decoded = decodeSif(Buffer.concat(chunks), 'xml');
          const ack =
            decoded.kind === 'ok'
              ? await this.handle(decoded.message)
              : errorAck(this.sourceId, decoded.original, decoded.error);
          reply.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' }).end(encodeSif(ack, 'xml'));
        })().catch(() => reply.writeHead(500).end());
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve));
    return this.url();
  }

  private url(): string {
    const address = this.server!.address() as AddressInfo;
    return `http://${this.options.host ?? '127.0.0.1'}:${address.port}/sif`;
  }

  /** Stops polling and listening. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    while (this.polling) await new Promise((r) => setTimeout(r, 20));
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

