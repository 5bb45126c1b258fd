// The app's SamSegmenter (transformers.js SamModel on onnxruntime) as a sam suite contender, in Node or in a page.
import type { SamSegmenter } from '../../../src/model/segmenter/sam-segmenter';
import { segmentPrompt } from './scenes';
import type { SamContender } from './timing';

export function samSegmenterContender(name: string, segmenter: SamSegmenter): SamContender {
  return {
    name,
    encode: (scene) => segmenter.encode(scene.image),
    async decode(scene) {
      const result = await segmenter.segment(segmentPrompt(scene.prompt));
      return { ...result.timingsMs, scores: result.candidateScores };
    },
  };
}
