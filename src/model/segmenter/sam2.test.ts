// SAM2-layout exports through SamSegmenter in Node (onnxruntime-node): Sam2Model from the config, native boxes, and
// the three prompt kinds the app sends (box + two points, box only, points only), on a tiny generated export.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueEntry } from '../hub/catalogue';
import { deviceLimits } from '../hub/fit';
import { planModelLoad } from '../hub/plan';
import { diskProber, writeModelFolder } from '../hub/testing/node-folder';
import { SAM2_CANDIDATE_SCORES, tinySam2Files } from '../hub/testing/tiny-sam2';
import { configureTransformersForNode } from '../hub/transformers-node';
import { SamSegmenter } from './sam-segmenter';

function maskBox(mask: Uint8Array, width: number): [number, number, number, number] {
  let [x1, y1, x2, y2] = [Infinity, Infinity, -1, -1];
  mask.forEach((v, i) => {
    if (!v) return;
    const x = i % width;
    const y = Math.floor(i / width);
    [x1, y1, x2, y2] = [Math.min(x1, x), Math.min(y1, y), Math.max(x2, x), Math.max(y2, y)];
  });
  return [x1, y1, x2, y2];
}

const near = (got: number[], want: number[], tolerance: number) =>
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(tolerance));

describe('SAM2 layout in Node', () => {
  let root: string;
  let segmenter: SamSegmenter;
  const id = 'tiny/sam2';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sam2-'));
    writeModelFolder(root, id, tinySam2Files({ size: 64, maskSize: 32 }));
    configureTransformersForNode(root);
    const plan = await planModelLoad(catalogueEntry('sam2.1-hiera-tiny'), {
      modelId: id,
      limits: deviceLimits({ device: 'cpu' }),
      prober: diskProber(root, id),
    });
    expect(plan.dtype).toEqual({ vision_encoder: 'fp32', prompt_encoder_mask_decoder: 'fp32' });
    segmenter = await SamSegmenter.load(id, { device: 'cpu', dtype: plan.dtype });
    await segmenter.encode({ width: 160, height: 96, rgba: new Uint8ClampedArray(160 * 96 * 4).fill(90) });
  });
  afterAll(async () => {
    await segmenter?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('is loaded as a native-box model', () => {
    expect(segmenter).toMatchObject({ modelType: 'sam2', boxesNative: true, takesBoxInput: true });
  });

  it('segments box + two points, box only and points only, keeping the best-scored mask', async () => {
    const box: [number, number, number, number] = [40, 20, 119, 69];
    const points: [number, number][] = [
      [60, 40],
      [100, 50],
    ];
    const both = await segmenter.segment({ bbox: box, points });
    expect(both.candidateScores.map((s) => Number(s.toFixed(3)))).toEqual(SAM2_CANDIDATE_SCORES);
    expect(both.score).toBeCloseTo(0.95, 5);
    near(maskBox(both.mask, 160), box, 3);
    near(maskBox((await segmenter.segment({ bbox: box, points: [] })).mask, 160), box, 3);
    near(maskBox((await segmenter.segment({ bbox: [0, 0, 0, 0], points })).mask, 160), [60, 40, 100, 50], 3);
    await expect(segmenter.segment({ bbox: [0, 0, 0, 0], points: [] })).rejects.toThrow(
      /box or at least one point/,
    );
  });
});
