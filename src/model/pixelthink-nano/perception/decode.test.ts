// Host decoding on hand-made head maps: peak finding with threshold and plateau ties, attributes and 840-frame geometry.
import { describe, expect, it } from 'vitest';
import type { PerceptionConfig } from './config';
import { OUTPUT_CHANNELS } from './config';
import { decodeDetections, heatmapPeaks } from './decode';
import { headOffset } from './model';

const logit = (p: number) => Math.log(p / (1 - p));

describe('heatmapPeaks', () => {
  it('keeps local maxima above the threshold and one cell of a flat top', () => {
    const grid = 5;
    const heat = new Array<number>(grid * grid).fill(logit(0.01));
    heat[6] = logit(0.9); // (1, 1): a peak
    heat[7] = logit(0.5); // (2, 1): its neighbour, not a peak
    heat[18] = logit(0.6); // (3, 3) and (4, 3): a plateau, the first wins
    heat[19] = logit(0.6);
    heat[20] = logit(0.2); // (0, 4): a local maximum under the threshold
    expect(heatmapPeaks(heat, grid, 0.3)).toEqual([6, 18]);
    expect(heatmapPeaks(heat, grid, 0.1)).toEqual([6, 18, 20]);
  });
});

describe('decodeDetections', () => {
  // 64 px input → 16×16 grid, 52.5 frame px per cell.
  const config: PerceptionConfig = {
    inputSize: 64,
    stemChannels: [4, 8],
    gridLayers: 1,
    gridChannels: 8,
    contextLayers: 1,
    contextChannels: 8,
    headChannels: 8,
  };
  const plane = 16 * 16;

  it('reads attributes by argmax and geometry from cell-unit offsets, most confident first', () => {
    const maps = new Float32Array(OUTPUT_CHANNELS * plane).fill(0);
    maps.fill(-10, 0, plane); // heatmap
    const put = (channel: number, cell: number, value: number) => (maps[channel * plane + cell] = value);
    const cell = 3 * 16 + 4; // column 4, row 3: centre (236.25, 183.75)
    put(headOffset('heatmap'), cell, logit(0.8));
    put(headOffset('heatmap'), 10 * 16 + 10, logit(0.95));
    put(headOffset('colour') + 4, cell, 5); // blue
    put(headOffset('shape') + 5, cell, 3); // ring
    put(headOffset('size') + 0, cell, 1); // small
    [-1, -1, 1, 1.5].forEach((v, k) => put(headOffset('box') + k, cell, v));
    [0, 0.2, -0.5, 0].forEach((v, k) => put(headOffset('points') + k, cell, v));
    const [first, second] = decodeDetections(maps, config);
    expect(first?.score).toBeCloseTo(0.95, 6);
    expect(second).toMatchObject({
      colour: 'blue',
      shape: 'ring',
      size: 'small',
      bbox: [184, 131, 289, 263],
      points: [
        [236, 194],
        [210, 184],
      ],
      cell: [4, 3],
    });
    expect(second?.score).toBeCloseTo(0.8, 6);
    expect(second?.attributeScores.colour).toBeCloseTo(Math.exp(5) / (Math.exp(5) + 5), 6);
  });

  it('clamps geometry to the frame and rejects maps of the wrong size', () => {
    const maps = new Float32Array(OUTPUT_CHANNELS * plane).fill(-10);
    maps[0] = 10; // a peak at cell (0, 0), offsets −10 cells
    expect(decodeDetections(maps, config)[0]?.bbox).toEqual([0, 0, 0, 0]);
    expect(() => decodeDetections(maps.subarray(1), config)).toThrow(RangeError);
  });
});
