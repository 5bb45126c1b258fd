// nano-sam in engine ops: seeded parameters, the conv encoder and the dense-prompt decoder with a per-pixel head, with autograd.
import type { Backend } from '../../webgpu/backend';
import { fromArray, parameter, randn, zeros } from '../../webgpu/creation';
import { relu } from '../../webgpu/ops/elementwise';
import { linear } from '../../webgpu/ops/matmul';
import { mean } from '../../webgpu/ops/reduce';
import { broadcastTo, concat, permute, reshape, slice } from '../../webgpu/ops/shape';
import { Random } from '../../webgpu/random';
import type { Tensor } from '../../webgpu/tensor';
import { applyConv, param, type ConvLayer } from '../layers/conv';
import type { NanoSamConfig } from './config';
import { cellSize, embeddingChannels, gridSize, POSITION_CHANNELS, PROMPT_CHANNELS } from './config';
import type { NanoSamPrompt } from './prompt';
import { cellCentres, promptMaps } from './prompt';

export type { ConvLayer };

/** Parameters by name (PyTorch-style names and layouts: conv [cOut, cIn, kh, kw], linear [out, in]). */
export type NanoSamParams = Map<string, Tensor>;

export interface NanoSamOutput {
  /** [batch, candidates] predicted IoU of each candidate mask. */
  iouScores: Tensor;
  /** [batch, candidates, S, S] mask logits at the input resolution. */
  maskLogits: Tensor;
}

/** Encoder convolutions in order; every one but the last is followed by ReLU. */
export function encoderLayers(config: NanoSamConfig): ConvLayer[] {
  const layers: ConvLayer[] = [];
  let cIn = 3;
  config.encoderChannels.forEach((cOut, i) => {
    layers.push({ name: `encoder.${i}`, cIn, cOut, kernel: 3, stride: 2 });
    cIn = cOut;
  });
  layers.push({ name: 'encoder.embed', cIn, cOut: config.embedDim, kernel: 3, stride: 1 });
  return layers;
}

/** Decoder 3×3 convolutions (each followed by ReLU) on [embeddings, positions, prompt maps]. */
export function decoderLayers(config: NanoSamConfig): ConvLayer[] {
  const layers: ConvLayer[] = [];
  let cIn = config.embedDim + POSITION_CHANNELS + PROMPT_CHANNELS;
  for (let i = 0; i < config.decoderLayers; i++) {
    layers.push({ name: `decoder.${i}`, cIn, cOut: config.decoderDim, kernel: 3, stride: 1 });
    cIn = config.decoderDim;
  }
  return layers;
}

/**
 * The mask head, all 1×1 convolutions: a per-cell target descriptor, spread to the pixels of its cell and joined
 * with each pixel's colour, then a per-pixel MLP to one logit per candidate. Cells alone (4×4 px here) are too
 * coarse for small stars and rings; the pixel colour gives the exact edge.
 */
export function maskHeadLayers(config: NanoSamConfig): ConvLayer[] {
  const { decoderDim, descriptorDim, pixelHeadDim, candidates } = config;
  return [
    { name: 'mask_head.descriptor', cIn: decoderDim, cOut: descriptorDim, kernel: 1, stride: 1 },
    { name: 'mask_head.hidden', cIn: descriptorDim + 3, cOut: pixelHeadDim, kernel: 1, stride: 1 },
    { name: 'mask_head.logits', cIn: pixelHeadDim, cOut: candidates, kernel: 1, stride: 1 },
  ];
}

function allConvLayers(config: NanoSamConfig): ConvLayer[] {
  return [...encoderLayers(config), ...decoderLayers(config), ...maskHeadLayers(config)];
}

export interface InitOptions {
  backend: Backend;
  seed?: number;
  /** Std of the bias init; 0 (default) for training, non-zero in tests so biases are exercised. */
  biasStd?: number;
}

/** Seeded He-normal init (ReLU network), every tensor a trainable parameter. */
export function initNanoSam(config: NanoSamConfig, options: InitOptions): NanoSamParams {
  const { backend } = options;
  const rng = new Random(options.seed ?? 0);
  const biasStd = options.biasStd ?? 0;
  const params: NanoSamParams = new Map();
  const bias = (name: string, n: number): void => {
    const t = biasStd > 0 ? randn([n], { backend, rng, std: biasStd }) : zeros([n], { backend });
    params.set(name, parameter(t));
  };
  for (const layer of allConvLayers(config)) {
    const fanIn = layer.cIn * layer.kernel * layer.kernel;
    const shape = [layer.cOut, layer.cIn, layer.kernel, layer.kernel];
    params.set(`${layer.name}.weight`, parameter(randn(shape, { backend, rng, std: Math.sqrt(2 / fanIn) })));
    bias(`${layer.name}.bias`, layer.cOut);
  }
  const iouShape = [config.candidates, config.decoderDim];
  params.set(
    'iou_head.weight',
    parameter(randn(iouShape, { backend, rng, std: Math.sqrt(1 / config.decoderDim) })),
  );
  bias('iou_head.bias', config.candidates);
  return params;
}

