// A tiny SAM2-layout export (onnx-community/sam2.1-hiera-*-ONNX names) whose best mask is the prompt's bounding region.
//
// vision_encoder.onnx: pixel_values → image_embeddings.0/1/2 (strides 4, 8, 16, like SAM2's three feature levels);
// prompt_encoder_mask_decoder.onnx: input_points [B, 1, N, 2], input_labels [B, 1, N], input_boxes [B, nb, 4] (nb may
// be 0), the three embeddings → iou_scores [B, 1, 3], pred_masks [B, 1, 3, M, M], object_score_logits [B, 1, 1].
// The decoder's mask is the bounding box of every prompt coordinate (box corners and points), so a box + two inner
// points gives the box, points alone their hull, and a box alone the box: a known answer for each prompt kind.
import { Random } from '../../../webgpu/random';
import { floatTensor, int64Tensor, writeOnnxModel } from '../../onnx/model-writer';

export interface TinySam2Options {
  /** Model input side (the processor resizes to size × size, aspect ratio not kept, like SAM2's 1024). */
  size: number;
  /** Side of the low-resolution mask grid (SAM2: 256 for 1024). */
  maskSize: number;
  seed?: number;
}

/** Three candidates; the best-scored one is exactly the region, the others are shrunk, so a wrong pick shows. */
export const SAM2_CANDIDATE_SCORES = [0.5, 0.95, 0.2];
const CANDIDATE_OFFSETS = [-4, 0, -8];
const LEVELS = [
  { stride: 4, channels: 4 },
  { stride: 8, channels: 4 },
  { stride: 16, channels: 8 },
];

function visionEncoder(size: number, random: Random): Uint8Array {
  return writeOnnxModel({
    graphName: 'tiny_sam2_vision_encoder',
    inputs: [{ name: 'pixel_values', type: 'float', shape: ['batch_size', 3, size, size] }],
    outputs: LEVELS.map(({ stride, channels }, i) => ({
      name: `image_embeddings.${i}`,
      type: 'float' as const,
      shape: ['batch_size', channels, size / stride, size / stride],
    })),
    initializers: LEVELS.map(({ channels }, i) =>
      floatTensor(`project_${i}`, [channels, 3, 1, 1], random.normals(channels * 3, 0, 0.5)),
    ),
    nodes: LEVELS.flatMap(({ stride }, i) => [
      {
        opType: 'AveragePool',
        inputs: ['pixel_values'],
        outputs: [`pooled_${i}`],
        attributes: [
          { name: 'kernel_shape', ints: [stride, stride] },
          { name: 'strides', ints: [stride, stride] },
        ],
      },
      { opType: 'Conv', inputs: [`pooled_${i}`, `project_${i}`], outputs: [`image_embeddings.${i}`] },
    ]),
  });
}

