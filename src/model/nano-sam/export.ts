// Exports nano-sam as the Segment-Anything ONNX folder transformers.js' SamModel loads (two graphs + configs).
import type { OnnxNode, OnnxTensor } from '../onnx/model-writer';
import { floatTensor, int64Tensor, writeOnnxModel } from '../onnx/model-writer';
import type { NanoSamConfig } from './config';
import { cellSize, embeddingChannels, gridSize, POSITION_CHANNELS } from './config';
import type { ConvLayer, NanoSamParams } from './model';
import { decoderLayers, encoderLayers, maskHeadLayers, positionMap } from './model';
import { cellCentres } from './prompt';

/** Host copies of the parameters (read once with `await t.data()`), by name. */
export type NanoSamWeights = Map<string, Float32Array>;

export interface ExportOptions {
  /** Declare input_boxes (SAM2-style); without it the box travels as corner points labelled 2 and 3. */
  withBoxInput: boolean;
}

/** Reads every parameter to the host: the export itself is synchronous. */
export async function readWeights(params: NanoSamParams): Promise<NanoSamWeights> {
  const out: NanoSamWeights = new Map();
  for (const [name, t] of params) out.set(name, Float32Array.from(await t.data()));
  return out;
}

function weight(weights: NanoSamWeights, name: string): Float32Array {
  const w = weights.get(name);
  if (!w) throw new Error(`nano-sam export: missing weight ${name}`);
  return w;
}

function convInitializers(weights: NanoSamWeights, layer: ConvLayer): OnnxTensor[] {
  return [
    floatTensor(
      `${layer.name}.weight`,
      [layer.cOut, layer.cIn, layer.kernel, layer.kernel],
      weight(weights, `${layer.name}.weight`),
    ),
    floatTensor(`${layer.name}.bias`, [layer.cOut], weight(weights, `${layer.name}.bias`)),
  ];
}

function convNode(layer: ConvLayer, input: string, output: string): OnnxNode {
  const pad = (layer.kernel - 1) / 2;
  return {
    opType: 'Conv',
    inputs: [input, `${layer.name}.weight`, `${layer.name}.bias`],
    outputs: [output],
    attributes: [
      { name: 'kernel_shape', ints: [layer.kernel, layer.kernel] },
      { name: 'strides', ints: [layer.stride, layer.stride] },
      { name: 'pads', ints: [pad, pad, pad, pad] },
    ],
  };
}

/** pixel_values [1, 3, S, S] → image_embeddings (features + space-to-depth pixels), image_positional_embeddings. */
export function visionEncoderOnnx(config: NanoSamConfig, weights: NanoSamWeights): Uint8Array {
  const [grid, f] = [gridSize(config), cellSize(config)];
  const layers = encoderLayers(config);
  const nodes: OnnxNode[] = [];
  let current = 'pixel_values';
  layers.forEach((layer, i) => {
    const last = i === layers.length - 1;
    const out = last ? 'features' : `${layer.name}.out`;
    nodes.push(convNode(layer, current, out));
    if (!last) nodes.push({ opType: 'Relu', inputs: [out], outputs: [`${layer.name}.act`] });
    current = `${layer.name}.act`;
  });
  nodes.push(
    node('Reshape', ['pixel_values', 'shape_blocks'], 'pixel_blocks'),
    node('Transpose', ['pixel_blocks'], 'pixel_blocks.t', [{ name: 'perm', ints: [0, 1, 3, 5, 2, 4] }]),
    node('Reshape', ['pixel_blocks.t', 'shape_folded'], 'folded_pixels'),
    node('Concat', ['features', 'folded_pixels'], 'image_embeddings', [{ name: 'axis', int: 1 }]),
    node('Identity', ['position'], 'image_positional_embeddings'),
  );
  return writeOnnxModel({
    graphName: 'nano_sam_vision_encoder',
    inputs: [{ name: 'pixel_values', type: 'float', shape: [1, 3, config.inputSize, config.inputSize] }],
    outputs: [
      { name: 'image_embeddings', type: 'float', shape: [1, embeddingChannels(config), grid, grid] },
      { name: 'image_positional_embeddings', type: 'float', shape: [1, POSITION_CHANNELS, grid, grid] },
    ],
    initializers: [
      ...layers.flatMap((l) => convInitializers(weights, l)),
      floatTensor('position', [1, POSITION_CHANNELS, grid, grid], positionMap(config)),
      int64Tensor('shape_blocks', [6], [1, 3, grid, f, grid, f]),
      int64Tensor('shape_folded', [4], [1, 3 * f * f, grid, grid]),
    ],
    nodes,
  });
}

