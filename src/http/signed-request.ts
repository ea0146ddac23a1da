import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SignableRequest } from '../crypto/http-signature.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body's bytes as received, which Content-Digest covers. */
    rawBody?: Buffer;
  }
}

/**
 * Parses JSON bodies while keeping their raw bytes, because a signature's
 * Content-Digest (RFC 9530) covers the bytes, not the parsed value.
 */
export function keepRawJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      const error = new Error('the body is not valid JSON') as Error & { statusCode: number; code: string };
      error.statusCode = 400;
      error.code = 'REX_INVALID_JSON';
      done(error, undefined);
    }
  });
}

/** The parts of a Fastify request that an HTTP message signature covers. */
export function signableRequest(request: FastifyRequest): SignableRequest {
  const url = request.raw.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: request.method,
    authority: request.headers.host ?? '',
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    headers: request.headers,
  };
}
