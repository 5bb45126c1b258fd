// Rasterises nano-sam prompts (box, positive and negative points) into dense maps on the feature grid.
import type { NanoSamConfig } from './config';
import { gridSize, PROMPT_CHANNELS } from './config';

/** A prompt in model-input pixels (after the processor's resize), like SAM's input_points / input_boxes. */
export interface NanoSamPrompt {
  box?: readonly [number, number, number, number];
  points?: readonly (readonly [number, number])[];
  negatives?: readonly (readonly [number, number])[];
}

/** Cell centres of the grid in normalised [0, 1] coordinates: the same constants the ONNX graph holds. */
export function cellCentres(grid: number): Float32Array {
  return Float32Array.from({ length: grid }, (_, i) => (i + 0.5) / grid);
}

function gaussianSum(
  points: readonly (readonly [number, number])[],
  x: number,
  y: number,
  config: NanoSamConfig,
): number {
  // Same formula as the graph: exp(-d² / 2σ²) summed (a sum, not a max, so zero points give 0 in ONNX too).
  const sigma = config.pointSigma / gridSize(config);
  let total = 0;
  for (const [px, py] of points) {
    const dx = x - px / config.inputSize;
    const dy = y - py / config.inputSize;
    total += Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
  }
  return total;
}

function boxValue(box: NanoSamPrompt['box'], x: number, y: number, config: NanoSamConfig): number {
  // No box, or an empty one (the graph's input_boxes of zeros), contributes nothing.
  if (!box || box[2] <= box[0]) return 0;
  const s = config.inputSize;
  const inside = Math.min(x - box[0] / s, box[2] / s - x, y - box[1] / s, box[3] / s - y);
  const softness = config.boxSoftness / gridSize(config);
  return 1 / (1 + Math.exp(-inside / softness));
}

/** Prompt maps [batch, 3, grid, grid]: soft box, positive points, negative points. */
export function promptMaps(prompts: readonly NanoSamPrompt[], config: NanoSamConfig): Float32Array {
  const grid = gridSize(config);
  const centres = cellCentres(grid);
  const plane = grid * grid;
  const out = new Float32Array(prompts.length * PROMPT_CHANNELS * plane);
  prompts.forEach((prompt, b) => {
    const base = b * PROMPT_CHANNELS * plane;
    for (let i = 0; i < grid; i++) {
      for (let j = 0; j < grid; j++) {
        const [x, y] = [centres[j] as number, centres[i] as number];
        const cell = i * grid + j;
        out[base + cell] = boxValue(prompt.box, x, y, config);
        out[base + plane + cell] = gaussianSum(prompt.points ?? [], x, y, config);
        out[base + 2 * plane + cell] = gaussianSum(prompt.negatives ?? [], x, y, config);
      }
    }
  });
  return out;
}
