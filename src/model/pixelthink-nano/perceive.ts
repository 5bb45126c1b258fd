// The policy's perception front end from the perception checkpoint: image → detector at its input size → objects in the 840 frame.
import type { Backend } from '../../webgpu/backend';
import { fromArray } from '../../webgpu/creation';
import { INPUT_CHANNELS } from './perception/config';
import type { DetectedObject } from './perception/decode';
import { detect } from './perception/detect';
import { inputBatch } from './perception/input';
import { readPerceptionCheckpoint } from './perception/train';
import type { Perceive, PolicyImage } from './policy';
import type { PerceivedObject } from './scene-text';

/**
 * The detector's weights in the model folder. Until the perception folder format is final this is the trainer's
 * checkpoint as written by `PerceptionTrainer.checkpoint` (params + optimizer state + config metadata).
 */
export const PERCEPTION_FILE = 'perception.safetensors';

/** Area-averages an RGBA image to a `size`×`size` square (the detector sees the whole image, squashed if need be). */
export function resizeRgba(image: PolicyImage, size: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size * size * 4);
  const sx = image.width / size;
  const sy = image.height / size;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) averageCell(image, out, (y * size + x) * 4, [x * sx, y * sy, sx, sy]);
  return out;
}

function averageCell(image: PolicyImage, out: Uint8ClampedArray, at: number, cell: number[]): void {
  const [left, top, w, h] = cell as [number, number, number, number];
  const x0 = Math.floor(left);
  const y0 = Math.floor(top);
  const x1 = Math.max(x0 + 1, Math.min(image.width, Math.ceil(left + w)));
  const y1 = Math.max(y0 + 1, Math.min(image.height, Math.ceil(top + h)));
  const sums = [0, 0, 0, 0];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++)
      for (let c = 0; c < 4; c++) sums[c]! += image.rgba[(y * image.width + x) * 4 + c] as number;
  const n = (x1 - x0) * (y1 - y0);
  for (let c = 0; c < 4; c++) out[at + c] = sums[c]! / n;
}

/** A detection as the decoder's scene text wants it: the box centre stands for the object's position. */
export function perceivedObject(detected: DetectedObject): PerceivedObject {
  const [x1, y1, x2, y2] = detected.bbox;
  const { colour, shape, size, bbox, points } = detected;
  return { colour, shape, size, bbox, points, x: Math.round((x1 + x2) / 2), y: Math.round((y1 + y2) / 2) };
}

/** Builds the `Perceive` of pixelthink-nano from the perception checkpoint's bytes, on `backend`. */
export function perceptionFromCheckpoint(backend: Backend, bytes: Uint8Array): Perceive {
  const { config, params } = readPerceptionCheckpoint(backend, bytes);
  const size = config.inputSize;
  return async (image) => {
    const planes = inputBatch([{ rgba: resizeRgba(image, size), width: size, height: size }], size);
    const pixels = fromArray(planes, [1, INPUT_CHANNELS, size, size], { backend });
    try {
      const [objects = []] = await detect(params, config, pixels);
      return objects.map(perceivedObject);
    } finally {
      pixels.dispose();
    }
  };
}
