import type { MikroORM } from '@mikro-orm/postgresql';
import { signableFromUrl } from '../crypto/http-signature.js';
import { newHeader, SIF_VERSION, type SifMessage } from '../sif/sif-message.js';
import { NATIONAL_ZONE_PATH, ORIGIN_HEADERS, ROUTER_CERTIFICATE_HEADER } from './national-envelope.js';
import type { NationalHandlers } from './national-handlers.js';
import { receiveNationalMessage, type ReceivedMessage } from './national-receiver.js';
import type { NationalTrust } from './national-trust.js';
import { decodeMessage, encodeMessage, formatOfMediaType } from './zone-sif.js';

/** A running pull-mode poller. */
export interface NationalPoller {
  /** Takes every waiting message now; resolves with how many were processed. */
  poll(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Pull delivery (DESIGN §4): asks the router for the next message with
 * SIF_SystemControl/SIF_GetMessage, receives it as a pushed one would be,
 * and acknowledges it with a SIF_Ack, which deletes it at the router. A
 * message the node could not process for a passing reason is not
 * acknowledged, so the router hands it out again on a later poll.
 */
export function startNationalPoller(trust: NationalTrust, orm: MikroORM, handlers: NationalHandlers, intervalMs: number, log: (line: string) => void = () => {}): NationalPoller {
  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);
  let timer: NodeJS.Timeout | undefined;

  const pollOnce = async (): Promise<number> => {
    let processed = 0;
    while (!stopped) {
      const step = await pullOne(trust, orm, handlers);
      if (step === 'empty') break;
      if (step === 'held') {
        log('national zone: a pulled message could not be processed yet; it stays queued at the router');
        break;
      }
      processed++;
    }
    return processed;
  };
  const poll = (): Promise<number> => {
    running = running.then(pollOnce, pollOnce);
    return running;
  };
  // A failure is logged when it first happens, not on every poll while it lasts (e.g. before registration).
  let lastFailure = '';
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      poll()
        .then(() => (lastFailure = ''))
        .catch((error: unknown) => {
          const failure = `national zone: polling the router failed: ${(error as Error).message}`;
          if (failure !== lastFailure) log(failure);
          lastFailure = failure;
        })
        .finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    poll,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running.catch(() => {});
    },
  };
}

/** Pulls, processes and acknowledges one message. */
async function pullOne(trust: NationalTrust, orm: MikroORM, handlers: NationalHandlers): Promise<'empty' | 'processed' | 'held'> {
  const getMessage: SifMessage = { type: 'SIF_SystemControl', version: SIF_VERSION, header: newHeader(trust.ncesId), command: 'SIF_GetMessage' };
  const answer = await trust.router.postSigned(NATIONAL_ZONE_PATH, encodeMessage(getMessage, 'json'), 'application/json');
  if (answer.status !== 200) throw new Error(`router answered HTTP ${answer.status}`);
  const decoded = decodeMessage(answer.body, formatOfMediaType(answer.headers.get('content-type') ?? undefined) ?? 'json');
  if (decoded.kind === 'error' || decoded.message.type !== 'SIF_Ack') throw new Error('the router did not answer SIF_GetMessage with a SIF_Ack');
  const ack = decoded.message;
  if (ack.error) throw new Error(`SIF_GetMessage refused: ${ack.error.category}/${ack.error.code} ${ack.error.extendedDesc ?? ack.error.desc}`);
  if (ack.status?.code === 9 || ack.status?.data?.kind !== 'message') return 'empty';

  const url = new URL(NATIONAL_ZONE_PATH, trust.router.routerUrl);
  const headers = Object.fromEntries(answer.headers.entries());
  const routerFault = await trust.verifyRouter(signableFromUrl('POST', url, headers), answer.body, headers[ROUTER_CERTIFICATE_HEADER]);
  const received = wrappedMessage(answer.body, headers);
  const outcome = routerFault || !received
    ? undefined
    : await receiveNationalMessage(trust, orm, handlers, received);
  if (!outcome || !outcome.final) return 'held';
  const reply = encodeMessage(outcome.ack, 'json');
  const acknowledged = await trust.router.postSigned(NATIONAL_ZONE_PATH, reply, 'application/json');
  if (acknowledged.status !== 200) throw new Error(`router answered the SIF_Ack with HTTP ${acknowledged.status}`);
  return 'processed';
}

/** The wrapped message's exact bytes (from X-Rex-Origin-Body), content type and origin signature. */
function wrappedMessage(body: Buffer, headers: Record<string, string>): ReceivedMessage | undefined {
  const range = headers[ORIGIN_HEADERS.bodyRange]?.split(',');
  if (!range || range.length !== 3) return undefined;
  const [offset, length] = [Number(range[0]), Number(range[1])];
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || offset + length > body.length) return undefined;
  return {
    contentType: headers[ORIGIN_HEADERS.contentType] ?? 'application/xml',
    body: Buffer.concat([Buffer.from(range[2]!, 'base64'), body.subarray(offset, offset + length)]),
    origin: {
      signature: headers[ORIGIN_HEADERS.signature],
      signatureInput: headers[ORIGIN_HEADERS.signatureInput],
      contentDigest: headers[ORIGIN_HEADERS.contentDigest],
      authority: headers[ORIGIN_HEADERS.authority],
      certificate: headers[ORIGIN_HEADERS.certificate],
    },
  };
}
