import { createPublicKey, type KeyObject } from 'node:crypto';
import { parseSignature, verifyParsedSignatureOffThread, type SignableRequest } from '../crypto/http-signature.js';
import type { ReplayGuard } from '../crypto/replay-guard.js';
import type { District } from './district-entity.js';
import { accept, refuse, type RouterResult } from './refusal.js';

/** A registered key and the district behind it, as the router checks calls. */
export interface KnownCaller {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  readonly district: District;
  /**
   * The caller's status answer, serialized once. It cannot go stale: any
   * change of the district evicts the entry, and an expired certificate is
   * refused before any route answers.
   */
  statusJson?: string;
}

/**
 * Keeps the registered keys in memory so that checking a signed call costs
 * one signature verification and no database round trip. Entries are dropped
 * when a district changes (see district-changes.ts) and after `ttlMs` at the
 * latest.
 */
export class CallerCache {
  private readonly entries = new Map<string, { caller: KnownCaller | null; loadedAt: number }>();
  /** Loads under way: when an entry expires under load, its many callers share one query. */
  private readonly loading = new Map<string, Promise<KnownCaller | null>>();
  /**
   * Counts invalidations. A load that began before one may have read the
   * district as it was (say, before its revocation), so its result is
   * returned to its callers but not kept.
   */
  private generation = 0;

  constructor(
    private readonly load: (keyId: string) => Promise<District | null>,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The caller registered with `keyId`, or null. */
  async get(keyId: string): Promise<KnownCaller | null> {
    const cached = this.peek(keyId);
    if (cached !== undefined) return cached;
    let pending = this.loading.get(keyId);
    if (!pending) {
      const started = this.loadCaller(keyId).finally(() => {
        if (this.loading.get(keyId) === started) this.loading.delete(keyId);
      });
      this.loading.set(keyId, (pending = started));
    }
    return pending;
  }

  private async loadCaller(keyId: string): Promise<KnownCaller | null> {
    const generation = this.generation;
    const district = await this.load(keyId);
    const caller = district ? { keyId, district, publicKey: createPublicKey(district.publicKeyPem) } : null;
    if (generation === this.generation) this.entries.set(keyId, { caller, loadedAt: this.now() });
    return caller;
  }

  /**
   * The cached caller registered with `keyId` (null: known not to be
   * registered), or undefined when the cache has to ask the database. Lets
   * the common case, a known caller, be checked without waiting on a load.
   */
  peek(keyId: string): KnownCaller | null | undefined {
    const entry = this.entries.get(keyId);
    return entry && this.now() - entry.loadedAt < this.ttlMs ? entry.caller : undefined;
  }

  /** Forgets a district's keys (`*` forgets every key). */
  invalidate(ncesId: string): void {
    this.generation++;
    this.loading.clear();
    if (ncesId === '*') {
      this.entries.clear();
      return;
    }
    for (const [keyId, entry] of this.entries) {
      if (!entry.caller || entry.caller.district.ncesId === ncesId) this.entries.delete(keyId);
    }
  }
}

/** What a route lets through: any registered key that is not revoked, or only active districts. */
export type CallerPolicy = 'registered' | 'active';

/** What authentication needs from the running router. */
export interface AuthenticationContext {
  callers: CallerCache;
  replays: ReplayGuard;
  windowSeconds: number;
  now?: () => Date;
}

/**
 * Authenticates a signed call (DESIGN §5): the signature's form, digest and
 * age, the signer's key, the signature itself, replay, then the certificate
 * and district status. Replays are checked only after the signature verifies,
 * so forged requests cannot use up nonces.
 *
 * The signature is verified on libuv's thread pool: it is the largest cost
 * of a signed call, and meanwhile the event loop parses and answers other
 * calls (the router's throughput is otherwise capped by one core's RSA
 * verifications). The signer's key comes from memory for nearly every call.
 */
export async function authenticateCaller(
  request: SignableRequest,
  body: Uint8Array | string,
  context: AuthenticationContext,
  policy: CallerPolicy,
): Promise<RouterResult<KnownCaller>> {
  const now = context.now?.() ?? new Date();
  const parsed = parseSignature(request, body, context.windowSeconds, Math.floor(now.getTime() / 1000));
  if (!parsed.ok) {
    const kind = parsed.fault === 'missing' ? 'signature-missing' : parsed.fault === 'stale' ? 'signature-stale' : 'signature-invalid';
    return refuse(kind, parsed.detail);
  }
  const { signature } = parsed;
  const caller = await registeredCaller(context.callers, signature.keyId);
  if (!caller) return refuse('unknown-key', 'the signing key is not registered with the router');
  if (!(await verifyParsedSignatureOffThread(request, signature, caller.publicKey))) {
    return refuse('signature-invalid', 'the signature does not verify with the registered key');
  }
  // A revocation or withdrawal may have landed while the signature was being verified: judge the district as it is now.
  const current = await registeredCaller(context.callers, signature.keyId);
  if (!current) return refuse('unknown-key', 'the signing key is not registered with the router');
  if (!context.replays.accept(current.keyId, signature.nonce)) {
    return refuse('replayed', 'this signed request was already received');
  }
  return checkStanding(current, policy, now);
}

/** The caller registered with `keyId`, from memory when the cache has it (nearly always). */
function registeredCaller(callers: CallerCache, keyId: string): KnownCaller | null | Promise<KnownCaller | null> {
  const cached = callers.peek(keyId);
  return cached !== undefined ? cached : callers.get(keyId);
}

function checkStanding(caller: KnownCaller, policy: CallerPolicy, now: Date): RouterResult<KnownCaller> {
  const { district } = caller;
  if (district.status === 'revoked' || district.status === 'withdrawn') {
    return refuse('certificate-revoked', district.reason ?? `the district's certificate is revoked`);
  }
  if (district.certificateNotAfter && district.certificateNotAfter <= now) {
    return refuse('certificate-expired', `the district's certificate expired at ${district.certificateNotAfter.toISOString()}`);
  }
  if (policy === 'active' && district.status !== 'active') {
    return refuse('district-inactive', `the district is not active in the exchange (registration ${district.status})`);
  }
  return accept(caller);
}
