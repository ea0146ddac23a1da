/**
 * Remembers the nonces of accepted signatures so that a replayed request is
 * refused. A signature is accepted while `created` is within one window of
 * now, so a replay can come up to two windows after the first use: two
 * generations of sets rotate every two windows, and a nonce is remembered
 * between two and four windows.
 */
export class ReplayGuard {
  private current = new Set<string>();
  private previous = new Set<string>();
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
    const id = `${keyId} ${nonce}`;
    if (this.current.has(id) || this.previous.has(id)) return false;
    this.current.add(id);
    return true;
  }

  private rotate(): void {
    const now = this.now();
    if (now - this.rotatedAt < this.periodMs) return;
    this.previous = now - this.rotatedAt < 2 * this.periodMs ? this.current : new Set();
    this.current = new Set();
    this.rotatedAt = now;
  }
}
