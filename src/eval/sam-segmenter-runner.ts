// Segmenter runner over any Segment-Anything-layout model (nano-sam, SlimSAM, …) through the app's SamSegmenter.
import { SamSegmenter, type SegmenterDevice } from '../model/segmenter/sam-segmenter';
import type { SegmenterInput, SegmenterOutput, SegmenterRunner } from './types';

export interface SamRunnerOptions {
  /** Model id under the transformers.js local model path (e.g. 'nano-sam'). */
  modelId: string;
  device: SegmenterDevice;
  /** Square side ShapeWorld scenes are drawn at for this model; its processor resizes anything else. */
  renderSize: number;
}

/** Loads the model once; each image is encoded once (consecutive prompts on the same image reuse it). */
export async function createSamSegmenterRunner(options: SamRunnerOptions): Promise<SegmenterRunner> {
  const segmenter = await SamSegmenter.load(options.modelId, { device: options.device });
  let encodedImage: SegmenterInput['image'] | null = null;
  return {
    id: options.modelId,
    renderSize: options.renderSize,
    async segment(input: SegmenterInput): Promise<SegmenterOutput> {
      let encode = 0;
      if (encodedImage !== input.image) {
        encode = await segmenter.encode(input.image);
        encodedImage = input.image;
      }
      const { bbox, points } = input.prompt;
      const result = await segmenter.segment({ bbox, points });
      return { mask: result.mask, score: result.score, timingsMs: { encode, ...result.timingsMs } };
    },
    dispose: () => segmenter.dispose(),
  };
}
