/**
 * Seeded pseudo-random numbers for the synthetic district. Everything the
 * generator draws comes from here, so the same seed always gives the same
 * district, byte for byte (Math.random and the clock are never used).
 */

/** A deterministic random source with the draws the generator needs. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with the given probability. */
  chance(probability: number): boolean;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** One element, chosen with the matching weight. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
}

/**
 * 32-bit FNV-1a over the parts' text. Used to derive independent streams
 * (one per student and purpose), so that adding a draw for one kind of record
 * does not shift every other record of the district.
 */
export function hashParts(...parts: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    const text = `${part}\u001f`;
    for (let i = 0; i < text.length; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
  }
  return hash >>> 0;
}

/**
 * mulberry32: a tiny, fast 32-bit generator with good enough statistics for
 * synthetic data (it passes gjrand's basic tests), seeded by any 32-bit value.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => pickAt(items, Math.floor(next() * items.length)),
    weighted: (items, weights) => pickAt(items, weightedIndex(weights, next())),
  };
}

/** A random stream derived from a seed and a purpose, e.g. (seed, 'attendance', 42). */
export function deriveRandom(seed: number, ...purpose: readonly (string | number)[]): Random {
  return createRandom(hashParts(seed, ...purpose));
}

/** Cumulative weights, so that weighted draws from long tables stay fast. */
export interface WeightedTable<T> {
  readonly items: readonly T[];
  readonly cumulative: readonly number[];
  readonly total: number;
}

/** Builds a weighted table once, for repeated draws with {@link drawFrom}. */
export function weightedTable<T>(items: readonly T[], weights: readonly number[]): WeightedTable<T> {
  const cumulative: number[] = [];
  let total = 0;
  for (const weight of weights) {
    total += weight;
    cumulative.push(total);
  }
  return { items, cumulative, total };
}

/** Draws from a weighted table by binary search over the cumulative weights. */
export function drawFrom<T>(random: Random, table: WeightedTable<T>): T {
  const target = random.next() * table.total;
  let low = 0;
  let high = table.cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((table.cumulative[middle] ?? 0) > target) high = middle;
    else low = middle + 1;
  }
  return pickAt(table.items, low);
}

/**
 * Zipf-like weights for a list ordered from most to least common: real name
 * frequencies fall off roughly as 1/rank.
 */
export function zipfWeights(count: number, flatten = 2): number[] {
  return Array.from({ length: count }, (_, rank) => 1 / (rank + flatten));
}

function weightedIndex(weights: readonly number[], draw: number): number {
  let total = 0;
  for (const weight of weights) total += weight;
  let target = draw * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i] ?? 0;
    if (target < 0) return i;
  }
  return weights.length - 1;
}

function pickAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`random pick from an empty list (index ${index})`);
  return item;
}