const node = (
  opType: string,
  inputs: string[],
  output: string,
  attributes?: OnnxNode['attributes'],
): OnnxNode => ({
  opType,
  inputs,
  outputs: [output],
  ...(attributes ? { attributes } : {}),
});

/** Float 0/1 weight [P, 1, 1] of the points whose label equals `label` (an initializer named label_<n>). */
function labelWeight(label: number, name: string): OnnxNode[] {
  return [
    node('Equal', ['input_labels', `label_${label}`], `${name}.bool`),
    node('Cast', [`${name}.bool`], `${name}.flat`, [{ name: 'to', int: 1 }]),
    node('Reshape', [`${name}.flat`, 'shape_p11'], name),
  ];
}

/** Sum of Gaussians of the points weighted by `weightName` → [1, grid, grid] (sum: no points gives zeros). */
function pointMap(weightName: string, output: string): OnnxNode[] {
  return [
    node('Mul', ['gaussians', weightName], `${output}.weighted`),
    node('ReduceSum', [`${output}.weighted`, 'axis_0'], output, [{ name: 'keepdims', int: 1 }]),
  ];
}

/** Gaussians of every point on the grid [P, grid, grid], from the normalised points. */
function gaussianNodes(): OnnxNode[] {
  return [
    node('Reshape', ['points', 'shape_p2'], 'points.p2'),
    node('Gather', ['points.p2', 'index_0'], 'px.flat', [{ name: 'axis', int: 1 }]),
    node('Gather', ['points.p2', 'index_1'], 'py.flat', [{ name: 'axis', int: 1 }]),
    node('Reshape', ['px.flat', 'shape_p11'], 'px'),
    node('Reshape', ['py.flat', 'shape_p11'], 'py'),
    node('Sub', ['xs', 'px'], 'dx'),
    node('Sub', ['ys', 'py'], 'dy'),
    node('Mul', ['dx', 'dx'], 'dx2'),
    node('Mul', ['dy', 'dy'], 'dy2'),
    node('Add', ['dx2', 'dy2'], 'd2'),
    node('Mul', ['d2', 'neg_inv_two_sigma2'], 'd2.scaled'),
    node('Exp', ['d2.scaled'], 'gaussians'),
  ];
}

/** The normalised box [4] and has_box (1 or 0), from input_boxes or from the corner points labelled 2 and 3. */
function boxSourceNodes(withBoxInput: boolean): OnnxNode[] {
  if (withBoxInput)
    return [
      node('Reshape', ['input_boxes', 'shape_4'], 'box.pixels'),
      node('Mul', ['box.pixels', 'inv_size'], 'box'),
      node('Identity', ['one'], 'has_box'),
    ];
  const corner = (label: number, name: string): OnnxNode[] => [
    ...labelWeight(label, `${name}.w3`),
    node('Reshape', [`${name}.w3`, 'shape_p1'], `${name}.w`),
    node('Mul', ['points.p2', `${name}.w`], `${name}.masked`),
    node('ReduceSum', [`${name}.masked`, 'axis_0'], name, [{ name: 'keepdims', int: 0 }]),
  ];
  return [
    ...corner(2, 'top_left'),
    ...corner(3, 'bottom_right'),
    node('Concat', ['top_left', 'bottom_right'], 'box', [{ name: 'axis', int: 0 }]),
    node('ReduceSum', ['top_left.w', 'axis_0'], 'has_box.1', [{ name: 'keepdims', int: 0 }]),
    node('Reshape', ['has_box.1', 'shape_1'], 'has_box'),
  ];
}

/** Soft box map sigmoid(min(x − x1, x2 − x, y − y1, y2 − y) / softness) · has_box · (x2 > x1) → [1, grid, grid]. */
function boxMapNodes(withBoxInput: boolean): OnnxNode[] {
  const pick = (i: number, name: string): OnnxNode =>
    node('Gather', ['box', `index_${i}`], name, [{ name: 'axis', int: 0 }]);
  return [
    ...boxSourceNodes(withBoxInput),
    pick(0, 'x1'),
    pick(1, 'y1'),
    pick(2, 'x2'),
    pick(3, 'y2'),
    node('Sub', ['xs', 'x1'], 'left'),
    node('Sub', ['x2', 'xs'], 'right'),
    node('Sub', ['ys', 'y1'], 'top'),
    node('Sub', ['y2', 'ys'], 'bottom'),
    node('Min', ['left', 'right', 'top', 'bottom'], 'inside'),
    node('Mul', ['inside', 'inv_softness'], 'inside.scaled'),
    node('Sigmoid', ['inside.scaled'], 'box_soft'),
    // An empty box (x2 <= x1, e.g. input_boxes of zeros) means no box, as in the engine's promptMaps.
    node('Greater', ['x2', 'x1'], 'box_valid.bool'),
    node('Cast', ['box_valid.bool'], 'box_valid', [{ name: 'to', int: 1 }]),
    node('Mul', ['has_box', 'box_valid'], 'box_gate'),
    node('Mul', ['box_soft', 'box_gate'], 'box_map'),
  ];
}

