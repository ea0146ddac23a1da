import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { request } from 'undici';
import { signableFromUrl } from '../../crypto/http-signature.js';
import { BATCH_MEDIA_TYPE, NATIONAL_DELIVERY_PATH, ORIGIN_HEADERS, ROUTER_CERTIFICATE_HEADER } from '../../national/national-envelope.js';
import { decodeMessage, decodeMessageValue, formatOfMediaType, type SifDecoded } from '../../national/zone-sif.js';
import type { CallerCache } from '../callers.js';
import type { RouterSigner } from './router-signer.js';
import { claimPushDeliveries, deleteDeliveries, expireZoneData, retryDelivery, type DeliveryRow } from './zone-queue.js';
import { originCertificate } from './zone-service.js';

/**
 * Push delivery (DESIGN §4): the router POSTs queued messages to each
 * push-mode district's `{endpoint}/national/messages`, signed with its own
 * key (RFC 9421) and carrying the sender's signature headers, and deletes a
 * message once the node answers it with a SIF_Ack. Unanswered messages are
 * retried with backoff until they expire. When several messages wait for one
 * district they travel in one delivery (BATCH_MEDIA_TYPE) under one router
 * signature, since RSA signing is the router's costliest step.
 */
export interface PushDelivery {
  /** Asks for a delivery round soon (a message was just queued). */
  wake(): void;
  /** Runs one delivery round now; resolves with the number of messages attempted. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** Push worker settings. */
export interface PushOptions {
  orm: MikroORM;
  signer: RouterSigner;
  callers: CallerCache;
  /** How long undelivered messages' metadata is kept (seconds). */
  retentionSeconds: number;
  pollMs?: number;
  batch?: number;
  leaseMs?: number;
  timeoutMs?: number;
  /** Delivery rounds that may run at once. */
  parallel?: number;
  /** Called after a round that found fewer due messages than a full batch: the queue has been worked through. */
  onCaughtUp?: (em: EntityManager) => Promise<void>;
}

const BASE_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;
const EXPIRY_EVERY_MS = 60_000;
/** A node answers a delivery within this time or the delivery is retried. */
const DEFAULT_TIMEOUT_MS = 5_000;

/** Starts the push worker: on wake-ups, and every `pollMs` for retries. */
export function startPushDelivery(options: PushOptions): PushDelivery {
  const { pollMs = 1_000, parallel = 2 } = options;
  let stopped = false;
  let running = 0;
  let again = false;
  let lastExpiry = 0;
  const inFlight = new Set<Promise<number>>();
  // One context for every round: the worker runs autocommit statements only (no entities, no identity map).
  const em = options.orm.em.fork();

  const round = (): Promise<number> => {
    running++;
    const work = deliverRound(options, em)
      .catch(() => 0)
      .finally(() => {
        running--;
        inFlight.delete(work);
        if (again && !stopped) {
          again = false;
          wake();
        }
      });
    inFlight.add(work);
    return work;
  };
  const wake = (): void => {
    if (stopped) return;
    if (running >= parallel) {
      again = true;
      return;
    }
    void round().then((n) => {
      // A full round means more may be waiting.
      if (n >= (options.batch ?? 64) && !stopped) wake();
    });
  };
  const timer = setInterval(() => {
    if (stopped) return;
    wake();
    if (Date.now() - lastExpiry > EXPIRY_EVERY_MS) {
      lastExpiry = Date.now();
      void expireZoneData(em, options.retentionSeconds).catch(() => {});
    }
  }, pollMs);
  timer.unref();
  return {
    wake,
    drain: round,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}

async function deliverRound(options: PushOptions, em: EntityManager): Promise<number> {
  // The lease outlasts the request's timeout, so a claim ends only after its delivery attempt has.
  const due = await claimPushDeliveries(em, options.batch ?? 64, options.leaseMs ?? (options.timeoutMs ?? DEFAULT_TIMEOUT_MS) + 1_000);
  const byDestination = new Map<string, DeliveryRow[]>();
  for (const row of due) byDestination.set(row.destinationId, [...(byDestination.get(row.destinationId) ?? []), row]);
  await Promise.all([...byDestination.values()].map((rows) => deliverTo(options, em, rows)));
  if (due.length < (options.batch ?? 64)) await options.onCaughtUp?.(em);
  return due.length;
}

/** What the node said about one message. */
type Verdict = 'done' | 'retry';

/** The node's verdict on one message; `seenBefore` when it acknowledged a SIF_MsgId it already had (status 7). */
export interface NodeVerdict {
  verdict: Verdict;
  error?: string;
  seenBefore?: boolean;
}

async function deliverTo(options: PushOptions, em: EntityManager, rows: DeliveryRow[]): Promise<void> {
  const verdicts = await postDeliveries(options, rows);
  await deleteDeliveries(em, rows.filter((_, i) => verdicts[i]?.verdict === 'done').map((r) => r.seq));
  await Promise.all(
    rows.map((row, i) => {
      const v = verdicts[i];
      return v?.verdict === 'done' ? undefined : retryDelivery(em, row.seq, backoffMs(row.attempts), v?.error ?? 'no SIF_Ack for this message');
    }),
  );
}

/** Exponential backoff from 1 s, doubling to 5 minutes, ±20% jitter. */
function backoffMs(attempts: number): number {
  return Math.round(Math.min(MAX_RETRY_MS, BASE_RETRY_MS * 2 ** Math.max(0, attempts - 1)) * (0.8 + 0.4 * Math.random()));
}

/**
 * A batch's bodies stay under this many bytes (before base64), so that a
 * delivery fits a node's body limit (`http.bodyLimit`, 10 MiB by default)
 * whatever the messages' sizes; a larger message travels alone.
 */
const BATCH_BODY_BYTES = 4 * 1024 * 1024;

/**
 * POSTs messages for one district to its node, in deliveries of at most
 * BATCH_BODY_BYTES (one message as itself, more as one batch), each under one
 * router signature; resolves with the node's verdict on each, in order. A
 * delivery that fails gets 'retry' for its messages only.
 */
export async function postDeliveries(options: Pick<PushOptions, 'signer' | 'callers' | 'timeoutMs'>, rows: DeliveryRow[]): Promise<NodeVerdict[]> {
  const verdicts: NodeVerdict[] = [];
  for (const part of splitBySize(rows, BATCH_BODY_BYTES)) {
    const answered = await postDelivery(options, part).catch((error: unknown) => part.map(() => ({ verdict: 'retry' as const, error: `delivery failed: ${(error as Error).message}` })));
    verdicts.push(...answered);
  }
  return verdicts;
}

/** Consecutive runs of rows whose bodies add up to at most `maxBytes` (a larger body makes a run of its own). */
export function splitBySize(rows: DeliveryRow[], maxBytes: number): DeliveryRow[][] {
  const parts: DeliveryRow[][] = [];
  let bytes = 0;
  for (const row of rows) {
    const last = parts.at(-1);
    if (last && bytes + row.body.length <= maxBytes) {
      last.push(row);
      bytes += row.body.length;
    } else {
      parts.push([row]);
      bytes = row.body.length;
    }
  }
  return parts;
}

async function postDelivery(options: Pick<PushOptions, 'signer' | 'callers' | 'timeoutMs'>, rows: DeliveryRow[]): Promise<NodeVerdict[]> {
  const endpoint = rows[0]!.endpoint!;
  const url = new URL(NATIONAL_DELIVERY_PATH.slice(1), endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  const single = rows.length === 1;
  const { contentType, body, headers } = single ? await singleDelivery(options, rows[0]!) : await batchDelivery(options, rows);
  const signed = await options.signer.signOffThread(signableFromUrl('POST', url, { 'content-type': contentType }), body);
  // undici's request API: a node gets many deliveries a second, and fetch's WHATWG streams cost several times more per call.
  // The signal bounds the whole exchange, connecting included (undici's own connect timeout is 10 s).
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...headers, ...signed, [ROUTER_CERTIFICATE_HEADER]: options.signer.certificateHeader },
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode > 299) return rows.map(() => ({ verdict: 'retry', error: `HTTP ${response.statusCode}: ${text.slice(0, 300)}` }));
  if (single) {
    const answerType = response.headers['content-type'];
    const format = formatOfMediaType(typeof answerType === 'string' ? answerType : undefined) ?? 'xml';
    return [verdictOf(decodeMessage(text, format), text)];
  }
  const acks = (JSON.parse(text) as { acks?: unknown[] }).acks ?? [];
  return rows.map((_, i) => (acks[i] === undefined ? { verdict: 'retry', error: 'no SIF_Ack for this message' } : verdictOf(decodeMessageValue(acks[i]), acks[i])));
}

/**
 * A SIF_Ack with a status, or with an error the node will not change its
 * mind about, ends delivery; errors of authentication (category 3: the node
 * could not verify yet) and of the system (11) are retried.
 */
function verdictOf(decoded: SifDecoded, answer: unknown): NodeVerdict {
  if (decoded.kind === 'error' || decoded.message.type !== 'SIF_Ack') {
    return { verdict: 'retry', error: `the node's answer is not a SIF_Ack: ${(typeof answer === 'string' ? answer : JSON.stringify(answer)).slice(0, 300)}` };
  }
  const ack = decoded.message;
  if (!ack.error) return ack.status?.code === 7 ? { verdict: 'done', seenBefore: true } : { verdict: 'done' };
  const error = `SIF_Error ${ack.error.category}/${ack.error.code}: ${ack.error.desc} ${ack.error.extendedDesc ?? ''}`.trim();
  return ack.error.category === 3 || ack.error.category === 11 ? { verdict: 'retry', error } : { verdict: 'done', error };
}

/** The sender's signature headers of a queued message. */
function signatureHeaders(row: DeliveryRow): Record<string, string> {
  return {
    [ORIGIN_HEADERS.signature]: row.origin.signature,
    [ORIGIN_HEADERS.signatureInput]: row.origin.signatureInput,
    [ORIGIN_HEADERS.contentDigest]: row.origin.contentDigest,
    [ORIGIN_HEADERS.authority]: row.origin.authority,
  };
}

async function singleDelivery(options: Pick<PushOptions, 'callers'>, row: DeliveryRow) {
  const certificate = await originCertificate(options.callers, row.originKeyId);
  const headers = { ...signatureHeaders(row), ...(certificate ? { [ORIGIN_HEADERS.certificate]: certificate } : {}) };
  return { contentType: row.contentType, body: row.body, headers };
}

/**
 * A batch: each message's bytes (base64), content type and sender signature
 * headers, naming its sender's certificate, which travels once per batch in
 * `certificates` (by key id); the node answers `{ "acks": [SIF_Ack JSON, …] }` in order.
 */
async function batchDelivery(options: Pick<PushOptions, 'callers'>, rows: DeliveryRow[]) {
  const certificates: Record<string, string> = {};
  const messages: Array<{ contentType: string; body: string; origin: Record<string, string>; certificate?: string }> = [];
  for (const row of rows) {
    certificates[row.originKeyId] ??= (await originCertificate(options.callers, row.originKeyId)) ?? '';
    const named = certificates[row.originKeyId] ? { certificate: row.originKeyId } : {};
    messages.push({ contentType: row.contentType, body: row.body.toString('base64'), origin: signatureHeaders(row), ...named });
  }
  return { contentType: BATCH_MEDIA_TYPE, body: JSON.stringify({ certificates, messages }), headers: {} };
}
