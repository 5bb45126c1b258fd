// Target building: every object's centre cell carries its attributes, geometry and a heatmap peak; decoding inverts it.
import { describe, expect, it } from 'vitest';
import { COLOURS, sample, SHAPES, SIZES } from '../../../data/shapeworld/index';
import { cellFrameSize, HEAD_NAMES, OUTPUT_CHANNELS, PERCEPTION_CONFIG } from './config';
import { sceneBatch } from './data';
import { decodeDetections } from './decode';
import { emptyTally, summarise, tallyImage } from './evaluate';
import { headOffset } from './model';
import type { PerceptionTargets } from './targets';
import { centreCell, IGNORE } from './targets';

const config = PERCEPTION_CONFIG;
const plane = 32 * 32;

/** The head maps a perfect detector would output for image `b` of the targets (logits ±20, exact offsets). */
function perfectMaps(targets: PerceptionTargets, b: number): Float32Array {
  const maps = new Float32Array(OUTPUT_CHANNELS * plane);
  for (let cell = 0; cell < plane; cell++) {
    const i = b * plane + cell;
    maps[headOffset('heatmap') * plane + cell] = targets.centres[i] ? 20 : -20;
    for (const [name, classes] of [
      ['colour', targets.colour],
      ['shape', targets.shape],
      ['size', targets.size],
    ] as const) {
      if (classes[i] !== IGNORE) maps[(headOffset(name) + (classes[i] as number)) * plane + cell] = 20;
    }
    for (let k = 0; k < 4; k++) {
      maps[(headOffset('box') + k) * plane + cell] = targets.box[(4 * b + k) * plane + cell] as number;
      maps[(headOffset('points') + k) * plane + cell] = targets.points[(4 * b + k) * plane + cell] as number;
    }
  }
  return maps;
}

describe('perception targets', () => {
  it('puts each object at the cell of its box centre with its colour, shape and size', () => {
    const { targets, records } = sceneBatch(config, 'val', 3, 2);
    records.forEach((record, b) => {
      for (const object of record.objects) {
        const [x, y] = centreCell(object.gt.bbox, config);
        const i = b * plane + y * 32 + x;
        expect(targets.centres[i]).toBe(1);
        expect(targets.heatmap[i]).toBe(1);
        expect(COLOURS[targets.colour[i] as number]).toBe(object.colour);
        expect(SHAPES[targets.shape[i] as number]).toBe(object.shape);
        expect(SIZES[targets.size[i] as number]).toBe(object.size);
        const unit = cellFrameSize(config);
        expect((targets.box[4 * b * plane + y * 32 + x] as number) * unit + (x + 0.5) * unit).toBeCloseTo(
          object.gt.bbox[0],
          3,
        );
      }
    });
    const objects = records.reduce((n, r) => n + r.objects.length, 0);
    expect(targets.objects).toBe(objects);
    expect(targets.centres.reduce((n, v) => n + v, 0)).toBe(objects);
    expect(targets.colour.filter((c) => c !== IGNORE)).toHaveLength(objects);
  });

  it('finds the box centre cell at 840 / 32 = 26.25 px per cell', () => {
    expect(centreCell([0, 0, 51, 51], config)).toEqual([0, 0]);
    expect(centreCell([0, 0, 52, 52], config)).toEqual([1, 1]);
    expect(centreCell([800, 700, 839, 839], config)).toEqual([31, 29]);
  });

  it('decodes perfect head maps back to the exact ground truth of every object', () => {
    const { targets, records } = sceneBatch(config, 'val', 10, 4);
    const tally = emptyTally();
    records.forEach((record, b) => {
      const detections = decodeDetections(perfectMaps(targets, b), config);
      tallyImage(tally, record.objects, detections);
      for (const object of record.objects) {
        const found = detections.find((d) => d.bbox.join() === object.gt.bbox.join());
        expect(found?.points).toEqual(object.gt.points);
        expect([found?.colour, found?.shape, found?.size]).toEqual([
          object.colour,
          object.shape,
          object.size,
        ]);
      }
    });
    const metrics = summarise(tally, 1);
    expect([metrics.recall, metrics.precision, metrics.meanBoxL1, metrics.meanPointDistance]).toEqual([
      1, 1, 0, 0,
    ]);
    expect(HEAD_NAMES).toEqual(['heatmap', 'colour', 'shape', 'size', 'box', 'points']);
    expect(sample('val', 10).objects.length).toBe(records[0]?.objects.length);
  });
});
