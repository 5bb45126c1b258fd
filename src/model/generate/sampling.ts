// Picks the next token from one logits row: greedy, or temperature with optional top-k / top-p, from a seeded generator.
import type { Random } from '../../webgpu';
import { GenerationOptionError } from './errors';

export interface SamplingOptions {
  /** Softmax temperature; 0 means greedy. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (ties broken toward the lower id). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p (nucleus sampling). */
  topP?: number;
}

/** A logits row: `size` values of `logits` from `offset`. */
export interface LogitsRow {
  logits: ArrayLike<number>;
  offset: number;
  size: number;
}

export interface SampledToken {
  token: number;
  /** log-probability of the token under the distribution it was drawn from (after temperature and truncation). */
  samplingLogProb: number;
}

export function validateSampling(options: SamplingOptions): void {
  const { temperature = 1, topK, topP } = options;
  if (!(Number.isFinite(temperature) && temperature >= 0)) {
    throw new GenerationOptionError('temperature', `must be a finite number ≥ 0, got ${temperature}`);
  }
  if (topK !== undefined && !(Number.isSafeInteger(topK) && topK >= 1)) {
    throw new GenerationOptionError('topK', `must be a positive integer, got ${topK}`);
  }
  if (topP !== undefined && !(topP > 0 && topP <= 1)) {
    throw new GenerationOptionError('topP', `must be in (0, 1], got ${topP}`);
  }
}

const at = (row: LogitsRow, i: number): number => row.logits[row.offset + i] ?? -Infinity;

/** The most likely token; the lowest id among ties. */
export function argmax(row: LogitsRow): number {
  let best = 0;
  for (let i = 1; i < row.size; i++) if (at(row, i) > at(row, best)) best = i;
  return best;
}

/** log softmax(logits / temperature)[token]: GRPO's old log-probability at the rollout temperature. */
export function temperedLogProb(row: LogitsRow, token: number, temperature: number): number {
  const top = at(row, argmax(row)) / temperature;
  let partition = 0;
  for (let i = 0; i < row.size; i++) partition += Math.exp(at(row, i) / temperature - top);
  return at(row, token) / temperature - top - Math.log(partition);
}

/** More likely first; the lower id first among ties (so top-k = 1 is argmax). */
const byLikelihood =
  (row: LogitsRow) =>
  (a: number, b: number): number =>
    at(row, b) - at(row, a) || a - b;

/** The k most likely ids in order, by insertion into a short sorted list: O(V·k) instead of sorting the vocabulary. */
function topKIds(row: LogitsRow, k: number): number[] {
  const compare = byLikelihood(row);
  if (k * 8 >= row.size)
    return Array.from({ length: row.size }, (_, i) => i)
      .sort(compare)
      .slice(0, k);
  const kept: number[] = [];
  for (let i = 0; i < row.size; i++) {
    if (kept.length === k && compare(i, kept[k - 1] as number) >= 0) continue;
    let position = kept.length;
    while (position > 0 && compare(i, kept[position - 1] as number) < 0) position--;
    kept.splice(position, 0, i);
    if (kept.length > k) kept.pop();
  }
  return kept;
}

/** Shortest prefix of `ordered` (most likely first) whose tempered probability mass reaches p. */
function nucleus(row: LogitsRow, ordered: number[], topP: number, temperature: number): number[] {
  const top = at(row, ordered[0] ?? 0) / temperature;
  const weights = ordered.map((i) => Math.exp(at(row, i) / temperature - top));
  const total = weights.reduce((sum, w) => sum + w, 0);
  let cumulative = 0;
  for (let n = 0; n < ordered.length; n++) {
    cumulative += (weights[n] ?? 0) / total;
    if (cumulative >= topP) return ordered.slice(0, n + 1);
  }
  return ordered;
}

/** Candidate ids after top-k and then top-p; null = the whole vocabulary (no truncation asked for). */
function truncatedCandidates(row: LogitsRow, options: SamplingOptions, temperature: number): number[] | null {
  const topP = options.topP ?? 1;
  if (options.topK === undefined && topP >= 1) return null;
  const ordered = topKIds(row, Math.min(options.topK ?? row.size, row.size));
  return topP >= 1 ? ordered : nucleus(row, ordered, topP, temperature);
}

/** Inverse-CDF draw over `count` candidates (candidate n is id idOf(n)); returns the index n and its probability. */
function drawCandidate(
  row: LogitsRow,
  count: number,
  idOf: (n: number) => number,
  temperature: number,
  rng: Random,
): { index: number; probability: number } {
  let top = -Infinity;
  for (let n = 0; n < count; n++) top = Math.max(top, at(row, idOf(n)) / temperature);
  const weights = new Float64Array(count);
  let total = 0;
  for (let n = 0; n < count; n++) {
    weights[n] = Math.exp(at(row, idOf(n)) / temperature - top);
    total += weights[n] as number;
  }
  const target = rng.uniform() * total;
  let cumulative = 0;
  for (let n = 0; n < count; n++) {
    cumulative += weights[n] as number;
    if (target < cumulative) return { index: n, probability: (weights[n] as number) / total };
  }
  // Rounding can leave target ≥ the running sum: the last candidate with any weight takes it.
  let last = count - 1;
  while (last > 0 && weights[last] === 0) last--;
  return { index: last, probability: (weights[last] as number) / total };
}

/** Draws one token. Greedy (temperature 0) consumes no random numbers; sampling consumes exactly one. */
export function sampleToken(row: LogitsRow, options: SamplingOptions, rng: Random): SampledToken {
  const temperature = options.temperature ?? 1;
  if (temperature === 0) return { token: argmax(row), samplingLogProb: 0 };
  const candidates = truncatedCandidates(row, options, temperature);
  const count = candidates ? candidates.length : row.size;
  const idOf = candidates ? (n: number) => candidates[n] as number : (n: number) => n;
  const { index, probability } = drawCandidate(row, count, idOf, temperature, rng);
  return { token: idOf(index), samplingLogProb: Math.log(probability) };
}
