// A tiny SAM-layout model that segments exactly its prompt box: a known answer for testing the segmenter path.
import { floatTensor, int64Tensor, writeOnnxModel } from '../../onnx/model-writer';

export interface BoxSamOptions {
  /** Model input side (the processor's longest edge and pad size). */
  size: number;
  /** Side of the low-resolution mask grid, like SAM's 256 for a 1024 input. */
  maskSize: number;
  /** The decoder declares input_boxes like SAM2 exports; without it the box comes as two corner points. */
  withBoxInput: boolean;
}

/** Three candidate masks; the best-scored one is exactly the box, the others are shrunk, so a wrong pick shows. */
export const CANDIDATE_SCORES = [0.3, 0.9, 0.6];
const CANDIDATE_OFFSETS = [-6, 0, -12];

function visionEncoder(size: number): Uint8Array {
  const grid = size / 4;
  return writeOnnxModel({
    graphName: 'box_sam_vision_encoder',
    inputs: [{ name: 'pixel_values', type: 'float', shape: [1, 3, size, size] }],
    outputs: [
      { name: 'image_embeddings', type: 'float', shape: [1, 3, grid, grid] },
      { name: 'image_positional_embeddings', type: 'float', shape: [1, 3, grid, grid] },
    ],
    initializers: [
      floatTensor('zero', [1], [0]),
      floatTensor('position', [1, 3, grid, grid], new Float32Array(3 * grid * grid).fill(0.5)),
    ],
    nodes: [
      {
        opType: 'AveragePool',
        inputs: ['pixel_values'],
        outputs: ['image_embeddings'],
        attributes: [
          { name: 'kernel_shape', ints: [4, 4] },
          { name: 'strides', ints: [4, 4] },
        ],
      },
      { opType: 'Mul', inputs: ['image_embeddings', 'zero'], outputs: ['no_embedding'] },
      { opType: 'Add', inputs: ['no_embedding', 'position'], outputs: ['image_positional_embeddings'] },
    ],
  });
}

/** Centres of the mask grid's cells in model-input pixels. */
function cellCentres(size: number, maskSize: number): Float32Array {
  return Float32Array.from({ length: maskSize }, (_, i) => ((i + 0.5) * size) / maskSize);
}

function maskDecoder({ size, maskSize, withBoxInput }: BoxSamOptions): Uint8Array {
  const centres = cellCentres(size, maskSize);
  // Without a box input, SAM exports take the box as two extra points labelled 2 and 3 (its corners): use those.
  const boxSource = withBoxInput
    ? [{ opType: 'Reshape', inputs: ['input_boxes', 'shape_box'], outputs: ['box'] }]
    : [
        {
          opType: 'Slice',
          inputs: ['input_points', 'corner_start', 'corner_end', 'axis_points'],
          outputs: ['corners'],
        },
        { opType: 'Reshape', inputs: ['corners', 'shape_box'], outputs: ['box'] },
      ];
  const pick = (name: string, index: number) => ({
    opType: 'Gather',
    inputs: ['box', `index_${index}`],
    outputs: [name],
    attributes: [{ name: 'axis', int: 0 }],
  });
  return writeOnnxModel({
    graphName: 'box_sam_prompt_encoder_mask_decoder',
    inputs: [
      { name: 'image_embeddings', type: 'float', shape: [1, 3, size / 4, size / 4] },
      { name: 'image_positional_embeddings', type: 'float', shape: [1, 3, size / 4, size / 4] },
      { name: 'input_points', type: 'float', shape: [1, 1, 'points', 2] },
      { name: 'input_labels', type: 'int64', shape: [1, 1, 'points'] },
      ...(withBoxInput ? [{ name: 'input_boxes', type: 'float' as const, shape: [1, 1, 4] }] : []),
    ],
    outputs: [
      { name: 'iou_scores', type: 'float', shape: [1, 1, 3] },
      { name: 'pred_masks', type: 'float', shape: [1, 1, 3, maskSize, maskSize] },
    ],
    initializers: [
      floatTensor('xs', [1, maskSize], centres),
      floatTensor('ys', [maskSize, 1], centres),
      int64Tensor('shape_box', [3], [4, 1, 1]),
      int64Tensor('corner_start', [1], [-2]),
      int64Tensor('corner_end', [1], [1_000_000]),
      int64Tensor('axis_points', [1], [2]),
      ...[0, 1, 2, 3].map((i) => int64Tensor(`index_${i}`, [], [i])),
      int64Tensor('shape_mask', [5], [1, 1, 1, maskSize, maskSize]),
      ...CANDIDATE_OFFSETS.map((o, i) => floatTensor(`offset_${i}`, [1], [o])),
      floatTensor('scores', [1, 1, 3], CANDIDATE_SCORES),
    ],
    nodes: [
      ...boxSource,
      pick('x1', 0),
      pick('y1', 1),
      pick('x2', 2),
      pick('y2', 3),
      { opType: 'Sub', inputs: ['xs', 'x1'], outputs: ['left'] },
      { opType: 'Sub', inputs: ['x2', 'xs'], outputs: ['right'] },
      { opType: 'Sub', inputs: ['ys', 'y1'], outputs: ['top'] },
      { opType: 'Sub', inputs: ['y2', 'ys'], outputs: ['bottom'] },
      { opType: 'Min', inputs: ['left', 'right', 'top', 'bottom'], outputs: ['inside'] },
      { opType: 'Reshape', inputs: ['inside', 'shape_mask'], outputs: ['mask'] },
      ...CANDIDATE_OFFSETS.map((_, i) => ({
        opType: 'Add',
        inputs: ['mask', `offset_${i}`],
        outputs: [`candidate_${i}`],
      })),
      {
        opType: 'Concat',
        inputs: CANDIDATE_OFFSETS.map((_, i) => `candidate_${i}`),
        outputs: ['pred_masks'],
        attributes: [{ name: 'axis', int: 2 }],
      },
      { opType: 'Identity', inputs: ['scores'], outputs: ['iou_scores'] },
    ],
  });
}

/** The files of a model folder in the layout transformers.js' SamModel and SamProcessor load. */
export function boxSamFiles(options: BoxSamOptions): Map<string, Blob> {
  const json = (value: unknown) => new Blob([JSON.stringify(value)], { type: 'application/json' });
  const bytes = (data: Uint8Array) => new Blob([data as BlobPart]);
  return new Map([
    ['config.json', json({ model_type: 'sam', architectures: ['SamModel'] })],
    [
      'preprocessor_config.json',
      json({
        image_processor_type: 'SamImageProcessor',
        processor_class: 'SamProcessor',
        do_resize: true,
        size: { longest_edge: options.size },
        do_rescale: true,
        rescale_factor: 1 / 255,
        do_normalize: true,
        image_mean: [0.5, 0.5, 0.5],
        image_std: [0.5, 0.5, 0.5],
        do_pad: true,
        pad_size: { height: options.size, width: options.size },
        do_convert_rgb: true,
        resample: 2,
      }),
    ],
    ['onnx/vision_encoder.onnx', bytes(visionEncoder(options.size))],
    ['onnx/prompt_encoder_mask_decoder.onnx', bytes(maskDecoder(options))],
  ]);
}
