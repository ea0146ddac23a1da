/**
 * Remembers the nonces of accepted signatures so that a replayed request is
 * refused. A signature is accepted while `created` is within one window of
 * now, so a replay can come up to two windows after the first use: two
 * generations rotate every two windows, and a nonce is remembered between
 * two and four windows.
 *
 * At thousands of calls a second this holds millions of nonces, so each is
 * kept small: per key, one set of bare nonces, each copied out of the header
 * it was parsed from (a slice would keep the whole header alive), which
 * keeps the router's memory and garbage collection work per call low.
 */
export class ReplayGuard {
  private current = new Map<string, Set<string>>();
  private previous = new Map<string, Set<string>>();
  private rotatedAt: number;
  private readonly periodMs: number;

  constructor(
    windowSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.periodMs = 2 * windowSeconds * 1000;
    this.rotatedAt = now();
  }

  /** Records a key's nonce; returns false when it was seen before within the window. */
  accept(keyId: string, nonce: string): boolean {
    this.rotate();
    const seen = this.current.get(keyId);
    if (seen?.has(nonce) || this.previous.get(keyId)?.has(nonce)) return false;
    const own = Buffer.from(nonce, 'utf8').toString('utf8');
    if (seen) seen.add(own);
    else this.current.set(keyId, new Set([own]));
    return true;
  }

  private rotate(): void {
    const now = this.now();
    if (now - this.rotatedAt < this.periodMs) return;
    this.previous = now - this.rotatedAt < 2 * this.periodMs ? this.current : new Map();
    this.current = new Map();
    this.rotatedAt = now;
  }
}
