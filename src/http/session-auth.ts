/**
 * Authentication of district console users on the node's HTTP API and the
 * tool-right check every console feature puts in front of its routes
 * (DESIGN §5: rights are enforced by the API). A user authenticates with
 * HTTP Basic (RFC 7617; each request costs one scrypt, fit for scripts) or
 * with a session bearer token (RFC 6750). Neither is a cookie, so a browser
 * never sends them on its own and cross-site request forgery has nothing to
 * ride on. Refusals are RFC 9457 problems.
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Problem } from './router-problems.js';
import { requireRight } from '../users/require-right.js';
import { verifySession } from '../users/sessions.js';
import { TOOL_RIGHTS, type ToolRight } from '../users/tool-rights.js';
import { verifyPassword, type ConsoleUser } from '../users/user-store.js';

/** What the check needs from the node. */
export interface SessionAuthDeps {
  orm: MikroORM;
}

/** The answer to a request that cannot be authenticated, as RFC 7235 §4.1 asks: every scheme accepted. */
const CHALLENGE = 'Basic realm="rex-node", charset="UTF-8", Bearer realm="rex-node"';

const users = new WeakMap<FastifyRequest, ConsoleUser>();

/** The console user a `requireToolRight` pre-handler authenticated for this request. */
export function authenticatedUser(request: FastifyRequest): ConsoleUser | undefined {
  return users.get(request);
}

/**
 * A Fastify preHandler that lets a request through only for an enabled user
 * who holds `right`: 401 `urn:rex:node:unauthenticated` without valid
 * credentials, 403 `urn:rex:node:missing-right` without the right.
 * The route reads the user with {@link authenticatedUser}.
 */
export function requireToolRight(right: ToolRight, deps: SessionAuthDeps): preHandlerAsyncHookHandler {
  return requireAnyToolRight([right], deps);
}

/**
 * Like {@link requireToolRight}, for a route any one of several rights opens
 * (e.g. a received packet: Student Records Transfer or an import sub-right).
 */
export function requireAnyToolRight(rights: readonly [ToolRight, ...ToolRight[]], deps: SessionAuthDeps): preHandlerAsyncHookHandler {
  return async function checkToolRight(request, reply) {
    const user = await authenticate(deps.orm, request.headers.authorization);
    if (typeof user === 'string') return refuse(reply, 401, 'unauthenticated', 'Authentication required', user);
    const checks = rights.map((right) => requireRight(user, right));
    if (checks.some((check) => check.kind === 'disabled')) return refuse(reply, 401, 'unauthenticated', 'Authentication required', 'the user is disabled');
    if (!checks.some((check) => check.kind === 'allowed')) {
      const named = rights.map((right) => `"${right}" (${TOOL_RIGHTS[right]})`).join(' or ');
      return refuse(reply, 403, 'missing-right', 'The user lacks the tool right', `${user.username} does not hold the tool right ${named}`);
    }
    users.set(request, user);
  };
}

/** The user the Authorization header names, or why not. */
async function authenticate(orm: MikroORM, header: string | undefined): Promise<ConsoleUser | string> {
  if (!header) return 'send HTTP Basic credentials or a session bearer token';
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space < 0 ? header.length : space).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  const em = orm.em.fork();
  if (scheme === 'bearer' && value !== '') {
    const session = await verifySession(em, value);
    return session.kind === 'ok' ? session.user : `the session token is ${session.kind === 'unknown' ? 'not known' : session.kind}`;
  }
  if (scheme === 'basic' && value !== '') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return 'malformed Basic credentials';
    const check = await verifyPassword(em, decoded.slice(0, colon), decoded.slice(colon + 1));
    return check.kind === 'ok' ? check.user : 'wrong username or password';
  }
  return 'unsupported authorization scheme: use Basic or Bearer';
}

function refuse(reply: FastifyReply, status: 401 | 403, kind: string, title: string, detail: string): FastifyReply {
  const problem: Problem = { type: `urn:rex:node:${kind}`, title, status, detail };
  if (status === 401) reply.header('www-authenticate', CHALLENGE);
  return reply.code(status).type('application/problem+json').send(problem);
}
