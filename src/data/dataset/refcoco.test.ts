// Unit tests of the RefCOCOg-840 export: rows the released reward parses, the difficulty file, 840×840 PNGs, what is left out.
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodePng } from '../png';
import type { StoredImage } from '../store';
import {
  encodeRefcocoZip,
  refcocoSolution,
  REFCOCO_ROOT,
  type RefcocoDifficulty,
  type RefcocoRecord,
} from './refcoco';
import { pngBytes, sampleOf, storedImage } from './test-support';

// The released reward's own patterns for the ground truth (verl/utils/reward_score/seg_pixelthink.py).
const GT_BOX = /<box>\((\d+),(\d+)\),\((\d+),(\d+)\)<\/box>/;
const GT_POINTS = /<points>\((\d+),(\d+)\),\((\d+),(\d+)\)<\/points>/;

describe('RefCOCOg-840 export', () => {
  it('writes the solution string the released reward parses', () => {
    const solution = refcocoSolution({
      bbox: [10, 20, 300, 400],
      points: [
        [50, 60],
        [200, 300],
      ],
    });
    expect(solution).toBe('<box>(10,20),(300,400)</box><points>(50,60),(200,300)</points>');
    expect(GT_BOX.exec(solution)?.slice(1).map(Number)).toEqual([10, 20, 300, 400]);
    expect(GT_POINTS.exec(solution)?.slice(1).map(Number)).toEqual([50, 60, 200, 300]);
  });

  it('writes metadata.jsonl rows, the difficulty list and one 840×840 PNG per sample', async () => {
    const framed = await storedImage(840, 840, 1);
    const small = await storedImage(64, 32, 2);
    const gone = await storedImage(8, 8, 3);
    const resized: string[] = [];
    const toFramePng = async (image: StoredImage) => {
      resized.push(image.id);
      return pngBytes(840, 840, 4);
    };
    const result = await encodeRefcocoZip(
      [
        sampleOf(framed, 'sw1-train-000001', {
          query: 'The red circle.',
          difficulty: 6.2,
          difficultySource: 'shapeworld',
        }),
        sampleOf(small, 'label-1', { difficulty: null, difficultySource: null }),
        sampleOf(small, 'label-2'),
        sampleOf(gone, 'label-3'),
      ],
      new Map([framed, small].map((i) => [i.id, i])),
      async (image) =>
        image.id === framed.id ? new Uint8Array(await image.blob.arrayBuffer()) : toFramePng(image),
    );
    expect(result.samples).toBe(3);
    expect(result.skipped).toEqual([{ id: 'label-3', reason: 'its image is no longer stored' }]);
    // The small image is resized once for its two samples.
    expect(resized).toEqual([small.id]);

    const files = unzipSync(result.zip);
    const rows = strFromU8(files[`${REFCOCO_ROOT}/data/train/metadata.jsonl`]!)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RefcocoRecord);
    expect(rows[0]).toEqual({
      file_name: 'sw1-train-000001.png',
      id: 'sw1-train-000001',
      problem: 'The red circle.',
      solution: '<box>(100,120),(300,400)</box><points>(150,200),(250,350)</points>',
      img_width: 840,
      img_height: 840,
    });
    expect(rows.map((r) => [r.id, r.img_width, r.img_height])).toEqual([
      ['sw1-train-000001', 840, 840],
      ['label-1', 64, 32],
      ['label-2', 64, 32],
    ]);
    const difficulty = JSON.parse(
      strFromU8(files[`${REFCOCO_ROOT}/difficulty.json`]!),
    ) as RefcocoDifficulty[];
    // No difficulty is written as 3.0, the value the released trainer assumes.
    expect(difficulty).toEqual([
      { image_id: 'sw1-train-000001', difficulty_score_model: 6.2 },
      { image_id: 'label-1', difficulty_score_model: 3 },
      { image_id: 'label-2', difficulty_score_model: 4.5 },
    ]);
    for (const row of rows) {
      const png = decodePng(files[`${REFCOCO_ROOT}/data/train/${row.file_name}`]!);
      expect([png.width, png.height]).toEqual([840, 840]);
    }
    expect(files[`${REFCOCO_ROOT}/data/train/sw1-train-000001.png`]).toEqual(
      new Uint8Array(await framed.blob.arrayBuffer()),
    );
    expect(strFromU8(files[`${REFCOCO_ROOT}/README.txt`]!)).toContain('difficulty_path');
  });

  it('uses an 840×840 PNG as it is, with no canvas', async () => {
    const framed = await storedImage(840, 840, 5);
    const result = await encodeRefcocoZip([sampleOf(framed, 'a')], new Map([[framed.id, framed]]));
    expect(unzipSync(result.zip)[`${REFCOCO_ROOT}/data/train/a.png`]).toEqual(
      new Uint8Array(await framed.blob.arrayBuffer()),
    );
  });
});
