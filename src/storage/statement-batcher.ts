/**
 * Natural batching (group commit in the application): callers add items and
 * wait; whenever fewer than `maxInFlight` batches are running, everything
 * waiting (up to `maxBatch` items) goes out as one batch. A lone item goes
 * at once (unless `minBatch` lets it wait for company), so batching adds no
 * latency; under load, items that arrive while a batch runs share the next
 * one — one statement and one commit for many HTTP requests. Each caller
 * gets its own item's result, or the batch's error.
 */
export interface Batcher<I, R> {
  add(item: I): Promise<R>;
}

/** Options of a batcher. */
export interface BatcherOptions<I> {
  maxBatch?: number;
  maxInFlight?: number;
  /**
   * Items that must not share a batch (e.g. one msg id twice): a second item
   * with the key of one already in the batch waits for a later batch.
   */
  keyOf?: (item: I) => string;
  /**
   * With fewer than `minBatch` items waiting, a batch waits up to `lingerMs`
   * for more: for work whose fixed cost per batch dwarfs its cost per item.
   */
  minBatch?: number;
  lingerMs?: number;
}

/** Creates a batcher running `run` on batches; `run` answers one result per item, in order. */
export function createBatcher<I, R>(run: (items: I[]) => Promise<R[]>, options: BatcherOptions<I> = {}): Batcher<I, R> {
  const { maxBatch = 200, maxInFlight = 2, keyOf, minBatch = 1, lingerMs = 0 } = options;
  let lingering: NodeJS.Timeout | undefined;
  let waiting: Array<{ item: I; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let inFlight = 0;

  // One pass over what waits: the batch, and the rest in its order (a second item of a key waits for a later batch).
  const take = () => {
    if (!keyOf) return waiting.splice(0, maxBatch);
    const keys = new Set<string>();
    const batch: typeof waiting = [];
    const rest: typeof waiting = [];
    for (const entry of waiting) {
      const key = keyOf(entry.item);
      if (batch.length < maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(entry);
      } else {
        rest.push(entry);
      }
    }
    waiting = rest;
    return batch;
  };

  const pump = (lingered = false) => {
    if (!lingered && waiting.length > 0 && waiting.length < minBatch && inFlight < maxInFlight) {
      lingering ??= setTimeout(() => {
        lingering = undefined;
        pump(true);
      }, lingerMs);
      return;
    }
    if (lingering) {
      clearTimeout(lingering);
      lingering = undefined;
    }
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = take();
      inFlight += 1;
      run(batch.map((w) => w.item)).then(
        (results) => batch.forEach((w, i) => w.resolve(results[i]!)),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      ).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  };

  return {
    add(item) {
      return new Promise<R>((resolve, reject) => {
        waiting.push({ item, resolve, reject });
        pump();
      });
    },
  };
}
