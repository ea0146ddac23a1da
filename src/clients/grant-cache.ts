import type { AccessGrant } from './client-store.js';

/**
 * Keeps recently checked bearer tokens in memory so that an API call costs
 * no database round trip for its token. An entry is dropped when its client
 * is revoked (see client-changes.ts), after `ttlMs`, and when the token
 * expires; the cache is bounded so that a flood of made-up tokens cannot
 * grow it without limit.
 */
export class GrantCache {
  private readonly entries = new Map<string, { grant: AccessGrant | null; loadedAt: number }>();

  constructor(
    private readonly load: (token: string) => Promise<AccessGrant | null>,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The grant of a token, or null when it is unknown, revoked or expired. */
  async get(token: string): Promise<AccessGrant | null> {
    const now = this.now();
    const entry = this.entries.get(token);
    if (entry && now - entry.loadedAt < this.ttlMs) {
      if (!entry.grant || entry.grant.expiresAt.getTime() > now) return entry.grant;
      this.entries.delete(token);
      return null;
    }
    const grant = await this.load(token);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(token, { grant, loadedAt: now });
    return grant;
  }

  /** Forgets the tokens of one client (`*`: of every client). */
  invalidate(clientKey: string): void {
    if (clientKey === '*') {
      this.entries.clear();
      return;
    }
    for (const [token, entry] of this.entries) {
      if (!entry.grant || entry.grant.clientKey === clientKey) this.entries.delete(token);
    }
  }
}
