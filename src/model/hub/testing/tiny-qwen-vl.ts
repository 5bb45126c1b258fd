// Tiny random Qwen-VL-family exports (Qwen2-VL, Qwen2.5-VL, Qwen3-VL) in the onnx-community layout transformers.js loads.
//
// Same files, input/output names and config keys as the real exports: onnx/vision_encoder.onnx (pixel_values +
// grid_thw or image_grid_thw → image_features), onnx/embed_tokens.onnx (input_ids → inputs_embeds) and
// onnx/decoder_model_merged.onnx (inputs_embeds, attention_mask, position_ids [3, B, S], past_key_values.0.key/value →
// logits, present.0.key/value), with a byte-level tokenizer, the Qwen2-VL chat template and a preprocessor config.
//
// The decoder is one random attention layer whose logits add a *script* on top of random noise: the generated token
// at step g gets a large logit on script[g] (then the end token), so a greedy decode writes the script exactly while
// the top-1/top-2 margins stay random. The step is read from the KV cache itself: every position written during a
// prefill (more than one new token) carries a marker in the last value channel, so step = cache length − prompt
// length. A decode loop that mishandles past_key_values therefore writes the wrong text.
import { Random } from '../../../webgpu/random';
import { floatTensor, int64Tensor, writeOnnxModel, type OnnxTensor } from '../../onnx/model-writer';
import { TINY_VOCAB_SIZE, tinyTokenId, tinyTokenIds, tinyTokenizerFiles } from './tiny-tokenizer';

export type QwenVlFamily = 'qwen2_vl' | 'qwen2_5_vl' | 'qwen3_vl';

export interface TinyQwenVlOptions {
  family: QwenVlFamily;
  /** What a greedy decode writes (UTF-8 bytes), followed by <|im_end|>. */
  script: string;
  /** Logit added to the scripted token; the random part has a standard deviation of about `noise`. */
  margin?: number;
  noise?: number;
  seed?: number;
  /** fp16 exports (fp16, q4f16) give float16 logits. Default float32. */
  logitsType?: 'float32' | 'float16';
  /** Bounds of the processor's smart_resize (pixels); small keeps tests fast. */
  minPixels?: number;
  maxPixels?: number;
}

export const TINY_HIDDEN = 16;
export const TINY_HEAD_DIM = 8;
const FLOAT = 1;
const INT64 = 7;

/** Patch geometry of each family's vision tower: Qwen3-VL uses 16-px patches, the others 14. */
export function patchSizeOf(family: QwenVlFamily): number {
  return family === 'qwen3_vl' ? 16 : 14;
}

/** Qwen2-VL's vision encoder names the grid input grid_thw; Qwen2.5-VL and Qwen3-VL call it image_grid_thw. */
export function gridInputName(family: QwenVlFamily): string {
  return family === 'qwen2_vl' ? 'grid_thw' : 'image_grid_thw';
}

function randomTensor(name: string, dims: number[], std: number, random: Random): OnnxTensor {
  return floatTensor(
    name,
    dims,
    random.normals(
      dims.reduce((a, b) => a * b, 1),
      0,
      std,
    ),
  );
}

function visionEncoder(family: QwenVlFamily, random: Random): Uint8Array {
  const patch = patchSizeOf(family);
  const features = 3 * 2 * patch * patch;
  const grid = gridInputName(family);
  return writeOnnxModel({
    graphName: `tiny_${family}_vision_encoder`,
    inputs: [
      { name: 'pixel_values', type: 'float', shape: ['num_patches', features] },
      { name: grid, type: 'int64', shape: ['num_images', 3] },
    ],
    outputs: [{ name: 'image_features', type: 'float', shape: ['num_merged_patches', TINY_HIDDEN] }],
    initializers: [
      int64Tensor('merged_shape', [2], [-1, 4 * features]),
      randomTensor('merger', [4 * features, TINY_HIDDEN], 1 / Math.sqrt(4 * features), random),
      floatTensor('zero', [], [0]),
    ],
    nodes: [
      // The processor lays out each 2×2 merge group as four consecutive patch rows: merge them into one.
      { opType: 'Reshape', inputs: ['pixel_values', 'merged_shape'], outputs: ['merged'] },
      { opType: 'MatMul', inputs: ['merged', 'merger'], outputs: ['projected'] },
      // The grid is part of the interface: read it (it adds nothing).
      { opType: 'Cast', inputs: [grid], outputs: ['grid_f'], attributes: [{ name: 'to', int: FLOAT }] },
      {
        opType: 'ReduceSum',
        inputs: ['grid_f'],
        outputs: ['grid_sum'],
        attributes: [{ name: 'keepdims', int: 0 }],
      },
      { opType: 'Mul', inputs: ['grid_sum', 'zero'], outputs: ['grid_zero'] },
      { opType: 'Add', inputs: ['projected', 'grid_zero'], outputs: ['image_features'] },
    ],
  });
}

