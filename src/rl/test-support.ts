// Test support for the rl tests: a tiny seeded PRNG and paths into the repository (not part of the public API).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Repository root, from this file's location (src/rl/). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function readJsonFile(relativePath: string): unknown {
  return JSON.parse(readFileSync(new URL(relativePath, new URL('../../', import.meta.url)), 'utf8'));
}

/** mulberry32: deterministic, good enough to drive property tests; the same seed gives the same sequence. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}
