// The entry loss: a linear probe must read, from the residual stream the pointer layer's keys come from, whether each
// object-list entry is one the chain names and whether it is the target (the query-conditioned selection
// signal on the decoder's view of the image; it needs prefix-LM attention, or no entry could know the query).
import type { Backend } from '../../webgpu/backend';
import { fromArray, zeros } from '../../webgpu/creation';
import { embedding } from '../../webgpu/ops/embedding';
import { crossEntropy } from '../../webgpu/ops/loss';
import { linear } from '../../webgpu/ops/matmul';
import { reshape } from '../../webgpu/ops/shape';
import type { Tensor } from '../../webgpu/tensor';
import { objectPhrase } from '../../data/shapeworld/index';
import { leftToRight, type PerceivedObject } from './scene-text';
import type { TokenSpan } from './tokens';

/** Training-only tensors (not part of the decoder, never exported): the probe's weight [4, dim] and bias [4]. */
export const ENTRY_PROBE_WEIGHT = 'aux.entry_probe.weight';
export const ENTRY_PROBE_BIAS = 'aux.entry_probe.bias';

/** One entry of a prompt's object list: its tokens, and what the reference chain does with it. */
export interface EntryLabel {
  span: TokenSpan;
  /** The chain names it after its inventory ("the large red star at (603, 607)" in a filter, relation or result). */
  mentioned: boolean;
  target: boolean;
}

/** The labels of each listing entry, in the list's (left-to-right) order, which `spans` follow. */
export function entryLabels(
  objects: readonly PerceivedObject[],
  target: PerceivedObject,
  response: string,
  spans: readonly TokenSpan[],
): EntryLabel[] {
  return leftToRight(objects).map((object, i) => ({
    span: spans[i] as TokenSpan,
    mentioned: response.includes(`the ${objectPhrase(object)}`),
    target: object === target,
  }));
}

/** A zero probe: at the start the loss is log 2 per label and moves nothing but the probe itself. */
export function entryProbeWeights(dim: number, backend: Backend): Map<string, Tensor> {
  return new Map([
    [ENTRY_PROBE_WEIGHT, zeros([4, dim], { backend })],
    [ENTRY_PROBE_BIAS, zeros([4], { backend })],
  ]);
}

/**
 * Mean two-class cross-entropy of the probe's "mentioned" and "target" logits over every token of every entry;
 * `hidden` is [batch, length, dim] and `labels[b]` lists row b's entries.
 */
export function entryLoss(
  hidden: Tensor,
  labels: readonly (readonly EntryLabel[])[],
  probe: { weight: Tensor; bias: Tensor },
): Tensor {
  const [batch, length, dim] = hidden.shape as [number, number, number];
  const rows: number[] = [];
  const targets: number[] = [];
  labels.forEach((entries, b) => {
    for (const { span, mentioned, target } of entries) {
      for (let t = span[0]; t < span[1]; t++) {
        rows.push(b * length + t);
        targets.push(mentioned ? 1 : 0, target ? 1 : 0);
      }
    }
  });
  const backend = hidden.backend;
  const picked = embedding(
    reshape(hidden, [batch * length, dim]),
    fromArray(rows, [rows.length], { backend, dtype: 'i32' }),
  );
  const logits = reshape(linear(picked, probe.weight, probe.bias), [rows.length * 2, 2]);
  return crossEntropy(logits, fromArray(targets, [targets.length], { backend, dtype: 'i32' }));
}
