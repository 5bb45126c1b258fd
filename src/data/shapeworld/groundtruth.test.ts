// Checks the ground truth of a few hundred samples against the masks: not empty, tight boxes, points inside.
import { describe, expect, it } from 'vitest';
import { FRAME, type Point } from './attributes';
import { squaredDistanceTransform } from './distance';
import { maskGroundTruth, objectGroundTruth, sceneGroundTruth } from './groundtruth';
import { objectMask, rasteriseObject, renderScene, type ObjectCrop } from './raster';
import { sample } from './sample';

const SAMPLES = 300;

function at(crop: ObjectCrop, [x, y]: Point): number {
  const cx = x - crop.x0;
  const cy = y - crop.y0;
  if (cx < 0 || cy < 0 || cx >= crop.width || cy >= crop.height) return 0;
  return crop.mask[cy * crop.width + cx] ?? 0;
}

/** Area and tight box of a crop's mask in frame coordinates, by plain loops (this runs over ~50M pixels). */
function areaAndBox(crop: ObjectCrop): { area: number; box: [number, number, number, number] } {
  let [area, x1, y1, x2, y2] = [0, Infinity, Infinity, -1, -1];
  for (let y = 0; y < crop.height; y++)
    for (let x = 0; x < crop.width; x++) {
      if (!crop.mask[y * crop.width + x]) continue;
      area++;
      x1 = Math.min(x1, crop.x0 + x);
      x2 = Math.max(x2, crop.x0 + x);
      y1 = Math.min(y1, crop.y0 + y);
      y2 = Math.max(y2, crop.y0 + y);
    }
  return { area, box: [x1, y1, x2, y2] };
}

// Rasterising a few hundred scenes at 840 px takes seconds on a busy 2-core machine.
describe('ground truth', { timeout: 30_000 }, () => {
  it(`is valid for every object of ${SAMPLES} samples (840-frame masks)`, () => {
    const problems: string[] = [];
    let objects = 0;
    for (let index = 0; index < SAMPLES; index++) {
      const record = sample('train', index);
      if (JSON.stringify(record.gt.bbox) !== JSON.stringify(record.objects[record.target]?.gt.bbox))
        problems.push(`${record.id}: gt is not the target's`);
      record.objects.forEach((object, i) => {
        const crop = rasteriseObject(object, FRAME);
        const { area, box } = areaAndBox(crop);
        const where = `${record.id} object ${i}`;
        if (area === 0 || object.gt.area !== area)
          problems.push(`${where}: area ${object.gt.area} vs mask ${area}`);
        if (JSON.stringify(object.gt.bbox) !== JSON.stringify(box)) problems.push(`${where}: box not tight`);
        for (const point of object.gt.points)
          if (at(crop, point) !== 1) problems.push(`${where}: ${point} outside`);
        objects++;
      });
    }
    expect(problems).toEqual([]);
    expect(objects).toBeGreaterThan(SAMPLES * 3);
  });

  it('from templates equals direct computation on the object itself', () => {
    for (let index = 0; index < 20; index++) {
      const record = sample('val', index);
      const templated = sceneGroundTruth(record);
      record.objects.forEach((object, i) => expect(templated[i]).toEqual(objectGroundTruth(object)));
    }
  });

  it('puts the first point at a deepest pixel of the mask', () => {
    for (let index = 0; index < 30; index++) {
      const record = sample('test', index);
      const target = record.objects[record.target];
      if (!target) throw new Error('missing target');
      const crop = rasteriseObject(target, FRAME);
      const distances = squaredDistanceTransform(crop.mask, crop.width, crop.height);
      const [x, y] = record.gt.points[0];
      expect(distances[(y - crop.y0) * crop.width + (x - crop.x0)]).toBe(Math.max(...distances));
    }
  });

  it('matches the label map of a full 840 render, and masks exist at 96 px', () => {
    for (let index = 0; index < 3; index++) {
      const record = sample('test', index);
      const target = record.objects[record.target];
      if (!target) throw new Error('missing target');
      const mask = objectMask(renderScene(record, FRAME), record.target);
      const crop = rasteriseObject(target, FRAME);
      let mismatches = 0;
      let inside = 0;
      mask.forEach((value, i) => {
        if (value !== at(crop, [i % FRAME, Math.floor(i / FRAME)])) mismatches++;
        inside += value;
      });
      expect(mismatches).toBe(0);
      expect(inside).toBe(target.gt.area);
      const small = renderScene(record, 96);
      record.objects.forEach((_, i) => expect(objectMask(small, i).some((v) => v === 1)).toBe(true));
    }
  });
});

describe('maskGroundTruth', () => {
  it('gives an object the ground truth of its sample from its 840 mask, and about twice a 420 mask', () => {
    for (const index of [0, 1, 2]) {
      const record = sample('val', index);
      const full = renderScene(record, FRAME);
      const truth = maskGroundTruth(objectMask(full, record.target), FRAME, FRAME);
      expect(truth?.bbox).toEqual(record.gt.bbox);
      expect(truth?.points).toEqual(record.gt.points);
      const half = renderScene(record, FRAME / 2);
      const scaled = maskGroundTruth(objectMask(half, record.target), FRAME / 2, FRAME / 2)!;
      scaled.bbox.forEach((v, i) => expect(Math.abs(v - record.gt.bbox[i]!)).toBeLessThanOrEqual(2));
    }
  });

  it('is null for an empty mask and refuses a mask of the wrong length', () => {
    expect(maskGroundTruth(new Uint8Array(100), 10, 10)).toBeNull();
    expect(() => maskGroundTruth(new Uint8Array(99), 10, 10)).toThrow(RangeError);
  });
});
