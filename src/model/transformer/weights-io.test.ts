// Quantised checkpoints: q8/q4 projections round-trip bit-exactly through safetensors; bad files give typed errors.
import { describe, expect, it } from 'vitest';
import {
  ReferenceBackend,
  SafetensorsError,
  decodeEntry,
  readSafetensors,
  writeSafetensors,
} from '../../webgpu';
import type { TensorToWrite, WritableDType } from '../../webgpu';
import { ModelWeightError } from './errors';
import { QuantizedLinear } from './linear';
import { hostLogits, ids, maxAbsDiff, tinyModel } from './test-support';
import type { Transformer } from './transformer';
import { QUANTIZATION_METADATA_KEY, loadTransformer, saveTransformer } from './weights-io';

const PROMPT = [3, 7, 1, 12, 5];
/** 20 does not divide dim 32 or ffn 48: the last group of every row is partial. */
const GROUP = 20;

/** A tiny model with every projection (LM head included) packed at `bits`. */
async function packedModel(backend: ReferenceBackend, bits: 8 | 4): Promise<Transformer> {
  const model = tinyModel(backend, 3);
  await model.quantize({ bits, groupSize: GROUP }, () => true);
  return model;
}

/** Re-serialises a file with its metadata (and optionally its tensors) changed. */
function rewrite(
  bytes: Uint8Array,
  edit: (metadata: Record<string, string>, tensors: Record<string, TensorToWrite>) => void,
): Uint8Array {
  const file = readSafetensors(bytes);
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, entry] of file.entries) {
    tensors[name] = { dtype: entry.dtype as WritableDType, shape: entry.shape, data: decodeEntry(entry) };
  }
  const metadata = { ...file.metadata };
  edit(metadata, tensors);
  return writeSafetensors(tensors, metadata);
}

describe('quantised safetensors', () => {
  for (const bits of [8, 4] as const) {
    it(`q${bits}: packed bytes, scales, dense tensors and logits survive save → load exactly`, async () => {
      const backend = new ReferenceBackend({ poison: true });
      const live = backend.liveStorageCount();
      const model = await packedModel(backend, bits);
      const bytes = await saveTransformer(model);
      const file = readSafetensors(bytes);
      const qProj = 'model.layers.0.self_attn.q_proj';
      expect(file.entries.get(`${qProj}.qweight`)).toMatchObject({
        dtype: bits === 8 ? 'I8' : 'U8',
        shape: [32, bits === 8 ? 32 : 16],
      });
      expect(file.entries.get(`${qProj}.scales`)).toMatchObject({ dtype: 'F32', shape: [32, 2] });
      expect(file.entries.has(`${qProj}.weight`)).toBe(false);
      const declared = JSON.parse(file.metadata[QUANTIZATION_METADATA_KEY] ?? '{}') as Record<
        string,
        unknown
      >;
      expect(Object.keys(declared)).toEqual(model.linearPaths);
      expect(declared[qProj]).toEqual({ bits, groupSize: GROUP });

      const loaded = loadTransformer(bytes, { backend });
      for (const path of model.linearPaths) {
        const [a, b] = [model.linearAt(path), loaded.linearAt(path)];
        expect(a).toBeInstanceOf(QuantizedLinear);
        expect(b).toBeInstanceOf(QuantizedLinear);
        const [original, reloaded] = await Promise.all(
          [a, b].map((layer) => (layer as QuantizedLinear).weight.download()),
        );
        expect(reloaded).toEqual(original);
      }
      for (const [name, tensor] of model.namedTensors()) {
        expect(await loaded.namedTensors().get(name)?.data()).toEqual(await tensor.data());
      }
      const before = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
      const after = await hostLogits(loaded, () => ({ inputIds: ids(loaded, [PROMPT]) }));
      expect(maxAbsDiff(before, after)).toBe(0);
      model.dispose();
      loaded.dispose();
      expect(backend.liveStorageCount()).toBe(live);
    });
  }

  it('gives SafetensorsError for a truncated or corrupt file, freeing nothing it did not allocate', async () => {
    const backend = new ReferenceBackend();
    const model = await packedModel(backend, 4);
    const bytes = await saveTransformer(model);
    model.dispose();
    const live = backend.liveStorageCount();
    expect(() => loadTransformer(bytes.subarray(0, bytes.length - 5), { backend })).toThrow(SafetensorsError);
    const corrupt = bytes.slice();
    corrupt[3] = 0xff; // header length far beyond the file
    expect(() => loadTransformer(corrupt, { backend })).toThrow(SafetensorsError);
    expect(backend.liveStorageCount()).toBe(live);
  });

  it('gives ModelWeightError when packed entries and their metadata disagree, freeing what it loaded', async () => {
    const backend = new ReferenceBackend();
    const model = await packedModel(backend, 4);
    const bytes = await saveTransformer(model);
    model.dispose();
    const live = backend.liveStorageCount();
    const path = 'model.layers.1.mlp.down_proj';
    const withSpec = (spec: unknown) =>
      rewrite(bytes, (metadata) => {
        const specs = JSON.parse(metadata[QUANTIZATION_METADATA_KEY] ?? '{}') as Record<string, unknown>;
        metadata[QUANTIZATION_METADATA_KEY] = JSON.stringify({ ...specs, [path]: spec });
      });
    const broken = [
      withSpec({ bits: 8, groupSize: GROUP }), // U8 nibbles declared as int8
      withSpec({ bits: 4, groupSize: 8 }), // 6 scales per row expected, the file has 3
      withSpec({ bits: 3, groupSize: GROUP }),
      rewrite(bytes, (metadata) => {
        const specs = JSON.parse(metadata[QUANTIZATION_METADATA_KEY] ?? '{}') as Record<string, unknown>;
        delete specs[path];
        metadata[QUANTIZATION_METADATA_KEY] = JSON.stringify(specs);
      }),
      rewrite(bytes, (_metadata, tensors) => {
        delete tensors[`${path}.scales`];
      }),
    ];
    for (const file of broken) expect(() => loadTransformer(file, { backend })).toThrow(ModelWeightError);
    expect(backend.liveStorageCount()).toBe(live);
  });
});
