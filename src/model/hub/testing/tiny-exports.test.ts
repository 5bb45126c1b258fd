// The generated test exports declare exactly the session interfaces of the real onnx-community exports.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { tinyQwenVlFiles, type QwenVlFamily } from './tiny-qwen-vl';
import { tinySam2Files } from './tiny-sam2';

async function io(files: Map<string, Uint8Array | string>, path: string) {
  const session = await ort.InferenceSession.create(files.get(path) as Uint8Array);
  try {
    return { inputs: session.inputNames, outputs: session.outputNames };
  } finally {
    await session.release();
  }
}

describe('tiny exports', () => {
  it.each(['qwen2_vl', 'qwen2_5_vl', 'qwen3_vl'] as QwenVlFamily[])(
    '%s: vision encoder, embeddings, merged decoder',
    async (family) => {
      const files = tinyQwenVlFiles({ family, script: 'x' });
      const grid = family === 'qwen2_vl' ? 'grid_thw' : 'image_grid_thw';
      expect(await io(files, 'onnx/vision_encoder.onnx')).toEqual({
        inputs: ['pixel_values', grid],
        outputs: ['image_features'],
      });
      expect(await io(files, 'onnx/embed_tokens.onnx')).toEqual({
        inputs: ['input_ids'],
        outputs: ['inputs_embeds'],
      });
      expect(await io(files, 'onnx/decoder_model_merged.onnx')).toEqual({
        inputs: [
          'inputs_embeds',
          'attention_mask',
          'position_ids',
          'past_key_values.0.key',
          'past_key_values.0.value',
        ],
        outputs: ['logits', 'present.0.key', 'present.0.value'],
      });
      const config = JSON.parse(files.get('config.json') as string);
      expect(config.model_type).toBe(family);
      expect(JSON.parse(files.get('tokenizer_config.json') as string).chat_template).toContain(
        '<|vision_start|><|image_pad|><|vision_end|>',
      );
    },
  );

  it('SAM2: three feature levels, points + labels + boxes in, scores + masks + object score out', async () => {
    const files = tinySam2Files({ size: 32, maskSize: 8 });
    const levels = ['image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'];
    expect(await io(files, 'onnx/vision_encoder.onnx')).toEqual({
      inputs: ['pixel_values'],
      outputs: levels,
    });
    expect(await io(files, 'onnx/prompt_encoder_mask_decoder.onnx')).toEqual({
      inputs: ['input_points', 'input_labels', 'input_boxes', ...levels],
      outputs: ['iou_scores', 'pred_masks', 'object_score_logits'],
    });
  });
});