function embedTokens(random: Random): Uint8Array {
  return writeOnnxModel({
    graphName: 'tiny_embed_tokens',
    inputs: [{ name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] }],
    outputs: [
      { name: 'inputs_embeds', type: 'float', shape: ['batch_size', 'sequence_length', TINY_HIDDEN] },
    ],
    initializers: [randomTensor('embed_table', [TINY_VOCAB_SIZE, TINY_HIDDEN], 1, random)],
    nodes: [
      {
        opType: 'Gather',
        inputs: ['embed_table', 'input_ids'],
        outputs: ['inputs_embeds'],
        attributes: [{ name: 'axis', int: 0 }],
      },
    ],
  });
}

/** Row g holds `margin` on the g-th scripted token; the last row (reached from then on) holds the end token. */
function scriptTable(script: readonly number[], margin: number): Float32Array {
  const table = new Float32Array(script.length * TINY_VOCAB_SIZE);
  script.forEach((token, row) => (table[row * TINY_VOCAB_SIZE + token] = margin));
  return table;
}

function decoder(
  script: readonly number[],
  margin: number,
  noise: number,
  random: Random,
  logitsType: 'float32' | 'float16',
): Uint8Array {
  const H = TINY_HIDDEN;
  const D = TINY_HEAD_DIM;
  const V = TINY_VOCAB_SIZE;
  const cacheShape = ['batch_size', 1, 'past_sequence_length', D];
  const presentShape = ['batch_size', 1, 'total_sequence_length', D];
  const node = (opType: string, inputs: string[], outputs: string[], attributes = {}) => ({
    opType,
    inputs,
    outputs,
    attributes: Object.entries(attributes).map(([name, value]) =>
      Array.isArray(value) ? { name, ints: value as number[] } : { name, int: value as number },
    ),
  });
  return writeOnnxModel({
    graphName: 'tiny_decoder_model_merged',
    inputs: [
      { name: 'inputs_embeds', type: 'float', shape: ['batch_size', 'sequence_length', H] },
      { name: 'attention_mask', type: 'int64', shape: ['batch_size', 'total_sequence_length'] },
      { name: 'position_ids', type: 'int64', shape: [3, 'batch_size', 'sequence_length'] },
      { name: 'past_key_values.0.key', type: 'float', shape: cacheShape },
      { name: 'past_key_values.0.value', type: 'float', shape: cacheShape },
    ],
    outputs: [
      {
        name: 'logits',
        type: logitsType === 'float16' ? 'float16' : 'float',
        shape: ['batch_size', 'sequence_length', V],
      },
      { name: 'present.0.key', type: 'float', shape: presentShape },
      { name: 'present.0.value', type: 'float', shape: presentShape },
    ],
    initializers: [
      randomTensor('wq', [H, D], 1 / Math.sqrt(H), random),
      randomTensor('wk', [H, D], 1 / Math.sqrt(H), random),
      randomTensor('wv', [H, D - 1], 1 / Math.sqrt(H), random),
      randomTensor('wo', [D, V], noise / Math.sqrt(D), random),
      floatTensor('zero_column', [H, 1], new Float32Array(H)),
      floatTensor('position_scale', [], [1e-4]),
      floatTensor('attention_scale', [], [1 / Math.sqrt(D)]),
      floatTensor('zero_f', [], [0]),
      floatTensor('one_f', [], [1]),
      floatTensor('first_step', [], [0]),
      floatTensor('last_step', [], [script.length - 1]),
      floatTensor('script', [script.length, V], scriptTable(script, margin)),
      int64Tensor('i0', [], [0]),
      int64Tensor('i1', [], [1]),
      int64Tensor('i2', [], [2]),
      int64Tensor('axis_1', [1], [1]),
      int64Tensor('axis_last', [1], [-1]),
      int64Tensor('marker_start', [1], [D - 1]),
      int64Tensor('marker_end', [1], [D]),
      int64Tensor('axis_3', [1], [3]),
      int64Tensor('cache_axes', [3], [1, 2, 3]),
    ],
    nodes: [
      // Hidden state: the embeddings plus a little of the temporal M-RoPE position.
      node('Gather', ['position_ids', 'i0'], ['position_t'], { axis: 0 }),
      node('Cast', ['position_t'], ['position_f'], { to: FLOAT }),
      node('Unsqueeze', ['position_f', 'axis_last'], ['position_u']),
      node('Mul', ['position_u', 'position_scale'], ['position_term']),
      node('Add', ['inputs_embeds', 'position_term'], ['hidden']),
      // Keys, and values whose last channel marks prefill positions (1) against decoded ones (0).
      node('MatMul', ['hidden', 'wq'], ['q3']),
      node('Unsqueeze', ['q3', 'axis_1'], ['q']),
      node('MatMul', ['hidden', 'wk'], ['k3']),
      node('Unsqueeze', ['k3', 'axis_1'], ['k_new']),
      node('Shape', ['inputs_embeds'], ['embeds_shape']),
      node('Gather', ['embeds_shape', 'i1'], ['new_length']),
      node('Greater', ['new_length', 'i1'], ['is_prefill']),
      node('Cast', ['is_prefill'], ['marker'], { to: FLOAT }),
      node('MatMul', ['hidden', 'zero_column'], ['zeros_column']),
      node('Add', ['zeros_column', 'marker'], ['marker_column']),
      node('MatMul', ['hidden', 'wv'], ['v_body']),
      node('Concat', ['v_body', 'marker_column'], ['v3'], { axis: -1 }),
      node('Unsqueeze', ['v3', 'axis_1'], ['v_new']),
      node('Concat', ['past_key_values.0.key', 'k_new'], ['present.0.key'], { axis: 2 }),
      node('Concat', ['past_key_values.0.value', 'v_new'], ['present.0.value'], { axis: 2 }),
      // One attention head over the whole cache (no causal mask: only the last position's logits are ever used).
      node('Transpose', ['present.0.key'], ['keys_t'], { perm: [0, 1, 3, 2] }),
      node('MatMul', ['q', 'keys_t'], ['scores']),
      node('Mul', ['scores', 'attention_scale'], ['scaled']),
      node('Softmax', ['scaled'], ['weights'], { axis: -1 }),
      node('MatMul', ['weights', 'present.0.value'], ['context4']),
      node('Squeeze', ['context4', 'axis_1'], ['context']),
      node('MatMul', ['context', 'wo'], ['noise_logits']),
      // Step of each new position: (cache length − new length + i + 1) − prompt length, clipped to the script.
      node('Slice', ['present.0.value', 'marker_start', 'marker_end', 'axis_3'], ['markers']),
      node('ReduceSum', ['markers', 'cache_axes'], ['prompt_length'], { keepdims: 0 }),
      node('Unsqueeze', ['prompt_length', 'axis_1'], ['prompt_length_u']),
      node('Shape', ['present.0.key'], ['cache_shape']),
      node('Gather', ['cache_shape', 'i2'], ['cache_length']),
      node('Cast', ['cache_length'], ['cache_length_f'], { to: FLOAT }),
      node('Cast', ['new_length'], ['new_length_f'], { to: FLOAT }),
      node('Sub', ['cache_length_f', 'new_length_f'], ['first_index']),
      node('Add', ['first_index', 'one_f'], ['first_next']),
      node('Range', ['i0', 'new_length', 'i1'], ['offsets']),
      node('Cast', ['offsets'], ['offsets_f'], { to: FLOAT }),
      node('Add', ['offsets_f', 'first_next'], ['next_index']),
      node('Sub', ['next_index', 'prompt_length_u'], ['step']),
      node('Clip', ['step', 'first_step', 'last_step'], ['step_clipped']),
      node('Cast', ['step_clipped'], ['step_index'], { to: INT64 }),
      node('Gather', ['script', 'step_index'], ['scripted'], { axis: 0 }),
      node('Add', ['scripted', 'noise_logits'], ['logits_body']),
      // The attention mask is part of the interface: read it (it adds nothing).
      node('Cast', ['attention_mask'], ['mask_f'], { to: FLOAT }),
      node('ReduceSum', ['mask_f'], ['mask_sum'], { keepdims: 0 }),
      node('Mul', ['mask_sum', 'zero_f'], ['mask_zero']),
      ...(logitsType === 'float16'
        ? [
            node('Add', ['logits_body', 'mask_zero'], ['logits_f32']),
            node('Cast', ['logits_f32'], ['logits'], { to: 10 }),
          ]
        : [node('Add', ['logits_body', 'mask_zero'], ['logits'])]),
    ],
  });
}

