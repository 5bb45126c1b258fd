// Ground truth of each object in the 840 frame: tight inclusive box and the two inscribed-circle points.
import { FRAME, type Box, type Point, type Shape } from './attributes';
import { inscribedPoints, maskBox } from './distance';
import { rasteriseObject } from './raster';
import type { Scene, SceneObject } from './scene';

export interface GroundTruth {
  /** Tight inclusive box of the object's 840-frame mask. */
  bbox: Box;
  /** Centres of the two largest inscribed circles, inside the mask. */
  points: [Point, Point];
  /** Number of mask pixels in the 840 frame. */
  area: number;
}

/** Ground truth of one object, computed on its 840-frame mask whatever size the image is rendered at. */
export function objectGroundTruth(object: SceneObject): GroundTruth {
  const crop = rasteriseObject(object, FRAME);
  const box = maskBox(crop.mask, crop.width, crop.height);
  const inscribed = inscribedPoints(crop.mask, crop.width, crop.height);
  if (!box || !inscribed) throw new Error(`object ${object.colour} ${object.shape} has an empty mask`);
  const toFrame = ([x, y]: [number, number]): Point => [crop.x0 + x, crop.y0 + y];
  const [x1, y1, x2, y2] = box;
  return {
    bbox: [crop.x0 + x1, crop.y0 + y1, crop.x0 + x2, crop.y0 + y2],
    points: [toFrame(inscribed.first), toFrame(inscribed.second)],
    area: crop.mask.reduce((sum, value) => sum + value, 0),
  };
}

/**
 * In the 840 frame a pixel centre is (i + ½) and object centres are integers, so moving an object by whole
 * pixels moves its mask by exactly as many pixels: ground truth depends on (shape, radius) up to a
 * translation. It is computed once per pair at a fixed position, far enough from the border.
 */
const TEMPLATE_CENTRE = 200;
const templates = new Map<string, GroundTruth>();

function template(shape: Shape, radius: number): GroundTruth {
  const key = `${shape}/${radius}`;
  let truth = templates.get(key);
  if (!truth) {
    truth = objectGroundTruth({
      shape,
      radius,
      x: TEMPLATE_CENTRE,
      y: TEMPLATE_CENTRE,
      colour: 'red',
      size: 'small',
      rgb: [0, 0, 0],
    });
    templates.set(key, truth);
  }
  return truth;
}

/** Same result as objectGroundTruth, from the per-(shape, radius) template. */
export function cachedGroundTruth(object: SceneObject): GroundTruth {
  const { bbox, points, area } = template(object.shape, object.radius);
  const dx = object.x - TEMPLATE_CENTRE;
  const dy = object.y - TEMPLATE_CENTRE;
  const move = ([x, y]: Point): Point => [x + dx, y + dy];
  return {
    bbox: [bbox[0] + dx, bbox[1] + dy, bbox[2] + dx, bbox[3] + dy],
    points: [move(points[0]), move(points[1])],
    area,
  };
}

/**
 * Ground truth of any binary mask (1 inside, row-major, width×height at the image's size): it is resampled to the
 * 840 frame (nearest pixel centre, aspect ratio not kept, as the policy sees the image) and measured there like
 * a ShapeWorld object. Null when nothing of the mask is left in the 840 frame.
 */
export function maskGroundTruth(mask: Uint8Array, width: number, height: number): GroundTruth | null {
  if (mask.length !== width * height)
    throw new RangeError(`mask has ${mask.length} values, not ${width}×${height}`);
  const framed = new Uint8Array(FRAME * FRAME);
  const columns = Array.from({ length: FRAME }, (_, x) => Math.floor(((x + 0.5) * width) / FRAME));
  for (let y = 0; y < FRAME; y++) {
    const row = Math.floor(((y + 0.5) * height) / FRAME) * width;
    for (let x = 0; x < FRAME; x++) framed[y * FRAME + x] = mask[row + (columns[x] as number)] ? 1 : 0;
  }
  const box = maskBox(framed, FRAME, FRAME);
  const inscribed = inscribedPoints(framed, FRAME, FRAME);
  if (!box || !inscribed) return null;
  return {
    bbox: box,
    points: [inscribed.first, inscribed.second],
    area: framed.reduce((sum, value) => sum + value, 0),
  };
}

/** Ground truth of every object of a scene, in the 840 frame. */
export function sceneGroundTruth(scene: Scene): GroundTruth[] {
  return scene.objects.map(cachedGroundTruth);
}
