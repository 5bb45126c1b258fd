// nano-sam hyper-parameters: a small convolutional promptable segmenter sized to train on a 2-core CPU.
export interface NanoSamConfig {
  /** Square model input side in pixels (the processor's longest edge and pad size). */
  inputSize: number;
  /** Output channels of the stride-2 encoder convolutions; the grid side is inputSize / 2^length. */
  encoderChannels: number[];
  /** Channels of image_embeddings (one stride-1 conv after the stride-2 stages). */
  embedDim: number;
  /** Channels of the decoder's 3×3 convolutions. */
  decoderDim: number;
  /** Number of 3×3 conv + ReLU layers in the decoder. */
  decoderLayers: number;
  /** Channels of the per-cell target descriptor that is spread to the pixels of its cell. */
  descriptorDim: number;
  /** Hidden width of the per-pixel head (1×1 convolutions on [descriptor, pixel colour]). */
  pixelHeadDim: number;
  /** Candidate masks per prompt (SAM's multimask output gives 3). */
  candidates: number;
  /** Gaussian radius of a point prompt, in grid cells. */
  pointSigma: number;
  /** Edge softness of the box prompt map, in grid cells. */
  boxSoftness: number;
}

/** The default model: 128 px input, 32×32 grid, masks at the full 128 px. */
export const NANO_SAM_CONFIG: NanoSamConfig = {
  inputSize: 128,
  encoderChannels: [16, 32],
  embedDim: 32,
  decoderDim: 32,
  decoderLayers: 3,
  descriptorDim: 12,
  pixelHeadDim: 16,
  candidates: 3,
  pointSigma: 1.5,
  boxSoftness: 0.5,
};

/** Prompt channels the decoder sees: soft box map, positive point map, negative point map. */
export const PROMPT_CHANNELS = 3;
/** Positional channels: normalised x and y of every cell centre. */
export const POSITION_CHANNELS = 2;

/** Side of the feature grid (image_embeddings and the predicted masks). */
export function gridSize(config: NanoSamConfig): number {
  const side = config.inputSize / 2 ** config.encoderChannels.length;
  if (!Number.isInteger(side))
    throw new RangeError(`inputSize ${config.inputSize} is not divisible by the strides`);
  return side;
}

/** Pixels per grid cell along one side (the space-to-depth block). */
export function cellSize(config: NanoSamConfig): number {
  return config.inputSize / gridSize(config);
}

/** Channels of image_embeddings: the learned features, then every pixel of each cell (3 colours × cell²). */
export function embeddingChannels(config: NanoSamConfig): number {
  return config.embedDim + 3 * cellSize(config) ** 2;
}