/** Total number of scalars in the parameters. */
export function parameterCount(params: NanoSamParams): number {
  let total = 0;
  for (const t of params.values()) total += t.size;
  return total;
}

/**
 * Normalised pixels [batch, 3, S, S] → image_embeddings [batch, embedDim + 3·cell², grid, grid]: the learned
 * features, then the pixels themselves folded into channels (space-to-depth), because SAM's decoder graph receives
 * only the embeddings and the per-pixel head needs each pixel's colour.
 */
export function encode(params: NanoSamParams, config: NanoSamConfig, pixels: Tensor): Tensor {
  const layers = encoderLayers(config);
  let x = pixels;
  layers.forEach((layer, i) => {
    x = applyConv(params, layer, x);
    if (i < layers.length - 1) x = relu(x);
  });
  return concat([x, spaceToDepth(pixels, config)], 1);
}

/** [b, 3, S, S] → [b, 3·f², g, g] with f = cell size, channel (c, dy, dx) holding pixel (g·f + dy, g·f + dx). */
export function spaceToDepth(pixels: Tensor, config: NanoSamConfig): Tensor {
  const [g, f] = [gridSize(config), cellSize(config)];
  const batch = pixels.shape[0] as number;
  const blocks = permute(reshape(pixels, [batch, 3, g, f, g, f]), [0, 1, 3, 5, 2, 4]);
  return reshape(blocks, [batch, 3 * f * f, g, g]);
}

/** The inverse of spaceToDepth: [b, 3·f², g, g] → [b, 3, S, S]. */
export function depthToSpace(folded: Tensor, config: NanoSamConfig): Tensor {
  const [g, f] = [gridSize(config), cellSize(config)];
  const batch = folded.shape[0] as number;
  const blocks = permute(reshape(folded, [batch, 3, f, f, g, g]), [0, 1, 4, 2, 5, 3]);
  return reshape(blocks, [batch, 3, g * f, g * f]);
}

/** Nearest-neighbour upsampling of a cell map [b, c, g, g] to the pixels [b, c, S, S]. */
export function spreadToPixels(cells: Tensor, config: NanoSamConfig): Tensor {
  const [g, f] = [gridSize(config), cellSize(config)];
  const [batch, channels] = [cells.shape[0] as number, cells.shape[1] as number];
  const expanded = broadcastTo(reshape(cells, [batch, channels, g, 1, g, 1]), [batch, channels, g, f, g, f]);
  return reshape(expanded, [batch, channels, g * f, g * f]);
}

/** image_positional_embeddings [2, grid, grid]: the normalised x and y of every cell centre (fixed, not trained). */
export function positionMap(config: NanoSamConfig): Float32Array {
  const grid = gridSize(config);
  const centres = cellCentres(grid);
  const out = new Float32Array(POSITION_CHANNELS * grid * grid);
  for (let i = 0; i < grid; i++) {
    for (let j = 0; j < grid; j++) {
      out[i * grid + j] = centres[j] as number;
      out[grid * grid + i * grid + j] = centres[i] as number;
    }
  }
  return out;
}

/** image_embeddings + prompts → candidate mask logits (full resolution) and IoU predictions. */
export function decode(
  params: NanoSamParams,
  config: NanoSamConfig,
  embeddings: Tensor,
  prompts: readonly NanoSamPrompt[],
): NanoSamOutput {
  const backend = embeddings.backend;
  const grid = gridSize(config);
  const batch = prompts.length;
  const features = slice(embeddings, [0, 0, 0, 0], [batch, config.embedDim, grid, grid]);
  const folded = slice(
    embeddings,
    [0, config.embedDim, 0, 0],
    [batch, embeddingChannels(config) - config.embedDim, grid, grid],
  );
  const position = fromArray(positionMap(config), [1, POSITION_CHANNELS, grid, grid], { backend });
  const positions = broadcastTo(position, [batch, POSITION_CHANNELS, grid, grid]);
  const maps = fromArray(promptMaps(prompts, config), [batch, PROMPT_CHANNELS, grid, grid], { backend });
  let x = concat([features, positions, maps], 1);
  for (const layer of decoderLayers(config)) x = relu(applyConv(params, layer, x));
  const [descriptorLayer, hiddenLayer, logitsLayer] = maskHeadLayers(config) as [
    ConvLayer,
    ConvLayer,
    ConvLayer,
  ];
  const descriptor = spreadToPixels(applyConv(params, descriptorLayer, x), config);
  const perPixel = concat([descriptor, depthToSpace(folded, config)], 1);
  const maskLogits = applyConv(params, logitsLayer, relu(applyConv(params, hiddenLayer, perPixel)));
  const pooled = mean(x, [2, 3]);
  const iouScores = linear(pooled, param(params, 'iou_head.weight'), param(params, 'iou_head.bias'));
  return { iouScores, maskLogits };
}

/** The whole model: normalised pixels [batch, 3, S, S] and one prompt per image. */
export function forward(
  params: NanoSamParams,
  config: NanoSamConfig,
  pixels: Tensor,
  prompts: readonly NanoSamPrompt[],
): NanoSamOutput {
  return decode(params, config, encode(params, config, pixels), prompts);
}
