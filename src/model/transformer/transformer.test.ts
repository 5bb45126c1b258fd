// The decoder: HF names, config checks, cached = uncached forward, prefix embeddings, quantised base, safetensors.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend, embedding, fromArray, keep, scope } from '../../webgpu';
import { dequantizeWeights, quantizeWeights } from '../../webgpu/wasm/quantize';
import { dequantizeHalfWeights, quantizeHalfWeights } from '../../webgpu/wasm/quantize-f16';
import { KvCache } from '../generate';
import {
  DenseLinear,
  ModelConfigError,
  Transformer,
  ModelWeightError,
  configFromHuggingFace,
  expectedWeights,
  transformerConfig,
} from '.';
import { TINY_CONFIG, cachedChunks, hostLogits, ids, maxAbsDiff, tinyModel } from './test-support';
import type { QuantizeOptions } from './linear';
import { loadTransformer, saveTransformer } from './weights-io';
import { expandKvHeads } from './expand-kv-heads';

const PROMPT = [3, 7, 1, 12, 5, 9, 2, 20];

describe('Transformer', () => {
  it('names its weights as Hugging Face Qwen2 does', () => {
    const names = [...expectedWeights(TINY_CONFIG).keys()];
    expect(names).toContain('model.embed_tokens.weight');
    expect(names).toContain('model.layers.1.self_attn.q_proj.bias');
    expect(names).toContain('model.layers.0.mlp.down_proj.weight');
    expect(names).toContain('lm_head.weight');
    expect(names).not.toContain('model.layers.0.self_attn.o_proj.bias');
    const tied = expectedWeights({ ...TINY_CONFIG, tiedEmbeddings: true });
    expect(tied.has('lm_head.weight')).toBe(false);
  });

  it('rejects inconsistent configs and missing weights with typed errors', () => {
    expect(() => transformerConfig({ ...TINY_CONFIG, kvHeads: 3 })).toThrow(ModelConfigError);
    expect(() => transformerConfig({ ...TINY_CONFIG, ropeSections: [3, 3] })).toThrow(ModelConfigError);
    const hf = configFromHuggingFace({
      vocab_size: 100,
      hidden_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 128,
      rope_theta: 1e6,
      tie_word_embeddings: true,
    });
    expect(hf).toMatchObject({ headDim: 16, kvHeads: 2, tiedEmbeddings: true, ropeTheta: 1e6 });
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const weights = model.namedTensors();
    weights.delete('model.norm.weight');
    expect(() => new Transformer(TINY_CONFIG, weights)).toThrow(ModelWeightError);
    model.dispose();
  });

  const SHIFTED = transformerConfig({ ...TINY_CONFIG, tokenShift: 3 });
  const POINTED = transformerConfig({ ...SHIFTED, pointer: { layer: 1, head: 1 } });

  it.each([
    ['plain', TINY_CONFIG],
    ['token shift 3', SHIFTED],
    ['token shift 3 + pointer', POINTED],
  ])('gives the same logits with a KV cache fed in chunks as one full forward (%s)', async (_, config) => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend, 1, config);
    const full = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT, [...PROMPT].reverse()]) }));
    const cache = KvCache.forModel(config, 2);
    const parts = await cachedChunks(model, [PROMPT, [...PROMPT].reverse()], cache);
    cache.dispose();
    // Reassemble [batch, seq, vocab] from the chunks.
    const v = TINY_CONFIG.vocab;
    const chunked = new Float32Array(full.length);
    let t0 = 0;
    for (const part of parts) {
      const len = part.length / (2 * v);
      for (let b = 0; b < 2; b++)
        chunked.set(part.subarray(b * len * v, (b + 1) * len * v), (b * 8 + t0) * v);
      t0 += len;
    }
    expect(maxAbsDiff(chunked, full)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('token shift feeds each position the embeddings before it: earlier tokens change later logits only', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend, 1, SHIFTED);
    const names = [...model.namedTensors().keys()];
    expect(names).toEqual(
      expect.arrayContaining(['model.token_shift.1.weight', 'model.token_shift.3.weight']),
    );
    const base = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    const changed = [...PROMPT];
    changed[4] = 11;
    const other = await hostLogits(model, () => ({ inputIds: ids(model, [changed]) }));
    const v = TINY_CONFIG.vocab;
    expect(maxAbsDiff(base.slice(0, 4 * v), other.slice(0, 4 * v))).toBe(0);
    expect(maxAbsDiff(base.slice(5 * v), other.slice(5 * v))).toBeGreaterThan(1e-4);
    // Without the shift weights the model is the plain decoder with the same other weights.
    const plainWeights = model.namedTensors();
    for (const name of names) if (name.startsWith('model.token_shift')) plainWeights.delete(name);
    const plain = new Transformer(TINY_CONFIG, plainWeights);
    const plainLogits = await hostLogits(plain, () => ({ inputIds: ids(plain, [PROMPT]) }));
    expect(maxAbsDiff(base.slice(0, v), plainLogits.slice(0, v))).toBe(0);
    expect(maxAbsDiff(base, plainLogits)).toBeGreaterThan(1e-4);
    model.dispose();
  });

  it('widened to more KV heads (each a copy of the one its queries read), computes the same logits', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend, 3);
    const base = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    const wide = transformerConfig({ ...TINY_CONFIG, kvHeads: 4 });
    const weights = model.namedTensors();
    for (const [name, tensor] of expandKvHeads(weights, TINY_CONFIG, wide)) weights.set(name, tensor);
    const widened = new Transformer(wide, weights);
    expect(widened.namedTensors().get('model.layers.0.self_attn.k_proj.bias')?.shape).toEqual([
      4 * TINY_CONFIG.headDim,
    ]);
    const logits = await hostLogits(widened, () => ({ inputIds: ids(widened, [PROMPT]) }));
    expect(maxAbsDiff(logits, base)).toBeLessThan(1e-5);
    expect(() => expandKvHeads(weights, TINY_CONFIG, { ...TINY_CONFIG, kvHeads: 3 })).toThrow(
      ModelConfigError,
    );
    model.dispose();
  });

  it('treats prefix embeddings exactly like the embedded tokens they stand for', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend);
    const full = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    const prefix = scope(() =>
      keep(embedding(model.tensorAt('model.embed_tokens.weight'), ids(model, [PROMPT.slice(0, 3)]))),
    );
    const split = await hostLogits(model, () => ({
      prefixEmbeddings: prefix,
      inputIds: ids(model, [PROMPT.slice(3)]),
    }));
    expect(maxAbsDiff(split, full)).toBe(0);
    prefix.dispose();
    model.dispose();
  });

  it('runs q8/q4/f16 projections exactly as the dequantised f32 weights, and frees everything it allocated', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const before = backend.liveStorageCount();
    const packings: QuantizeOptions[] = [
      { bits: 8, groupSize: 16 },
      { bits: 4, groupSize: 16 },
      { bits: 16 },
    ];
    for (const packing of packings) {
      const packedModel = tinyModel(backend);
      const dequantisedModel = tinyModel(backend);
      await packedModel.quantize(packing);
      expect(packedModel.linearAt('model.layers.0.self_attn.q_proj').kind).toBe('quantized');
      expect(packedModel.linearAt('lm_head').kind).toBe('dense');
      for (const path of dequantisedModel.linearPaths.filter((p) => p !== 'lm_head')) {
        const dense = dequantisedModel.linearAt(path) as DenseLinear;
        const values = (await dense.weight.data()) as Float32Array;
        const [n, k] = [dense.outFeatures, dense.inFeatures];
        const decoded =
          packing.bits === 16
            ? dequantizeHalfWeights(quantizeHalfWeights(values, n, k))
            : dequantizeWeights(quantizeWeights(values, n, k, packing.bits, packing.groupSize));
        const weight = keep(fromArray(decoded, dense.weight.shape, { backend }));
        dequantisedModel.replaceLinear(path, new DenseLinear(weight, dense.bias));
        dense.weight.dispose();
      }
      const packed = await hostLogits(packedModel, () => ({ inputIds: ids(packedModel, [PROMPT]) }));
      const reference = await hostLogits(dequantisedModel, () => ({
        inputIds: ids(dequantisedModel, [PROMPT]),
      }));
      expect(maxAbsDiff(packed, reference)).toBeLessThan(1e-4);
      packedModel.dispose();
      dequantisedModel.dispose();
    }
    expect(backend.liveStorageCount()).toBe(before);
  });

  it('round-trips through safetensors with identical logits, config in the metadata', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const model = tinyModel(backend, 5);
    const bytes = await saveTransformer(model, { model_id: 'tiny' });
    const loaded = loadTransformer(bytes, { backend });
    expect(loaded.config).toEqual(model.config);
    const a = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    const b = await hostLogits(loaded, () => ({ inputIds: ids(loaded, [PROMPT]) }));
    expect(maxAbsDiff(a, b)).toBe(0);
    model.dispose();
    loaded.dispose();
  });
});
