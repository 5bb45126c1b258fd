// The attention visibility mask: causal rows, and prefix-LM rows whose prompt sees itself both ways.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../../webgpu';
import { HIDDEN, visibilityMask } from './visibility';

const H = HIDDEN;

describe('visibilityMask', () => {
  it('without prompt lengths, lets each query row see the keys at or before its position', async () => {
    const mask = visibilityMask(2, 3, 6, new ReferenceBackend());
    expect(mask.shape).toEqual([1, 2, 6]);
    expect([...(await mask.data())]).toEqual([0, 0, 0, 0, H, H, 0, 0, 0, 0, 0, H]);
  });

  it("lets a row's prompt positions see its whole prompt, and later positions only what came before", async () => {
    // Rows at positions 0..4 of 5 keys; the first sequence's prompt is 3 long, the second's 1 (causal).
    const mask = visibilityMask(5, 0, 5, new ReferenceBackend(), [3, 1]);
    expect(mask.shape).toEqual([2, 5, 5]);
    const rows = [...(await mask.data())].map((x) => (x === 0 ? 1 : 0));
    expect(rows).toEqual([
      ...[1, 1, 1, 0, 0],
      ...[1, 1, 1, 0, 0],
      ...[1, 1, 1, 0, 0],
      ...[1, 1, 1, 1, 0],
      ...[1, 1, 1, 1, 1],
      // the causal row
      ...[1, 0, 0, 0, 0],
      ...[1, 1, 0, 0, 0],
      ...[1, 1, 1, 0, 0],
      ...[1, 1, 1, 1, 0],
      ...[1, 1, 1, 1, 1],
    ]);
  });

  it('places the rows of a cached call after the keys already seen', async () => {
    // Two new queries at positions 4 and 5 of 6 keys, prompt 5: position 4 sees the prompt, 5 sees everything.
    const mask = visibilityMask(2, 4, 6, new ReferenceBackend(), [5]);
    expect([...(await mask.data())].map((x) => (x === 0 ? 1 : 0))).toEqual([
      1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1,
    ]);
  });
});
