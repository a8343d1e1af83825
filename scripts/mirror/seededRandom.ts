/** The generator's randomness: a reproducible stream per (seed, a, b), and small helpers on it. */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`mirror: Expected \`seed\` to be an integer, got \`${seed}\``);
  }
}

/** An independent generator for one (seed, a, b) triple: each file has its own stream. */
export function rngFor(seed: number, a: number, b: number): RandomGenerator {
  let h = mix(seed | 0) ^ mix(Math.floor(seed / 2 ** 32));
  h = mix(h ^ mix(a));
  h = mix(h ^ mix(b));
  return xoroshiro128plus(h);
}

/** A 32-bit integer hash (the murmur3 finaliser). */
function mix(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export function pick<T>(rng: RandomGenerator, items: readonly T[]): T {
  return items[uniformInt(rng, 0, items.length - 1)]!;
}

export function shuffle<T>(rng: RandomGenerator, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r; // no -0: it would print as "0" and compare unequal in tests
}

/** The next double above x, to reproduce float noise like 105.79990000000001. */
export function nextUp(x: number): number {
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] = bits[0]! + (x >= 0 ? 1n : -1n);
  return f[0]!;
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
