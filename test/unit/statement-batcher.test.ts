import { describe, expect, it } from 'vitest';
import { createBatcher } from '../../src/storage/statement-batcher.js';

/** A batch runner that records its batches and finishes each one when told to. */
function recordingRunner() {
  const batches: string[][] = [];
  const finish: Array<() => void> = [];
  let running = 0;
  let mostAtOnce = 0;
  const run = (items: string[]) => {
    batches.push(items);
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    return new Promise<string[]>((resolve) =>
      finish.push(() => {
        running -= 1;
        resolve(items.map((item) => `done ${item}`));
      }),
    );
  };
  return { run, batches, finish, mostAtOnce: () => mostAtOnce };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('statement batcher', () => {
  it('sends a lone item at once and lets items that arrive meanwhile share the next batch', async () => {
    const runner = recordingRunner();
    const batcher = createBatcher(runner.run, { maxInFlight: 1 });
    const first = batcher.add('a');
    const rest = ['b', 'c', 'd'].map((item) => batcher.add(item));
    expect(runner.batches).toEqual([['a']]);
    runner.finish.shift()!();
    expect(await first).toBe('done a');
    await settle();
    expect(runner.batches).toEqual([['a'], ['b', 'c', 'd']]);
    runner.finish.shift()!();
    expect(await Promise.all(rest)).toEqual(['done b', 'done c', 'done d']);
  });

  it('runs at most maxInFlight batches of at most maxBatch items, in arrival order', async () => {
    const runner = recordingRunner();
    const batcher = createBatcher(runner.run, { maxInFlight: 2, maxBatch: 2 });
    const results = ['a', 'b', 'c', 'd', 'e', 'f'].map((item) => batcher.add(item));
    while (runner.finish.length > 0) {
      runner.finish.shift()!();
      await settle();
    }
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((item) => `done ${item}`));
    expect(runner.batches).toEqual([['a'], ['b'], ['c', 'd'], ['e', 'f']]);
    expect(runner.mostAtOnce()).toBe(2);
  });

  it('puts a second item of the same key in a later batch, keeping the others in order', async () => {
    const runner = recordingRunner();
    const batcher = createBatcher(runner.run, { maxInFlight: 1, keyOf: (item: string) => item.split('#')[0]! });
    const results = ['x#1', 'y#1', 'x#2', 'z#1', 'x#3'].map((item) => batcher.add(item));
    while (runner.finish.length > 0) {
      runner.finish.shift()!();
      await settle();
    }
    await Promise.all(results);
    expect(runner.batches).toEqual([['x#1'], ['y#1', 'x#2', 'z#1'], ['x#3']]);
  });

  it('rejects every item of a batch whose run fails, and goes on with the next batch', async () => {
    let calls = 0;
    const batcher = createBatcher(
      async (items: string[]) => {
        calls += 1;
        if (calls === 1) throw new Error('statement failed');
        return items.map((item) => `ok ${item}`);
      },
      { maxInFlight: 1 },
    );
    const failed = batcher.add('a');
    const later = batcher.add('b');
    await expect(failed).rejects.toThrow('statement failed');
    expect(await later).toBe('ok b');
  });

  it('with minBatch, lets a lone item wait up to lingerMs for company, and sends a full batch at once', async () => {
    const runner = recordingRunner();
    const batcher = createBatcher(runner.run, { maxInFlight: 1, minBatch: 3, lingerMs: 20 });
    const lone = batcher.add('a');
    await settle();
    expect(runner.batches).toEqual([]);
    const company = batcher.add('b');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(runner.batches).toEqual([['a', 'b']]);
    runner.finish.shift()!();
    expect(await Promise.all([lone, company])).toEqual(['done a', 'done b']);
    const full = ['c', 'd', 'e'].map((item) => batcher.add(item));
    expect(runner.batches).toEqual([['a', 'b'], ['c', 'd', 'e']]);
    runner.finish.shift()!();
    await Promise.all(full);
  });
});
