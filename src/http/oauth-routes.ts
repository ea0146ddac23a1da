/**
 * OAuth2 client credentials for the Ed-Fi API (RFC 6749 §4.4) at
 * `POST /oauth/token`, and the access hook the Ed-Fi and bulk routes use:
 * bearer tokens (RFC 6750) and each client's education-organization scope.
 * Token endpoint errors are RFC 6749 §5.2 documents; data API errors are
 * Ed-Fi problem details (src/edfi/edfi-problem.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ApiAccess } from '../clients/api-access.js';
import { issueToken } from '../clients/client-store.js';
import { readTokenRequest, type OAuthError } from '../clients/token-request.js';
import { isEdfiFailure } from '../edfi/edfi-problem.js';
import type { EdfiAccess } from './edfi-routes.js';
import type { NodeAppDeps, NodeRoutes } from './node-app.js';

/** One access layer per node database, shared by the Ed-Fi, bulk and token routes. */
const accessByOrm = new WeakMap<MikroORM, ApiAccess>();

/** The node's access layer (created on first use). */
export function apiAccessFor(deps: NodeAppDeps): ApiAccess {
  let access = accessByOrm.get(deps.orm);
  if (!access) {
    access = new ApiAccess(deps.orm, deps.config.node?.edfi?.requireToken ?? true);
    accessByOrm.set(deps.orm, access);
  }
  return access;
}

/** The access hook of the Ed-Fi routes (`edfiRoutes({ createAccess: edfiAccess })`). */
export function edfiAccess(deps: NodeAppDeps): EdfiAccess {
  const access = apiAccessFor(deps);
  return {
    async authenticate(request: FastifyRequest) {
      const caller = await access.authenticate(request.headers.authorization);
      if (isEdfiFailure(caller)) return caller;
      return caller.scope ? { scope: caller.scope, client: caller.grant?.clientKey } : {};
    },
  };
}

/** `POST /oauth/token` (form-urlencoded or JSON body; client id and secret by Basic header or in the body). */
export const oauthRoutes: NodeRoutes = async (app, deps) => {
  const access = apiAccessFor(deps);
  app.addHook('onClose', async () => {
    await access.close();
    accessByOrm.delete(deps.orm);
  });
  // Scoped to this plugin: only the token endpoint reads form bodies.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.post('/oauth/token', async (request, reply) => {
    // RFC 6749 §5.1: token responses must not be cached.
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
    const asked = readTokenRequest(request.headers.authorization, request.body);
    if (asked.kind === 'error') return sendOAuthError(reply, asked);
    const outcome = await issueToken(deps.orm.em.fork(), { key: asked.clientId, secret: asked.clientSecret });
    if (outcome.kind === 'invalid-client') {
      const basic = /^basic\s/i.test(request.headers.authorization ?? '');
      return sendOAuthError(reply, { kind: 'error', error: 'invalid_client', description: 'client authentication failed', status: 401, basic });
    }
    return { access_token: outcome.token.accessToken, token_type: 'bearer', expires_in: outcome.token.expiresIn };
  });
};

/** RFC 6749 §5.2: 400 (401 for invalid_client, with a Basic challenge when the client used Basic). */
function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  if (error.status === 401) reply.header('WWW-Authenticate', error.basic ? 'Basic realm="rex", charset="UTF-8"' : 'Bearer');
  return reply.code(error.status).type('application/json; charset=utf-8').send({ error: error.error, error_description: error.description });
}
