// The pixelthink-nano perception detector in engine ops: seeded parameters and the forward pass to per-cell head maps.
import type { Backend } from '../../../webgpu/backend';
import { fromArray, parameter, randn, zeros } from '../../../webgpu/creation';
import { add, relu } from '../../../webgpu/ops/elementwise';
import { broadcastTo, reshape, slice } from '../../../webgpu/ops/shape';
import { Random } from '../../../webgpu/random';
import type { Tensor } from '../../../webgpu/tensor';
import type { HeadName, PerceptionConfig } from './config';
import { HEAD_CHANNELS, HEAD_NAMES, INPUT_CHANNELS, OUTPUT_CHANNELS } from './config';
import { applyConv, MissingParameterError, type ConvLayer } from '../../layers/conv';

export { MissingParameterError, type ConvLayer };

/** Parameters by name (PyTorch layouts: conv weights [cOut, cIn, kh, kw]). */
export type PerceptionParams = Map<string, Tensor>;

/** The network's convolutions by stage; every one is followed by ReLU except `context.project` and `head.out`. */
export interface PerceptionLayers {
  /** Stride-2 stem then stride-1 layers on the output grid. */
  grid: ConvLayer[];
  /** Stride-2 entry to the half grid, stride-1 layers, then a 1×1 projection back to the grid's channels. */
  context: ConvLayer[];
  /** A shared 3×3 layer, then the 1×1 output of every head's channels. */
  head: ConvLayer[];
}

const conv3 = (name: string, cIn: number, cOut: number, stride = 1): ConvLayer => ({
  name,
  cIn,
  cOut,
  kernel: 3,
  stride,
});

export function perceptionLayers(config: PerceptionConfig): PerceptionLayers {
  const grid: ConvLayer[] = [];
  let cIn = INPUT_CHANNELS;
  config.stemChannels.forEach((cOut, i) => {
    grid.push(conv3(`stem.${i}`, cIn, cOut, 2));
    cIn = cOut;
  });
  for (let i = 0; i < config.gridLayers; i++) {
    grid.push(conv3(`grid.${i}`, cIn, config.gridChannels));
    cIn = config.gridChannels;
  }
  const context = [conv3('context.down', cIn, config.contextChannels, 2)];
  for (let i = 0; i < config.contextLayers; i++)
    context.push(conv3(`context.${i}`, config.contextChannels, config.contextChannels));
  context.push({ name: 'context.project', cIn: config.contextChannels, cOut: cIn, kernel: 1, stride: 1 });
  const head = [
    conv3('head.hidden', cIn, config.headChannels),
    { name: 'head.out', cIn: config.headChannels, cOut: OUTPUT_CHANNELS, kernel: 1, stride: 1 },
  ];
  return { grid, context, head };
}

export interface InitOptions {
  backend: Backend;
  seed?: number;
  /** Std of the bias init; 0 (default) for training, non-zero in tests so biases are exercised. */
  biasStd?: number;
}

/** CenterNet's heatmap prior: every cell starts at p = 0.1, so the focal loss does not begin swamped by negatives. */
const HEATMAP_PRIOR_LOGIT = Math.log(0.1 / 0.9);

/** Seeded He-normal init (ReLU network), every tensor a trainable parameter. */
export function initPerception(config: PerceptionConfig, options: InitOptions): PerceptionParams {
  const { backend } = options;
  const rng = new Random(options.seed ?? 0);
  const biasStd = options.biasStd ?? 0;
  const params: PerceptionParams = new Map();
  const { grid, context, head } = perceptionLayers(config);
  for (const layer of [...grid, ...context, ...head]) {
    const fanIn = layer.cIn * layer.kernel * layer.kernel;
    const shape = [layer.cOut, layer.cIn, layer.kernel, layer.kernel];
    params.set(`${layer.name}.weight`, parameter(randn(shape, { backend, rng, std: Math.sqrt(2 / fanIn) })));
    const bias =
      biasStd > 0 ? randn([layer.cOut], { backend, rng, std: biasStd }) : zeros([layer.cOut], { backend });
    params.set(`${layer.name}.bias`, parameter(bias));
  }
  if (biasStd === 0) params.set('head.out.bias', parameter(headBias(backend)));
  return params;
}

/** The output bias: zero except the heatmap channel, which starts at the prior. */
function headBias(backend: Backend): Tensor {
  const values = new Float32Array(OUTPUT_CHANNELS);
  values[headOffset('heatmap')] = HEATMAP_PRIOR_LOGIT;
  return fromArray(values, [OUTPUT_CHANNELS], { backend });
}

/** First channel of a head in the output. */
export function headOffset(name: HeadName): number {
  let offset = 0;
  for (const other of HEAD_NAMES) {
    if (other === name) return offset;
    offset += HEAD_CHANNELS[other];
  }
  throw new RangeError(`unknown head ${name}`);
}

/** Total number of scalars in the parameters. */
export function parameterCount(params: PerceptionParams): number {
  let total = 0;
  for (const t of params.values()) total += t.size;
  return total;
}

/** Nearest-neighbour ×2 upsampling [b, c, h, w] → [b, c, 2h, 2w] (a broadcast, so its gradient sums the 2×2 block). */
function upsample2(x: Tensor): Tensor {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const expanded = broadcastTo(reshape(x, [b, c, h, 1, w, 1]), [b, c, h, 2, w, 2]);
  return reshape(expanded, [b, c, 2 * h, 2 * w]);
}

/**
 * Input planes [B, INPUT_CHANNELS, S, S] → raw head outputs [B, OUTPUT_CHANNELS, G, G] (logits for the heatmap and
 * the attribute heads, cell-unit offsets for box and points). The half-resolution context branch is added back to
 * the grid features so a centre cell sees the whole of the largest object (radius ≈ 20 px at 128 px).
 */
export function forward(params: PerceptionParams, config: PerceptionConfig, input: Tensor): Tensor {
  const { grid, context, head } = perceptionLayers(config);
  let x = input;
  for (const layer of grid) x = relu(applyConv(params, layer, x));
  let c = x;
  context.forEach((layer, i) => {
    c = applyConv(params, layer, c);
    if (i < context.length - 1) c = relu(c);
  });
  const [hidden, out] = head as [ConvLayer, ConvLayer];
  const fused = relu(add(x, upsample2(c)));
  return applyConv(params, out, relu(applyConv(params, hidden, fused)));
}

/** One head's channels of the raw output: [B, HEAD_CHANNELS[name], G, G]. */
export function headOutput(output: Tensor, name: HeadName): Tensor {
  const [b, , g] = output.shape as [number, number, number, number];
  return slice(output, [0, headOffset(name), 0, 0], [b, HEAD_CHANNELS[name], g, g]);
}