function promptNodes(withBoxInput: boolean): OnnxNode[] {
  return [
    node('Mul', ['input_points', 'inv_size'], 'points'),
    ...gaussianNodes(),
    ...labelWeight(1, 'positive'),
    ...labelWeight(0, 'negative'),
    ...pointMap('positive', 'positive_map'),
    ...pointMap('negative', 'negative_map'),
    ...boxMapNodes(withBoxInput),
    node('Concat', ['box_map', 'positive_map', 'negative_map'], 'prompt.3', [{ name: 'axis', int: 0 }]),
    node('Unsqueeze', ['prompt.3', 'axis_0'], 'prompt_maps'),
  ];
}

/** Channels [from, to) of the image embeddings (the learned features, or the folded pixels). */
function embeddingSlice(from: string, to: string, output: string): OnnxNode {
  return node('Slice', ['image_embeddings', from, to, 'axis_1'], output);
}

/** The per-pixel head of `maskHeadLayers`: descriptor per cell → spread to pixels + pixel colour → MLP → logits. */
function maskHeadNodes(config: NanoSamConfig, cellFeatures: string): OnnxNode[] {
  const [descriptor, hidden, logits] = maskHeadLayers(config) as [ConvLayer, ConvLayer, ConvLayer];
  return [
    convNode(descriptor, cellFeatures, 'descriptor'),
    node('Reshape', ['descriptor', 'shape_cells'], 'descriptor.cells'),
    node('Expand', ['descriptor.cells', 'shape_spread'], 'descriptor.spread'),
    node('Reshape', ['descriptor.spread', 'shape_descriptor_pixels'], 'descriptor.pixels'),
    embeddingSlice('channel_features_end', 'channel_all_end', 'folded_pixels'),
    node('Reshape', ['folded_pixels', 'shape_unfold'], 'pixel_blocks'),
    node('Transpose', ['pixel_blocks'], 'pixel_blocks.t', [{ name: 'perm', ints: [0, 1, 4, 2, 5, 3] }]),
    node('Reshape', ['pixel_blocks.t', 'shape_pixels'], 'pixels'),
    node('Concat', ['descriptor.pixels', 'pixels'], 'per_pixel', [{ name: 'axis', int: 1 }]),
    convNode(hidden, 'per_pixel', 'hidden.out'),
    node('Relu', ['hidden.out'], 'hidden.act'),
    convNode(logits, 'hidden.act', 'mask_logits'),
  ];
}

function decoderNodes(config: NanoSamConfig): OnnxNode[] {
  const nodes: OnnxNode[] = [
    embeddingSlice('channel_0', 'channel_features_end', 'features'),
    node('Concat', ['features', 'image_positional_embeddings', 'prompt_maps'], 'decoder.in', [
      { name: 'axis', int: 1 },
    ]),
  ];
  let current = 'decoder.in';
  for (const layer of decoderLayers(config)) {
    nodes.push(convNode(layer, current, `${layer.name}.out`));
    nodes.push(node('Relu', [`${layer.name}.out`], `${layer.name}.act`));
    current = `${layer.name}.act`;
  }
  nodes.push(
    ...maskHeadNodes(config, current),
    node('Reshape', ['mask_logits', 'shape_masks'], 'pred_masks'),
    node('GlobalAveragePool', [current], 'pooled.4'),
    node('Reshape', ['pooled.4', 'shape_pooled'], 'pooled'),
    node('Gemm', ['pooled', 'iou_head.weight', 'iou_head.bias'], 'iou.2', [{ name: 'transB', int: 1 }]),
    node('Reshape', ['iou.2', 'shape_iou'], 'iou_scores'),
  );
  return nodes;
}

