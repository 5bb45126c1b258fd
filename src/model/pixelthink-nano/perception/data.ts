// Detector batches from ShapeWorld: consecutive scenes of a split rendered at the input size, with their targets.
import type { ShapeWorldSample, Split } from '../../../data/shapeworld/index';
import { renderScene, sample } from '../../../data/shapeworld/index';
import type { PerceptionConfig } from './config';
import { inputBatch } from './input';
import type { PerceptionTargets } from './targets';
import { addImageTargets, emptyTargets } from './targets';

export interface PerceptionBatch {
  /** [B, INPUT_CHANNELS, S, S] input planes. */
  input: Float32Array;
  targets: PerceptionTargets;
  records: ShapeWorldSample[];
}

/** Scenes `first` … `first + count − 1` of `split`: a pure function of its arguments, so resumed runs see the same data. */
export function sceneBatch(
  config: PerceptionConfig,
  split: Split,
  first: number,
  count: number,
): PerceptionBatch {
  const records = Array.from({ length: count }, (_, i) => sample(split, first + i));
  const input = inputBatch(
    records.map((record) => renderScene(record, config.inputSize)),
    config.inputSize,
  );
  const targets = emptyTargets(count, config);
  records.forEach((record, b) => addImageTargets(targets, b, record.objects, config));
  return { input, targets, records };
}
