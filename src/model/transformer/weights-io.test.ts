// Quantised checkpoints: q8/q4/f16 projections round-trip bit-exactly through safetensors, F32/F16/BF16 load as f16; bad files give typed errors.
import { describe, expect, it } from 'vitest';
import {
  ReferenceBackend,
  SafetensorsError,
  decodeEntry,
  decodeEntryAsF16,
  readSafetensors,
  writeSafetensors,
} from '../../webgpu';
import type { SafetensorsEntry, TensorToWrite, WritableDType } from '../../webgpu';
import { ModelWeightError } from './errors';
import { QuantizedLinear } from './linear';
import { hostLogits, ids, maxAbsDiff, tinyModel } from './test-support';
import type { Transformer } from './transformer';
import { QUANTIZATION_METADATA_KEY, loadTransformer, saveTransformer } from './weights-io';

const PROMPT = [3, 7, 1, 12, 5];
/** 20 does not divide dim 32 or ffn 48: the last group of every row is partial. */
const GROUP = 20;

/** A tiny model with every projection (LM head included) packed at `bits` (16: f16). */
async function packedModel(backend: ReferenceBackend, bits: 8 | 4 | 16): Promise<Transformer> {
  const model = tinyModel(backend, 3);
  await model.quantize(bits === 16 ? { bits } : { bits, groupSize: GROUP }, () => true);
  return model;
}

/** safetensors bytes from raw entries (any dtype, BF16 included, which writeSafetensors cannot encode). */
function rawFile(
  entries: ReadonlyMap<string, SafetensorsEntry>,
  metadata: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, { dtype, shape, bytes }] of entries) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let cursor = 8 + json.byteLength;
  for (const { bytes } of entries.values()) {
    out.set(bytes, cursor);
    cursor += bytes.byteLength;
  }
  return out;
}

/** F32 entry bytes as BF16: the top 16 bits of each value. */
function asBf16(entry: SafetensorsEntry): SafetensorsEntry {
  const words = new Uint32Array(entry.bytes.slice().buffer);
  return {
    dtype: 'BF16',
    shape: entry.shape,
    bytes: new Uint8Array(Uint16Array.from(words, (w) => w >>> 16).buffer),
  };
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

  it('f16: projections are plain F16 .weight entries declared as bits 16, and survive save → load exactly', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const live = backend.liveStorageCount();
    const model = await packedModel(backend, 16);
    const bytes = await saveTransformer(model);
    const file = readSafetensors(bytes);
    const qProj = 'model.layers.0.self_attn.q_proj';
    expect(file.entries.get(`${qProj}.weight`)).toMatchObject({ dtype: 'F16', shape: [32, 32] });
    expect(file.entries.has(`${qProj}.qweight`)).toBe(false);
    const declared = JSON.parse(file.metadata[QUANTIZATION_METADATA_KEY] ?? '{}') as Record<string, unknown>;
    expect(declared[qProj]).toEqual({ bits: 16 });
    const loaded = loadTransformer(bytes, { backend });
    for (const path of model.linearPaths) {
      const original = await (model.linearAt(path) as QuantizedLinear).weight.download();
      const reloaded = await (loaded.linearAt(path) as QuantizedLinear).weight.download();
      expect(reloaded.bits).toBe(16);
      expect(Array.from(reloaded.data)).toEqual(Array.from(original.data));
    }
    const before = await hostLogits(model, () => ({ inputIds: ids(model, [PROMPT]) }));
    const after = await hostLogits(loaded, () => ({ inputIds: ids(loaded, [PROMPT]) }));
    expect(maxAbsDiff(before, after)).toBe(0);
    model.dispose();
    loaded.dispose();
    expect(backend.liveStorageCount()).toBe(live);
  });

  it('halfProjections: F32, F16 and BF16 checkpoints load every projection but the LM head as packed f16', async () => {
    const backend = new ReferenceBackend({ poison: true });
    const live = backend.liveStorageCount();
    const dense = tinyModel(backend, 4);
    const f32 = readSafetensors(await saveTransformer(dense));
    const projection = (name: string) => name.endsWith('_proj.weight');
    const variants = {
      F32: f32.entries,
      F16: readSafetensors(
        writeSafetensors(
          Object.fromEntries(
            [...f32.entries].map(([name, entry]) => [
              name,
              { dtype: projection(name) ? 'F16' : 'F32', shape: entry.shape, data: decodeEntry(entry) },
            ]),
          ),
        ),
      ).entries,
      BF16: new Map(
        [...f32.entries].map(([name, entry]) => [name, projection(name) ? asBf16(entry) : entry]),
      ),
    };
    // The same packing Transformer.quantize({ bits: 16 }) gives from the f32 weights.
    await dense.quantize({ bits: 16 });
    const quantizedLogits = await hostLogits(dense, () => ({ inputIds: ids(dense, [PROMPT]) }));
    for (const [dtype, entries] of Object.entries(variants)) {
      const loaded = loadTransformer(rawFile(entries, f32.metadata), { backend, halfProjections: true });
      expect(loaded.linearAt('lm_head').kind, dtype).toBe('dense');
      const qProj = 'model.layers.1.self_attn.q_proj';
      const layer = loaded.linearAt(qProj) as QuantizedLinear;
      expect(layer.kind, dtype).toBe('quantized');
      const halves = await layer.weight.download();
      const want = decodeEntryAsF16(entries.get(`${qProj}.weight`) as SafetensorsEntry);
      expect(Array.from(halves.data), dtype).toEqual(Array.from(want));
      const logits = await hostLogits(loaded, () => ({ inputIds: ids(loaded, [PROMPT]) }));
      // F32 and F16 round to the same halves as quantize; BF16 first dropped 16 mantissa bits.
      expect(maxAbsDiff(logits, quantizedLogits), dtype).toBeLessThan(dtype === 'BF16' ? 0.05 : 1e-12);
      loaded.dispose();
    }
    dense.dispose();
    expect(backend.liveStorageCount()).toBe(live);
  });

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
      withSpec({ bits: 16 }), // no F16 down_proj.weight, only .qweight / .scales
    ];
    for (const file of broken) expect(() => loadTransformer(file, { backend })).toThrow(ModelWeightError);
    expect(backend.liveStorageCount()).toBe(live);
  });

  it('gives ModelWeightError for an f16 projection stored as F32 or a half projection of the wrong shape', async () => {
    const backend = new ReferenceBackend();
    const model = await packedModel(backend, 16);
    const bytes = await saveTransformer(model);
    model.dispose();
    const live = backend.liveStorageCount();
    const path = 'model.layers.0.mlp.up_proj';
    const asF32 = rewrite(bytes, (_metadata, tensors) => {
      tensors[`${path}.weight`] = { ...(tensors[`${path}.weight`] as TensorToWrite), dtype: 'F32' };
    });
    expect(() => loadTransformer(asF32, { backend })).toThrow(ModelWeightError);
    const dense = tinyModel(backend, 2);
    const wrongShape = rewrite(await saveTransformer(dense), (_metadata, tensors) => {
      const weight = tensors[`${path}.weight`] as TensorToWrite;
      tensors[`${path}.weight`] = { ...weight, shape: [...weight.shape].reverse() };
    });
    dense.dispose();
    expect(() => loadTransformer(wrongShape, { backend, halfProjections: true })).toThrow(ModelWeightError);
    expect(backend.liveStorageCount()).toBe(live);
  });
});
