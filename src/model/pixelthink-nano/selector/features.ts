// Host-side selector inputs from perceived objects and a query: per-object and pairwise features, the query's token ids.
import { COLOURS, FRAME, SHAPES, SIZES } from '../../../data/shapeworld/index';
import type { PerceivedObject } from '../scene-text';
import type { SelectorConfig } from './config';

/** colour, shape and size one-hots, then x, y, width, height (÷ 840) and log width, log height. */
export const OBJECT_FEATURES = COLOURS.length + SHAPES.length + SIZES.length + 6;
/**
 * From object i to object j: dx, dy, |dx|, |dy| and distance (÷ 840), log width and height ratios, same colour,
 * same shape, same size, and i = j.
 */
export const PAIR_FEATURES = 11;

/**
 * One batch of selector inputs: scenes padded to the batch's largest object count (the network has no per-slot
 * weights, so any count works), queries to maxQueryTokens tokens.
 */
export interface SelectorInputs {
  batch: number;
  /** Object slots per scene (N). */
  slots: number;
  /** [B, N, OBJECT_FEATURES] */
  objects: Float32Array;
  /** [B, N, N, PAIR_FEATURES] */
  pairs: Float32Array;
  /** [B, N]: 1 for a real object, 0 for padding. */
  objectMask: Float32Array;
  /** [B, T] token ids, 0 past the query's end (masked). */
  queryIds: Int32Array;
  /** [B, T]: 1 for a query token, 0 for padding. */
  queryMask: Float32Array;
}

export class SelectorInputError extends Error {
  override readonly name = 'SelectorInputError';
}

function extent(object: PerceivedObject): { width: number; height: number } {
  const [x1, y1, x2, y2] = object.bbox;
  return { width: Math.max(1, x2 - x1 + 1), height: Math.max(1, y2 - y1 + 1) };
}

function writeObjectFeatures(object: PerceivedObject, out: Float32Array, offset: number): void {
  out[offset + COLOURS.indexOf(object.colour)] = 1;
  out[offset + COLOURS.length + SHAPES.indexOf(object.shape)] = 1;
  out[offset + COLOURS.length + SHAPES.length + SIZES.indexOf(object.size)] = 1;
  const { width, height } = extent(object);
  const geometry = [object.x / FRAME, object.y / FRAME, width / FRAME, height / FRAME];
  geometry.push(Math.log(width / FRAME), Math.log(height / FRAME));
  out.set(geometry, offset + COLOURS.length + SHAPES.length + SIZES.length);
}

function writePairFeatures(
  a: PerceivedObject,
  b: PerceivedObject,
  self: boolean,
  out: Float32Array,
  offset: number,
): void {
  const dx = (b.x - a.x) / FRAME;
  const dy = (b.y - a.y) / FRAME;
  const ea = extent(a);
  const eb = extent(b);
  out.set(
    [
      dx,
      dy,
      Math.abs(dx),
      Math.abs(dy),
      Math.hypot(dx, dy),
      Math.log(eb.width / ea.width),
      Math.log(eb.height / ea.height),
      a.colour === b.colour ? 1 : 0,
      a.shape === b.shape ? 1 : 0,
      a.size === b.size ? 1 : 0,
      self ? 1 : 0,
    ],
    offset,
  );
}

/** Inputs for scenes (objects in the order the policy lists them) and their queries' token ids. */
export function selectorInputs(
  config: SelectorConfig,
  scenes: readonly (readonly PerceivedObject[])[],
  queryIds: readonly (readonly number[])[],
): SelectorInputs {
  const T = config.maxQueryTokens;
  const batch = scenes.length;
  const N = Math.max(1, ...scenes.map((objects) => objects.length));
  const inputs: SelectorInputs = {
    batch,
    slots: N,
    objects: new Float32Array(batch * N * OBJECT_FEATURES),
    pairs: new Float32Array(batch * N * N * PAIR_FEATURES),
    objectMask: new Float32Array(batch * N),
    queryIds: new Int32Array(batch * T),
    queryMask: new Float32Array(batch * T),
  };
  scenes.forEach((objects, b) => {
    const ids = (queryIds[b] ?? []).slice(0, T);
    if (objects.length === 0) throw new SelectorInputError('the selector needs at least one object');
    if (ids.length === 0) throw new SelectorInputError('the selector needs a query of at least one token');
    objects.forEach((object, i) => {
      writeObjectFeatures(object, inputs.objects, (b * N + i) * OBJECT_FEATURES);
      inputs.objectMask[b * N + i] = 1;
      objects.forEach((other, j) =>
        writePairFeatures(object, other, i === j, inputs.pairs, ((b * N + i) * N + j) * PAIR_FEATURES),
      );
    });
    inputs.queryIds.set(ids, b * T);
    inputs.queryMask.fill(1, b * T, b * T + ids.length);
  });
  return inputs;
}
