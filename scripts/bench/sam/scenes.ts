// The sam suite's workload: ShapeWorld test scenes at nano-sam's input size, each with its target's ground-truth prompt.
import { renderScene, sample, type RenderedScene } from '../../../src/data/shapeworld/index';
import { NANO_SAM_CONFIG } from '../../../src/model/nano-sam/config';
import { groundTruthPrompt } from '../../../src/model/nano-sam/data';
import type { NanoSamPrompt } from '../../../src/model/nano-sam/prompt';
import type { SegmentPrompt } from '../../../src/model/segmenter/sam-segmenter';

/** Scenes are drawn at the model's own input size, so the processor's resize is the identity for every contender. */
export const SCENE_SIZE = NANO_SAM_CONFIG.inputSize;

export interface BenchScene {
  index: number;
  image: RenderedScene;
  /** The target's box and two points, in pixels of the image (= model pixels). */
  prompt: NanoSamPrompt;
}

/** Test scenes 0 … count − 1. */
export function benchScenes(count: number): BenchScene[] {
  return Array.from({ length: count }, (_, index) => {
    const record = sample('test', index);
    return {
      index,
      image: renderScene(record, SCENE_SIZE),
      prompt: groundTruthPrompt(record.gt, SCENE_SIZE),
    };
  });
}

/** The same prompt as SamSegmenter takes it (an all-zero box means "no box"). */
export function segmentPrompt(prompt: NanoSamPrompt): SegmentPrompt {
  return { bbox: prompt.box ?? [0, 0, 0, 0], points: prompt.points ?? [] };
}
