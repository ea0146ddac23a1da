import type { FastifyInstance, FastifyReply } from 'fastify';
import { BATCH_MEDIA_TYPE, NATIONAL_DELIVERY_PATH, ORIGIN_HEADERS, ROUTER_CERTIFICATE_HEADER, type OriginSignature } from '../national/national-envelope.js';
import { originFromHeaders, receiveNationalMessage, type ReceivedMessage } from '../national/national-receiver.js';
import { NationalTrust } from '../national/national-trust.js';
import { ackWithError, encodeMessage, formatOfMediaType, sifError, SIF_MEDIA_TYPE, type SifAck } from '../national/zone-sif.js';
import type { NodeAppDeps, NodeRoutes } from './node-app.js';
import { signableRequest } from './signed-request.js';

const ORIGIN_NAMES: Record<keyof OriginSignature, string> = {
  signature: ORIGIN_HEADERS.signature,
  signatureInput: ORIGIN_HEADERS.signatureInput,
  contentDigest: ORIGIN_HEADERS.contentDigest,
  authority: ORIGIN_HEADERS.authority,
  certificate: ORIGIN_HEADERS.certificate,
};

/**
 * `POST /national/messages`: the router pushes NationalRouter zone messages
 * here (DESIGN §4–5). The router's own RFC 9421 signature is checked first,
 * then each message's sender signature end to end; each message is processed
 * exactly once and answered with a SIF_Ack. One message comes as its
 * SIF_Message body (XML or JSON) and is answered with a SIF_Ack in the same
 * form; several come as a batch (application/vnd.rex.zone-batch+json, each
 * sender's certificate once per batch) and are answered
 * `{ "acks": [SIF_Ack JSON, …] }` in order.
 */
export const nationalRoutes: NodeRoutes = async (app: FastifyInstance, deps: NodeAppDeps) => {
  let trust: NationalTrust | undefined;
  const trusted = (): NationalTrust => (trust ??= new NationalTrust(deps.config, deps.orm));
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, body);
  });

  app.post(NATIONAL_DELIVERY_PATH, async (request, reply) => {
    const body = request.rawBody ?? Buffer.alloc(0);
    const contentType = request.headers['content-type'] ?? '';
    const batch = contentType.startsWith(BATCH_MEDIA_TYPE);
    const fault = await trusted().verifyRouter(signableRequest(request), body, single(request.headers[ROUTER_CERTIFICATE_HEADER]));
    if (fault) return refuse(reply, trusted().ncesId, batch, contentType, fault);
    if (!batch) {
      const received: ReceivedMessage = { contentType, body, origin: originFromHeaders(request.headers, ORIGIN_NAMES) };
      const outcome = await receiveNationalMessage(trusted(), deps.orm, deps.nationalHandlers, received);
      const format = formatOfMediaType(contentType) ?? 'xml';
      return reply.type(SIF_MEDIA_TYPE[format]).send(encodeMessage(outcome.ack, format));
    }
    const messages = parseBatch(body);
    if (!messages) return refuse(reply, trusted().ncesId, batch, contentType, 'the batch is not { "messages": [{ contentType, body, origin }] }');
    const acks: SifAck[] = [];
    // In order, one at a time: messages for one district are processed in the order the router queued them.
    for (const received of messages) acks.push((await receiveNationalMessage(trusted(), deps.orm, deps.nationalHandlers, received)).ack);
    return reply.type('application/json; charset=utf-8').send(`{"acks":[${acks.map((a) => encodeMessage(a, 'json')).join(',')}]}`);
  });
};

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** A batch's messages; a message names its sender's certificate in the batch's `certificates` (by key id) or carries it in `origin`. */
function parseBatch(body: Buffer): ReceivedMessage[] | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {
      certificates?: Record<string, unknown>;
      messages?: Array<{ contentType?: unknown; body?: unknown; origin?: Record<string, string>; certificate?: unknown }>;
    };
    if (!Array.isArray(parsed.messages)) return undefined;
    const certificates = parsed.certificates ?? {};
    return parsed.messages.map((m) => {
      const origin = originFromHeaders(m.origin ?? {}, ORIGIN_NAMES);
      const named = typeof m.certificate === 'string' && Object.hasOwn(certificates, m.certificate) ? certificates[m.certificate] : undefined;
      if (origin.certificate === undefined && typeof named === 'string') origin.certificate = named;
      return { contentType: String(m.contentType ?? ''), body: Buffer.from(String(m.body ?? ''), 'base64'), origin };
    });
  } catch {
    return undefined;
  }
}

/** A delivery whose router signature fails is answered with a category 3 SIF_Ack, so the router retries it. */
function refuse(reply: FastifyReply, from: string, batch: boolean, contentType: string, reason: string) {
  const ack = ackWithError(from, { msgId: null, sourceId: null }, sifError(3, 7, reason));
  if (batch) return reply.code(401).type('application/json; charset=utf-8').send(`{"acks":[]}`);
  const format = formatOfMediaType(contentType) ?? 'xml';
  return reply.code(401).type(SIF_MEDIA_TYPE[format]).send(encodeMessage(ack, format));
}

