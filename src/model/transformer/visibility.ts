// Which keys each query may attend to: causal, or PaliGemma's prefix-LM (a row's prompt attends to itself both ways).
import { fromArray } from '../../webgpu';
import type { Backend, Tensor } from '../../webgpu';

/** A prefix-LM forward's attention: each row's prompt length and the additive mask [batch, 1, seq, keys] it makes. */
export interface PrefixVisibility {
  promptLengths: readonly number[];
  mask: Tensor;
}

/** Added to the score of a key a query may not see (finite, so a row's log-sum-exp stays finite). */
export const HIDDEN = -1e9;

/**
 * Additive mask [batch, rows, keys]: row r is the query at absolute position firstRow + r and sees key j when j is at
 * or before it, or, with `promptLengths`, when both lie inside the row's prompt (positions 0..promptLengths[b] − 1).
 * Without prompt lengths the mask is causal and its batch axis is 1 (it broadcasts).
 */
export function visibilityMask(
  rows: number,
  firstRow: number,
  keys: number,
  backend: Backend,
  promptLengths?: readonly number[],
): Tensor {
  const prompts = promptLengths ?? [0];
  const mask = new Float32Array(prompts.length * rows * keys);
  prompts.forEach((prompt, b) => {
    for (let r = 0; r < rows; r++) {
      const position = firstRow + r;
      const seen = position < prompt ? Math.max(prompt, position + 1) : position + 1;
      const row = (b * rows + r) * keys;
      mask.fill(HIDDEN, row + Math.min(keys, seen), row + keys);
    }
  });
  return fromArray(mask, [prompts.length, rows, keys], { backend });
}