function decoderConstants(config: NanoSamConfig): OnnxTensor[] {
  const grid = gridSize(config);
  const centres = cellCentres(grid);
  const sigma = config.pointSigma / grid;
  const [k, d, f, size] = [config.candidates, config.descriptorDim, cellSize(config), config.inputSize];
  return [
    floatTensor('xs', [1, 1, grid], centres),
    floatTensor('ys', [1, grid, 1], centres),
    floatTensor('inv_size', [], [1 / config.inputSize]),
    floatTensor('neg_inv_two_sigma2', [], [-1 / (2 * sigma * sigma)]),
    floatTensor('inv_softness', [], [grid / config.boxSoftness]),
    floatTensor('one', [1], [1]),
    ...[0, 1, 2, 3].map((l) => int64Tensor(`label_${l}`, [], [l])),
    ...[0, 1, 2, 3].map((i) => int64Tensor(`index_${i}`, [], [i])),
    int64Tensor('axis_0', [1], [0]),
    int64Tensor('shape_p2', [2], [-1, 2]),
    int64Tensor('shape_p1', [2], [-1, 1]),
    int64Tensor('shape_p11', [3], [-1, 1, 1]),
    int64Tensor('shape_4', [1], [4]),
    int64Tensor('shape_1', [1], [1]),
    int64Tensor('shape_masks', [5], [1, 1, k, size, size]),
    int64Tensor('axis_1', [1], [1]),
    int64Tensor('channel_0', [1], [0]),
    int64Tensor('channel_features_end', [1], [config.embedDim]),
    int64Tensor('channel_all_end', [1], [embeddingChannels(config)]),
    int64Tensor('shape_cells', [6], [1, d, grid, 1, grid, 1]),
    int64Tensor('shape_spread', [6], [1, d, grid, f, grid, f]),
    int64Tensor('shape_descriptor_pixels', [4], [1, d, size, size]),
    int64Tensor('shape_unfold', [6], [1, 3, f, f, grid, grid]),
    int64Tensor('shape_pixels', [4], [1, 3, size, size]),
    int64Tensor('shape_pooled', [2], [1, config.decoderDim]),
    int64Tensor('shape_iou', [3], [1, 1, k]),
  ];
}

/** (image_embeddings, image_positional_embeddings, input_points, input_labels[, input_boxes]) → iou_scores, pred_masks. */
export function promptDecoderOnnx(
  config: NanoSamConfig,
  weights: NanoSamWeights,
  options: ExportOptions,
): Uint8Array {
  const grid = gridSize(config);
  const k = config.candidates;
  const layers = [...decoderLayers(config), ...maskHeadLayers(config)];
  const nodes = [...promptNodes(options.withBoxInput), ...decoderNodes(config)];
  // Each variant uses only part of the shared constants; unused initializers make onnxruntime warn.
  const used = new Set(nodes.flatMap((n) => n.inputs));
  return writeOnnxModel({
    graphName: 'nano_sam_prompt_encoder_mask_decoder',
    inputs: [
      { name: 'image_embeddings', type: 'float', shape: [1, embeddingChannels(config), grid, grid] },
      { name: 'image_positional_embeddings', type: 'float', shape: [1, POSITION_CHANNELS, grid, grid] },
      { name: 'input_points', type: 'float', shape: [1, 1, 'points', 2] },
      { name: 'input_labels', type: 'int64', shape: [1, 1, 'points'] },
      ...(options.withBoxInput ? [{ name: 'input_boxes', type: 'float' as const, shape: [1, 1, 4] }] : []),
    ],
    outputs: [
      { name: 'iou_scores', type: 'float', shape: [1, 1, k] },
      { name: 'pred_masks', type: 'float', shape: [1, 1, k, config.inputSize, config.inputSize] },
    ],
    initializers: [
      ...layers.flatMap((l) => convInitializers(weights, l)),
      floatTensor('iou_head.weight', [k, config.decoderDim], weight(weights, 'iou_head.weight')),
      floatTensor('iou_head.bias', [k], weight(weights, 'iou_head.bias')),
      ...decoderConstants(config).filter((t) => used.has(t.name)),
    ],
    nodes,
  });
}

/** SamImageProcessor settings: resize the longest edge to the input size, rescale, normalise to [-1, 1], pad. */
export function preprocessorConfig(config: NanoSamConfig): Record<string, unknown> {
  return {
    image_processor_type: 'SamImageProcessor',
    processor_class: 'SamProcessor',
    do_resize: true,
    size: { longest_edge: config.inputSize },
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    do_pad: true,
    pad_size: { height: config.inputSize, width: config.inputSize },
    do_convert_rgb: true,
    resample: 2,
  };
}

/** The model folder's files (same names the app loads), JSON as strings and graphs as bytes. */
export function exportNanoSam(
  config: NanoSamConfig,
  weights: NanoSamWeights,
  options: ExportOptions,
): Map<string, Uint8Array | string> {
  const modelConfig = { model_type: 'sam', architectures: ['SamModel'], nano_sam: config };
  return new Map<string, Uint8Array | string>([
    ['config.json', JSON.stringify(modelConfig)],
    ['preprocessor_config.json', JSON.stringify(preprocessorConfig(config))],
    ['onnx/vision_encoder.onnx', visionEncoderOnnx(config, weights)],
    ['onnx/prompt_encoder_mask_decoder.onnx', promptDecoderOnnx(config, weights, options)],
  ]);
}
