import { describe, expect, it } from 'vitest';
import { restartDelayMs } from '../../src/sis-sync/agent-thread.js';

describe('the wait before a SIS agent thread is started again', () => {
  it('is a second the first time', () => {
    expect(restartDelayMs(undefined, 200)).toBe(1000);
  });

  it('doubles while threads keep failing soon after their start, up to a minute', () => {
    const waits: number[] = [];
    let wait: number | undefined;
    for (let i = 0; i < 9; i++) waits.push((wait = restartDelayMs(wait, 500)));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('is a second again after a thread that ran for a minute', () => {
    expect(restartDelayMs(32_000, 60_000)).toBe(1000);
    expect(restartDelayMs(32_000, 59_999)).toBe(60_000);
  });
});
