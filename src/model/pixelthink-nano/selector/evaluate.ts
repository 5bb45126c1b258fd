// Selector accuracy on a split: the share of samples whose top-scoring object is the target, overall, per level and per kind.
import { scope } from '../../../webgpu/scope';
import type { Split } from '../../../data/shapeworld/index';
import type { PerceivedObject } from '../scene-text';
import type { SelectorConfig } from './config';
import { selectorExample } from './data';
import { selectorInputs } from './features';
import { selectorForward, type SelectorParams } from './model';
import { argmax } from '../../generate/sampling';
import type { EncodeQuery } from './train';

/** Correct / total by group: "all", each level and each query kind. */
export type SelectorAccuracy = Record<string, { correct: number; total: number }>;

/** The index of the object each scene's query means, by the selector (objects in the order given). */
export async function selectTargets(
  params: SelectorParams,
  config: SelectorConfig,
  scenes: readonly (readonly PerceivedObject[])[],
  queryIds: readonly number[][],
): Promise<number[]> {
  const scores = scope(() => selectorForward(params, config, selectorInputs(config, scenes, queryIds)));
  const values = await scores.data();
  scores.dispose();
  const N = values.length / scenes.length;
  return scenes.map((_, b) => argmax({ logits: values, offset: b * N, size: N }));
}

export async function evaluateSelector(
  params: SelectorParams,
  config: SelectorConfig,
  encode: EncodeQuery,
  options: { split: Split; first: number; count: number; batch?: number },
): Promise<SelectorAccuracy> {
  const accuracy: SelectorAccuracy = {};
  const batch = options.batch ?? 100;
  for (let start = 0; start < options.count; start += batch) {
    const n = Math.min(batch, options.count - start);
    const examples = Array.from({ length: n }, (_, i) =>
      selectorExample(options.split, options.first + start + i),
    );
    const picks = await selectTargets(
      params,
      config,
      examples.map((e) => e.objects),
      examples.map((e) => encode(e.query)),
    );
    examples.forEach((example, i) => {
      for (const group of ['all', example.level, example.kind]) {
        const tally = (accuracy[group] ??= { correct: 0, total: 0 });
        tally.total++;
        if (picks[i] === example.target) tally.correct++;
      }
    });
  }
  return accuracy;
}