function configJson(family: QwenVlFamily): Record<string, unknown> {
  const text = {
    hidden_size: TINY_HIDDEN,
    intermediate_size: 2 * TINY_HIDDEN,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    num_key_value_heads: 1,
    head_dim: TINY_HEAD_DIM,
    vocab_size: TINY_VOCAB_SIZE,
    max_position_embeddings: 4096,
    rope_scaling: { type: 'mrope', mrope_section: [2, 1, 1] },
  };
  const vision = {
    depth: 1,
    hidden_size: TINY_HIDDEN,
    out_hidden_size: TINY_HIDDEN,
    in_chans: 3,
    patch_size: patchSizeOf(family),
    spatial_merge_size: 2,
    temporal_patch_size: 2,
  };
  const tokens = {
    bos_token_id: tinyTokenId('<|endoftext|>'),
    eos_token_id: tinyTokenId('<|im_end|>'),
    image_token_id: tinyTokenId('<|image_pad|>'),
    vision_start_token_id: tinyTokenId('<|vision_start|>'),
    vision_end_token_id: tinyTokenId('<|vision_end|>'),
  };
  const architecture = {
    qwen2_vl: 'Qwen2VLForConditionalGeneration',
    qwen2_5_vl: 'Qwen2_5_VLForConditionalGeneration',
    qwen3_vl: 'Qwen3VLForConditionalGeneration',
  }[family];
  // Qwen2-VL keeps the text settings at the top level; the newer configs nest them in text_config.
  return family === 'qwen2_vl'
    ? { architectures: [architecture], model_type: family, ...text, ...tokens, vision_config: vision }
    : {
        architectures: [architecture],
        model_type: family,
        ...tokens,
        text_config: { model_type: `${family}_text`, ...text, ...tokens },
        vision_config: { model_type: family, ...vision },
      };
}