function maskDecoder({ size, maskSize }: TinySam2Options): Uint8Array {
  const centres = Float32Array.from({ length: maskSize }, (_, i) => ((i + 0.5) * size) / maskSize);
  const reduce = (op: string, input: string, output: string) => ({
    opType: op,
    inputs: [input],
    outputs: [output],
    attributes: [
      { name: 'axes', ints: [2] },
      { name: 'keepdims', int: 0 },
    ],
  });
  const coordinate = (index: number, output: string) => ({
    opType: 'Gather',
    inputs: ['corners', `index_${index}`],
    outputs: [output],
    attributes: [{ name: 'axis', int: 3 }],
  });
  const embeddingTerms = LEVELS.flatMap((_, i) => [
    {
      opType: 'ReduceSum',
      inputs: [`image_embeddings.${i}`],
      outputs: [`embedding_sum_${i}`],
      attributes: [{ name: 'keepdims', int: 0 }],
    },
    { opType: 'Mul', inputs: [`embedding_sum_${i}`, 'zero'], outputs: [`embedding_zero_${i}`] },
  ]);
  return writeOnnxModel({
    graphName: 'tiny_sam2_prompt_encoder_mask_decoder',
    inputs: [
      { name: 'input_points', type: 'float', shape: ['batch_size', 'point_batch_size', 'num_points', 2] },
      { name: 'input_labels', type: 'int64', shape: ['batch_size', 'point_batch_size', 'num_points'] },
      { name: 'input_boxes', type: 'float', shape: ['batch_size', 'num_boxes', 4] },
      ...LEVELS.map(({ stride, channels }, i) => ({
        name: `image_embeddings.${i}`,
        type: 'float' as const,
        shape: ['batch_size', channels, size / stride, size / stride],
      })),
    ],
    outputs: [
      { name: 'iou_scores', type: 'float', shape: ['batch_size', 'point_batch_size', 3] },
      { name: 'pred_masks', type: 'float', shape: ['batch_size', 'point_batch_size', 3, maskSize, maskSize] },
      { name: 'object_score_logits', type: 'float', shape: ['batch_size', 'point_batch_size', 1] },
    ],
    initializers: [
      floatTensor('xs', [1, maskSize], centres),
      floatTensor('ys', [maskSize, 1], centres),
      floatTensor('zero', [], [0]),
      int64Tensor('corner_shape', [4], [1, 1, -1, 2]),
      int64Tensor('index_0', [], [0]),
      int64Tensor('index_1', [], [1]),
      int64Tensor('mask_shape', [5], [1, 1, 1, maskSize, maskSize]),
      ...CANDIDATE_OFFSETS.map((o, i) => floatTensor(`offset_${i}`, [], [o])),
      floatTensor('scores', [1, 1, 3], SAM2_CANDIDATE_SCORES),
      floatTensor('object_score', [1, 1, 1], [8]),
    ],
    nodes: [
      // Box corners and points together: [1, 1, 2·nb + N, 2]; either part may be empty.
      { opType: 'Reshape', inputs: ['input_boxes', 'corner_shape'], outputs: ['box_corners'] },
      {
        opType: 'Concat',
        inputs: ['box_corners', 'input_points'],
        outputs: ['corners'],
        attributes: [{ name: 'axis', int: 2 }],
      },
      coordinate(0, 'all_x'),
      coordinate(1, 'all_y'),
      reduce('ReduceMin', 'all_x', 'x1'),
      reduce('ReduceMax', 'all_x', 'x2'),
      reduce('ReduceMin', 'all_y', 'y1'),
      reduce('ReduceMax', 'all_y', 'y2'),
      { opType: 'Sub', inputs: ['xs', 'x1'], outputs: ['left'] },
      { opType: 'Sub', inputs: ['x2', 'xs'], outputs: ['right'] },
      { opType: 'Sub', inputs: ['ys', 'y1'], outputs: ['top'] },
      { opType: 'Sub', inputs: ['y2', 'ys'], outputs: ['bottom'] },
      { opType: 'Min', inputs: ['left', 'right', 'top', 'bottom'], outputs: ['inside'] },
      // The labels and embeddings are part of the interface: read them (they add nothing).
      {
        opType: 'Cast',
        inputs: ['input_labels'],
        outputs: ['labels_f'],
        attributes: [{ name: 'to', int: 1 }],
      },
      {
        opType: 'ReduceSum',
        inputs: ['labels_f'],
        outputs: ['labels_sum'],
        attributes: [{ name: 'keepdims', int: 0 }],
      },
      { opType: 'Mul', inputs: ['labels_sum', 'zero'], outputs: ['labels_zero'] },
      ...embeddingTerms,
      {
        opType: 'Sum',
        inputs: ['inside', 'labels_zero', ...LEVELS.map((_, i) => `embedding_zero_${i}`)],
        outputs: ['region'],
      },
      { opType: 'Reshape', inputs: ['region', 'mask_shape'], outputs: ['mask'] },
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
      { opType: 'Identity', inputs: ['object_score'], outputs: ['object_score_logits'] },
    ],
  });
}

/** The files of a model folder in the layout transformers.js' Sam2Model and Sam2Processor load. */
export function tinySam2Files(options: TinySam2Options): Map<string, Uint8Array | string> {
  const random = new Random(options.seed ?? 11);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return new Map<string, Uint8Array | string>([
    [
      'config.json',
      json({
        model_type: 'sam2',
        architectures: ['Sam2Model'],
        vision_config: { model_type: 'sam2_vision_model', num_feature_levels: LEVELS.length },
        prompt_encoder_config: { image_size: options.size },
        mask_decoder_config: {},
      }),
    ],
    [
      'preprocessor_config.json',
      json({
        image_processor_type: 'Sam2ImageProcessorFast',
        processor_class: 'Sam2Processor',
        do_convert_rgb: true,
        do_resize: true,
        size: { height: options.size, width: options.size },
        resample: 2,
        do_rescale: true,
        rescale_factor: 1 / 255,
        do_normalize: true,
        image_mean: [0.485, 0.456, 0.406],
        image_std: [0.229, 0.224, 0.225],
        mask_size: { height: options.maskSize, width: options.maskSize },
      }),
    ],
    ['onnx/vision_encoder.onnx', visionEncoder(options.size, random)],
    ['onnx/prompt_encoder_mask_decoder.onnx', maskDecoder(options)],
  ]);
}
