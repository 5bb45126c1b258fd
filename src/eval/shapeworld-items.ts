// Turns ShapeWorld samples into evaluation items: the scene rendered at the sizes the runners ask for, and its truth.
import { MAX_RENDER_SIZE, objectMask, renderScene, sample } from '../data/shapeworld/index';
import type { Split } from '../data/shapeworld/index';
import { MODEL_FRAME_SIZE } from '../rl/index';
import { EvalOptionError } from './errors';
import type { RunnerKind } from './errors';
import { STAGES } from './timing';
import type { EvalItem } from './types';

export interface RenderSizes {
  policy: number;
  segmenter: number;
}

/** The size a runner asks for, or the 840 answer frame; checked against what the rasteriser can draw. */
export function renderSizeOf(kind: RunnerKind, runner: { id: string; renderSize?: number }): number {
  const size = runner.renderSize ?? MODEL_FRAME_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_RENDER_SIZE) {
    throw new EvalOptionError(
      `${kind} "${runner.id}".renderSize`,
      `must be an integer in 1..${MAX_RENDER_SIZE}, got ${size}`,
    );
  }
  return size;
}

/** Sample (split, index) as an item; its 'render' time covers generating the sample and drawing it. */
export function shapeWorldItem(split: Split, index: number, sizes: RenderSizes): EvalItem {
  const start = performance.now();
  const record = sample(split, index);
  const segmenterScene = renderScene(record, sizes.segmenter);
  // One render serves both runners when they want the same size, which is the usual case.
  const policyScene = sizes.policy === sizes.segmenter ? segmenterScene : renderScene(record, sizes.policy);
  const truthMask = objectMask(segmenterScene, record.target);
  return {
    id: record.id,
    query: record.query,
    level: record.level,
    difficulty: record.difficulty,
    groundTruth: record.gt,
    policyImage: policyScene,
    segmenterImage: segmenterScene,
    truthMask,
    labels: segmenterScene.labels,
    sample: record,
    timingsMs: { [STAGES.render]: performance.now() - start },
  };
}

/** Items offset .. offset + count − 1 of a split, generated lazily so a long run holds one scene at a time. */
export function* shapeWorldItems(
  split: Split,
  offset: number,
  count: number,
  sizes: RenderSizes,
): Generator<EvalItem> {
  for (let index = offset; index < offset + count; index++) yield shapeWorldItem(split, index, sizes);
}
