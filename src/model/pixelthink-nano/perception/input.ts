// The detector's input planes from a rendered scene: RGB normalised like SAM's processor, plus pixel-centre coordinates.
import type { RenderedScene } from '../../../data/shapeworld/index';
import { INPUT_CHANNELS } from './config';

/**
 * Writes [INPUT_CHANNELS, S, S] at `offset` of `out`: r, g, b as /127.5 − 1 (SamImageProcessor's mean 0.5, std 0.5)
 * and the x and y of each pixel centre in [0, 1], so the convolutions can tell where they are.
 */
export function writeInputPlanes(
  rgba: ArrayLike<number>,
  size: number,
  out: Float32Array,
  offset: number,
): void {
  const plane = size * size;
  if (rgba.length !== 4 * plane) throw new RangeError(`expected ${4 * plane} RGBA bytes, got ${rgba.length}`);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[offset + c * plane + i] = (rgba[4 * i + c] as number) / 127.5 - 1;
    out[offset + 3 * plane + i] = ((i % size) + 0.5) / size;
    out[offset + 4 * plane + i] = (Math.floor(i / size) + 0.5) / size;
  }
}

/** A batch of square rendered scenes, all `size` px → [B, INPUT_CHANNELS, S, S] as one array. */
export function inputBatch(
  scenes: readonly Pick<RenderedScene, 'rgba' | 'width' | 'height'>[],
  size: number,
): Float32Array {
  const planeSet = INPUT_CHANNELS * size * size;
  const out = new Float32Array(scenes.length * planeSet);
  scenes.forEach((scene, b) => {
    if (scene.width !== size || scene.height !== size)
      throw new RangeError(`scene ${b} is ${scene.width}×${scene.height} px, the batch is ${size}×${size}`);
    writeInputPlanes(scene.rgba, size, out, b * planeSet);
  });
  return out;
}
