import type { MikroORM } from '@mikro-orm/postgresql';
import { edfiFailure, type EdfiFailure } from '../edfi/edfi-problem.js';
import { listenForClientChanges } from './client-changes.js';
import { findGrant, type AccessGrant } from './client-store.js';
import { GrantCache } from './grant-cache.js';
import { resolveScope, type RecordScope } from './record-scope.js';
import { bearerToken } from './token-request.js';

/** Who is calling the Ed-Fi API and what they may touch; no scope means unrestricted (tokens not required). */
export interface ApiCaller {
  readonly grant?: AccessGrant;
  readonly scope?: RecordScope;
}

/** How long an expanded scope (an LEA's schools) is reused before it is read again. */
const SCOPE_TTL_MS = 10_000;

/**
 * Access to the Ed-Fi API of one node: checks bearer tokens (RFC 6750) through
 * a cache that revocations clear at once (PostgreSQL NOTIFY), and resolves
 * each client's scope. With `requireToken` off (tests of other features
 * only) a request without a token is unrestricted; a token, when sent, is
 * still checked.
 */
export class ApiAccess {
  private readonly grants: GrantCache;
  private readonly scopes = new Map<string, { scope: RecordScope; at: number }>();
  private listening: Promise<() => Promise<void>> | undefined;
  private closed = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly requireToken: boolean,
  ) {
    this.grants = new GrantCache((token) => findGrant(orm.em.fork(), token));
  }

  /** Authenticates a request from its Authorization header. */
  async authenticate(authorization: string | undefined): Promise<ApiCaller | EdfiFailure> {
    // Waits (once) until revocations are heard, so none can slip past the cache.
    await this.listen();
    if (authorization === undefined && !this.requireToken) return {};
    const token = bearerToken(authorization);
    if (!token) {
      return edfiFailure('authentication', 'Authorization header is missing or is not a bearer token. Get a token at /oauth/token.', {
        errors: [authorization === undefined ? 'The Authorization header is missing.' : 'The Authorization header must be "Bearer <token>".'],
      });
    }
    const grant = await this.grants.get(token);
    if (!grant) return edfiFailure('authentication', 'The access token is invalid or has expired. Get a new one at /oauth/token.', { errors: ['Invalid or expired token.'] });
    return { grant, scope: await this.scopeOf(grant) };
  }

  /** Forgets cached expansions of LEAs into schools (after a school or LEA is written). */
  forgetScopes(): void {
    this.scopes.clear();
  }

  /** Stops listening for revocations. */
  async close(): Promise<void> {
    this.closed = true;
    const stop = await this.listening?.catch(() => undefined);
    await stop?.();
  }

  private async scopeOf(grant: AccessGrant): Promise<RecordScope> {
    const cached = this.scopes.get(grant.clientKey);
    if (cached && Date.now() - cached.at < SCOPE_TTL_MS) return cached.scope;
    const scope = await resolveScope(this.orm.em.fork(), grant.educationOrganizationIds);
    this.scopes.set(grant.clientKey, { scope, at: Date.now() });
    return scope;
  }

  /** Starts listening for client changes on first use, so an app that is never called opens no connection. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const url = this.orm.config.get('clientUrl');
    if (!url) return;
    this.listening ??= listenForClientChanges(url, (key) => {
      this.grants.invalidate(key);
      if (key === '*') this.scopes.clear();
      else this.scopes.delete(key);
    });
    try {
      await this.listening;
    } catch (error) {
      this.listening = undefined;
      throw error;
    }
  }
}
