// pixelthink-nano perception hyper-parameters: a small CenterNet-style object detector sized to train on a 2-core CPU.
import { COLOURS, FRAME, SHAPES, SIZES } from '../../../data/shapeworld/index';

export interface PerceptionConfig {
  /** Square input side in pixels (the scene is rendered at this size). */
  inputSize: number;
  /** Output channels of the stride-2 stem convolutions; the grid side is inputSize / 2^length. */
  stemChannels: number[];
  /** Stride-1 3×3 convolutions on the grid after the stem, each of `gridChannels`. */
  gridLayers: number;
  gridChannels: number;
  /** Stride-1 3×3 convolutions of the half-resolution context branch (after its stride-2 entry), of `contextChannels`. */
  contextLayers: number;
  contextChannels: number;
  /** Channels of the 3×3 head convolution shared by every per-cell output. */
  headChannels: number;
}

/** The default detector: 128 px input, 32×32 grid (stride 4), a 16×16 context branch (stride 8). */
export const PERCEPTION_CONFIG: PerceptionConfig = {
  inputSize: 128,
  stemChannels: [16, 32],
  gridLayers: 2,
  gridChannels: 32,
  contextLayers: 2,
  contextChannels: 48,
  headChannels: 48,
};

/** Input channels: RGB normalised to [-1, 1], then the x and y of every pixel centre in [0, 1]. */
export const INPUT_CHANNELS = 5;

/**
 * Per-cell outputs in channel order. Box channels are the signed offsets from the cell centre to x1, y1, x2, y2;
 * point channels the offsets to p1.x, p1.y, p2.x, p2.y; both in units of one cell of the 840 frame (boxUnit).
 */
export const HEAD_CHANNELS = {
  heatmap: 1,
  colour: COLOURS.length,
  shape: SHAPES.length,
  size: SIZES.length,
  box: 4,
  points: 4,
} as const;
export type HeadName = keyof typeof HEAD_CHANNELS;
export const HEAD_NAMES = Object.keys(HEAD_CHANNELS) as HeadName[];
export const OUTPUT_CHANNELS = HEAD_NAMES.reduce((n, name) => n + HEAD_CHANNELS[name], 0);

/** Side of the output grid. */
export function gridSize(config: PerceptionConfig): number {
  const side = config.inputSize / 2 ** config.stemChannels.length;
  if (!Number.isInteger(side) || side % 2 !== 0)
    throw new RangeError(`inputSize ${config.inputSize} does not divide into an even grid`);
  return side;
}

/** One grid cell's side in 840-frame pixels: the unit of the box and point offsets. */
export function cellFrameSize(config: PerceptionConfig): number {
  return FRAME / gridSize(config);
}