function preprocessorConfig(family: QwenVlFamily, options: TinyQwenVlOptions): Record<string, unknown> {
  const processor = {
    qwen2_vl: 'Qwen2VLProcessor',
    qwen2_5_vl: 'Qwen2_5_VLProcessor',
    qwen3_vl: 'Qwen3VLProcessor',
  };
  const patch = patchSizeOf(family);
  return {
    image_processor_type: 'Qwen2VLImageProcessor',
    processor_class: processor[family],
    do_convert_rgb: true,
    do_resize: true,
    resample: 3,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.48145466, 0.4578275, 0.40821073],
    image_std: [0.26862954, 0.26130258, 0.27577711],
    min_pixels: options.minPixels ?? (2 * patch) ** 2,
    max_pixels: options.maxPixels ?? (8 * patch) ** 2,
    patch_size: patch,
    temporal_patch_size: 2,
    merge_size: 2,
  };
}

/** The token ids a greedy decode of this model writes: the script's bytes, then <|im_end|>. */
export function scriptTokens(script: string): number[] {
  return [...tinyTokenIds(script), tinyTokenId('<|im_end|>')];
}

/** Every file of the model folder, by path inside it. */
export function tinyQwenVlFiles(options: TinyQwenVlOptions): Map<string, Uint8Array | string> {
  const random = new Random(options.seed ?? 7);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const tokenizer = tinyTokenizerFiles();
  const end = tinyTokenId('<|im_end|>');
  return new Map<string, Uint8Array | string>([
    ['config.json', json(configJson(options.family))],
    ['generation_config.json', json({ eos_token_id: [end, tinyTokenId('<|endoftext|>')], do_sample: false })],
    ['preprocessor_config.json', json(preprocessorConfig(options.family, options))],
    ['tokenizer.json', tokenizer['tokenizer.json']],
    ['tokenizer_config.json', tokenizer['tokenizer_config.json']],
    ['onnx/vision_encoder.onnx', visionEncoder(options.family, random)],
    ['onnx/embed_tokens.onnx', embedTokens(random)],
    [
      'onnx/decoder_model_merged.onnx',
      decoder(
        scriptTokens(options.script),
        options.margin ?? 12,
        options.noise ?? 1,
        random,
        options.logitsType ?? 'float32',
      ),
    ],
  ]);
}
