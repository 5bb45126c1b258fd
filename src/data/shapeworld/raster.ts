// Rasteriser: draws a scene into RGBA pixels and an object-label map at any square size, bit-identically everywhere.
import { FRAME } from './attributes';
import type { Background, Scene, SceneObject } from './scene';
import { rowSpans } from './scanline';
import { outline } from './shapes';

export const MAX_RENDER_SIZE = 4096;

/** The pixels of one object at a render size: a binary crop placed at (x0, y0). */
export interface ObjectCrop {
  x0: number;
  y0: number;
  width: number;
  height: number;
  /** 1 where the object covers the pixel centre, row-major over the crop. */
  mask: Uint8Array;
}

export interface RenderedScene {
  width: number;
  height: number;
  /** Row-major RGBA, alpha always 255. */
  rgba: Uint8ClampedArray;
  /** 0 for background, i + 1 where object i covers the pixel. */
  labels: Uint8Array;
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 1 || size > MAX_RENDER_SIZE)
    throw new RangeError(`render size must be an integer in 1..${MAX_RENDER_SIZE}, got ${size}`);
}

/**
 * Pixel p of a render of `size` samples the frame at its centre, (p + ½)·840/size. In units of
 * 1/(2·size) frame px that is the integer (2p + 1)·840, and every frame length is multiplied by 2·size.
 */
function sampleCoordinate(pixel: number): number {
  return (2 * pixel + 1) * FRAME;
}

/** The frame pixel (0..839) that pixel p of a render of `size` falls in; textures are defined on it. */
function framePixel(pixel: number, size: number): number {
  return Math.floor(((2 * pixel + 1) * FRAME) / (2 * size));
}

/** Render pixels whose centre may fall in the frame interval [low, high] (a pixel of slack each side). */
function pixelRange(low: number, high: number, size: number): [number, number] {
  const first = Math.max(0, Math.floor((low * size) / FRAME) - 1);
  const last = Math.min(size - 1, Math.ceil((high * size) / FRAME) + 1);
  return [first, last];
}

/** Rasterises one object at a render size: every pixel whose centre is inside the shape (see insideTest). */
export function rasteriseObject(object: SceneObject, size: number): ObjectCrop {
  checkSize(size);
  const shape = outline(object.shape, object.radius);
  const [x0, x1] = pixelRange(object.x - object.radius, object.x + object.radius, size);
  const [y0, y1] = pixelRange(object.y - object.radius, object.y + object.radius, size);
  const width = x1 - x0 + 1;
  const height = y1 - y0 + 1;
  const mask = new Uint8Array(width * height);
  for (let py = y0; py <= y1; py++) {
    const spans = rowSpans(
      shape,
      object.x,
      object.y,
      2 * size,
      sampleCoordinate(py),
      sampleCoordinate,
      FRAME,
      x0,
      x1,
    );
    for (const [start, end] of spans)
      mask.fill(1, (py - y0) * width + (start - x0), (py - y0) * width + (end - x0));
  }
  return { x0, y0, width, height, mask };
}

/** Integer hash of a noise cell, the same in every engine. */
function cellHash(cx: number, cy: number, seed: number): number {
  let h = Math.imul(cx, 0x27d4eb2d) ^ Math.imul(cy, 0x165667b1) ^ seed;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The texture's brightness offset at a frame pixel: a luminance-only pattern around the mean colour. */
export function textureOffset(background: Background, fx: number, fy: number): number {
  const { pattern, amplitude, period, direction, seed } = background;
  switch (pattern) {
    case 'plain':
      return 0;
    case 'stripes': {
      const along = direction === 'horizontal' ? fy : direction === 'vertical' ? fx : fx + fy;
      return Math.floor(along / period) % 2 === 0 ? amplitude : -amplitude;
    }
    case 'checker':
      return (Math.floor(fx / period) + Math.floor(fy / period)) % 2 === 0 ? amplitude : -amplitude;
    case 'noise': {
      const cell = Math.max(2, period >> 2);
      return (cellHash(Math.floor(fx / cell), Math.floor(fy / cell), seed) % (2 * amplitude + 1)) - amplitude;
    }
  }
}

/**
 * Rows whose texture is the same share one computed row: the key is what the texture reads of the row's
 * frame y (nothing for plain or vertical stripes, the band for horizontal stripes and checkers, …).
 */
function rowKey(background: Background, fy: number): number {
  const { pattern, period, direction } = background;
  if (pattern === 'plain' || (pattern === 'stripes' && direction === 'vertical')) return 0;
  if (pattern === 'stripes' && direction === 'diagonal') return fy % (2 * period);
  if (pattern === 'noise') return Math.floor(fy / Math.max(2, period >> 2));
  return Math.floor(fy / period) % 2;
}

function backgroundRow(
  background: Background,
  size: number,
  fy: number,
  frameColumns: readonly number[],
): Uint8ClampedArray {
  const [r, g, b] = background.rgb;
  const row = new Uint8ClampedArray(size * 4);
  for (let px = 0; px < size; px++) {
    const offset = textureOffset(background, frameColumns[px] as number, fy);
    row[px * 4] = r + offset;
    row[px * 4 + 1] = g + offset;
    row[px * 4 + 2] = b + offset;
    row[px * 4 + 3] = 255;
  }
  return row;
}

function paintBackground(rgba: Uint8ClampedArray, size: number, background: Background): void {
  const frameColumns = Array.from({ length: size }, (_, px) => framePixel(px, size));
  const rows = new Map<number, Uint8ClampedArray>();
  for (let py = 0; py < size; py++) {
    const fy = framePixel(py, size);
    const key = rowKey(background, fy);
    let row = rows.get(key);
    if (!row) {
      row = backgroundRow(background, size, fy, frameColumns);
      rows.set(key, row);
    }
    rgba.set(row, py * size * 4);
  }
}

function paintObject(target: RenderedScene, object: SceneObject, label: number): void {
  const crop = rasteriseObject(object, target.width);
  const [r, g, b] = object.rgb;
  for (let y = 0; y < crop.height; y++) {
    for (let x = 0; x < crop.width; x++) {
      if (!crop.mask[y * crop.width + x]) continue;
      const p = (crop.y0 + y) * target.width + crop.x0 + x;
      target.labels[p] = label;
      target.rgba[p * 4] = r;
      target.rgba[p * 4 + 1] = g;
      target.rgba[p * 4 + 2] = b;
    }
  }
}

/** Draws the scene at size × size pixels (default: the 840 frame itself). Objects never overlap. */
export function renderScene(scene: Scene, size: number = FRAME): RenderedScene {
  checkSize(size);
  const rendered: RenderedScene = {
    width: size,
    height: size,
    rgba: new Uint8ClampedArray(size * size * 4),
    labels: new Uint8Array(size * size),
  };
  paintBackground(rendered.rgba, size, scene.background);
  scene.objects.forEach((object, i) => paintObject(rendered, object, i + 1));
  return rendered;
}

/** The binary mask (0/1, row-major) of object `index` in a rendered scene. */
export function objectMask(rendered: RenderedScene, index: number): Uint8Array {
  const label = index + 1;
  const { labels } = rendered;
  const mask = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) if (labels[i] === label) mask[i] = 1;
  return mask;
}
