// Saves a decoder to safetensors (HF names, config in the metadata, q8/q4/f16 projections packed) and loads it back.
import {
  QuantizedTensor,
  decodeEntry,
  decodeEntryAsF16,
  fromArray,
  keep,
  readSafetensors,
  writeSafetensors,
  zeros,
} from '../../webgpu';
import type {
  Backend,
  PackedWeights,
  SafetensorsEntry,
  SafetensorsFile,
  Tensor,
  TensorToWrite,
} from '../../webgpu';
import { quantizedLayout } from '../../webgpu/wasm/quantize';
import type { QuantizedWeights } from '../../webgpu/wasm/quantize';
import { dequantizeHalfWeights, halfWeightsOf } from '../../webgpu/wasm/quantize-f16';
import type { TransformerConfig } from './config';
import { ModelWeightError } from './errors';
import { QuantizedLinear } from './linear';
import type { DenseLinear, QuantizeOptions } from './linear';
import { LM_HEAD, expectedWeights, linearPaths } from './names';
import { Transformer } from './transformer';

/** Metadata key holding the JSON config, so a file is self-describing. */
export const CONFIG_METADATA_KEY = 'pixelthink.transformer_config';

/** Metadata key holding `{"<module path>": {"bits": 8 | 4, "groupSize": g} | {"bits": 16}}` for every packed projection. */
export const QUANTIZATION_METADATA_KEY = 'pixelthink.quantization';

const QWEIGHT = '.qweight';
const SCALES = '.scales';
const WEIGHT = '.weight';

/** How one projection is packed: the quantisation options it was packed with. */
type PackedSpec = QuantizeOptions;

/**
 * safetensors bytes of the model. Dense tensors are F32 under their HF names. A q8/q4 projection at module path P
 * [n, k] is stored packed, exactly as the kernels read it: `P.qweight` (q8: I8 [n, k]; q4: U8 [n, ceil(k/2)], low
 * nibble = even input, level + 8) and `P.scales` (F32 [n, ceil(k / groupSize)], one scale per group of inputs), with
 * its bits and group size under QUANTIZATION_METADATA_KEY; an f16 projection is a plain `P.weight` F16 [n, k] (any
 * fp16 reader loads it) declared as bits 16. Biases stay `P.bias` (F32).
 */
export async function saveTransformer(
  model: Transformer,
  metadata: Readonly<Record<string, string>> = {},
): Promise<Uint8Array> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, tensor] of model.namedTensors()) {
    tensors[name] = { dtype: 'F32', shape: tensor.shape, data: await tensor.data() };
  }
  const packed: Record<string, PackedSpec> = {};
  for (const path of model.linearPaths) {
    const layer = model.linearAt(path);
    if (!(layer instanceof QuantizedLinear)) continue;
    const host = await layer.weight.download();
    Object.assign(tensors, packedTensors(path, host));
    packed[path] = host.bits === 16 ? { bits: 16 } : { bits: host.bits, groupSize: host.groupSize };
  }
  const fileMetadata: Record<string, string> = {
    ...metadata,
    [CONFIG_METADATA_KEY]: JSON.stringify(model.config),
  };
  if (Object.keys(packed).length > 0) fileMetadata[QUANTIZATION_METADATA_KEY] = JSON.stringify(packed);
  return writeSafetensors(tensors, fileMetadata);
}

function packedTensors(path: string, host: PackedWeights): Record<string, TensorToWrite> {
  if (host.bits === 16) {
    // Every half is exact in f32, and the F16 writer rounds it back to the same half.
    return {
      [`${path}${WEIGHT}`]: { dtype: 'F16', shape: [host.n, host.k], data: dequantizeHalfWeights(host) },
    };
  }
  const { data } = host;
  const levels = host.bits === 8 ? new Int8Array(data.buffer, data.byteOffset, data.byteLength) : data;
  return {
    [`${path}${QWEIGHT}`]: {
      dtype: host.bits === 8 ? 'I8' : 'U8',
      shape: [host.n, host.rowBytes],
      data: levels,
    },
    [`${path}${SCALES}`]: { dtype: 'F32', shape: [host.n, host.groupsPerRow], data: host.scales },
  };
}

export interface LoadOptions {
  backend: Backend;
  /** Config to use; default the one stored in the file's metadata. */
  config?: TransformerConfig;
  /** Maps a file's tensor name to ours (e.g. strip `model.language_model.` of a VLM); null skips the tensor. */
  rename?: (name: string) => string | null;
  /**
   * Keep every dense projection but the LM head as frozen packed f16 (like `Transformer.quantize({ bits: 16 })`):
   * F16 and BF16 entries become halves without an f32 copy, F32 ones are rounded. Default false: f32 weights.
   */
  halfProjections?: boolean;
}

function configOf(metadata: Record<string, string>, given: TransformerConfig | undefined): TransformerConfig {
  if (given) return given;
  const json = metadata[CONFIG_METADATA_KEY];
  if (!json) throw new ModelWeightError(CONFIG_METADATA_KEY, 'no config given and none in the file metadata');
  return JSON.parse(json) as TransformerConfig;
}

/** The packed projections a file declares, by module path as written in the file. */
function packedSpecsOf(metadata: Record<string, string>): Map<string, PackedSpec> {
  const json = metadata[QUANTIZATION_METADATA_KEY];
  if (json === undefined) return new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ModelWeightError(QUANTIZATION_METADATA_KEY, 'is not JSON');
  }
  const specs = new Map<string, PackedSpec>();
  for (const [path, spec] of Object.entries(
    (parsed ?? {}) as Record<string, { bits?: unknown; groupSize?: unknown }>,
  )) {
    const { bits, groupSize } = spec ?? {};
    if (bits === 16) {
      specs.set(path, { bits });
      continue;
    }
    if ((bits !== 8 && bits !== 4) || !Number.isInteger(groupSize) || (groupSize as number) < 1) {
      throw new ModelWeightError(
        path,
        `bad quantization ${JSON.stringify(spec)} (bits 8 or 4 with groupSize ≥ 1, or bits 16)`,
      );
    }
    specs.set(path, { bits, groupSize: groupSize as number });
  }
  return specs;
}

/**
 * Reads safetensors into a new Transformer on `options.backend`: F32 / F16 / BF16 tensors as f32 (projections as
 * packed f16 with `halfProjections`), packed q8/q4/f16 projections (see saveTransformer) uploaded as they are,
 * without an f32 pass or requantisation.
 */
export function loadTransformer(bytes: Uint8Array, options: LoadOptions): Transformer {
  const file = readSafetensors(bytes);
  const config = configOf(file.metadata, options.config);
  const specs = packedSpecsOf(file.metadata);
  const weights = new Map<string, Tensor>();
  const packed = new Map<string, QuantizedTensor>();
  try {
    loadDense(file, config, specs, options, weights, packed);
    for (const [filePath, spec] of specs) {
      const name = options.rename ? options.rename(`${filePath}.weight`) : `${filePath}.weight`;
      if (name === null) continue;
      const path = name.slice(0, -'.weight'.length);
      packed.set(path, loadPacked(file, filePath, spec, projectionShapeOf(config, name), options.backend));
    }
    return assemble(config, weights, packed, options.backend);
  } catch (error) {
    for (const tensor of weights.values()) tensor.dispose();
    for (const weight of packed.values()) weight.dispose();
    throw error;
  }
}

/** [n, k] of the projection a packed entry stands for (`name` is its `.weight` name after renaming). */
function projectionShapeOf(config: TransformerConfig, name: string): [number, number] {
  const isProjection = linearPaths(config).some((path) => `${path}.weight` === name);
  if (!isProjection) throw new ModelWeightError(name, 'is packed but not a projection of this architecture');
  return expectedWeights(config).get(name) as [number, number];
}

function loadDense(
  file: SafetensorsFile,
  config: TransformerConfig,
  specs: ReadonlyMap<string, PackedSpec>,
  options: LoadOptions,
  weights: Map<string, Tensor>,
  packed: Map<string, QuantizedTensor>,
): void {
  const expected = expectedWeights(config);
  const halves = new Set(
    options.halfProjections
      ? linearPaths(config)
          .filter((path) => path !== LM_HEAD)
          .map((p) => `${p}${WEIGHT}`)
      : [],
  );
  for (const [fileName, entry] of file.entries) {
    const packedPart = [QWEIGHT, SCALES].find((suffix) => fileName.endsWith(suffix));
    if (packedPart) {
      if (specs.has(fileName.slice(0, -packedPart.length))) continue;
      throw new ModelWeightError(fileName, `has no entry in ${QUANTIZATION_METADATA_KEY}`);
    }
    if (fileName.endsWith(WEIGHT) && specs.get(fileName.slice(0, -WEIGHT.length))?.bits === 16) continue;
    const name = options.rename ? options.rename(fileName) : fileName;
    // Tied checkpoints sometimes still carry the LM head: the embedding table is the one used.
    if (name === null || (config.tiedEmbeddings && name === `${LM_HEAD}.weight`)) continue;
    if (!expected.has(name)) throw new ModelWeightError(name, 'not part of this architecture');
    if (halves.has(name)) {
      const path = name.slice(0, -WEIGHT.length);
      packed.set(path, uploadHalves(entry, name, expected.get(name) as [number, number], options.backend));
      continue;
    }
    const values = decodeEntry(entry);
    if (!(values instanceof Float32Array))
      throw new ModelWeightError(name, `dtype ${entry.dtype} is not a float`);
    weights.set(name, keep(fromArray(values, entry.shape, { backend: options.backend })));
  }
}

/** Checks a packed projection's entries against its [n, k] and uploads them as they are. */
function loadPacked(
  file: SafetensorsFile,
  filePath: string,
  spec: PackedSpec,
  [n, k]: [number, number],
  backend: Backend,
): QuantizedTensor {
  if (spec.bits === 16) {
    const entry = file.entries.get(`${filePath}${WEIGHT}`);
    if (!entry || entry.dtype !== 'F16') {
      throw new ModelWeightError(
        filePath,
        `packed as f16 but ${filePath}${WEIGHT} is ${entry?.dtype ?? 'missing'}, not F16`,
      );
    }
    return uploadHalves(entry, filePath, [n, k], backend);
  }
  const { bits, groupSize } = spec;
  const { rowBytes, groupsPerRow } = quantizedLayout(bits, k, groupSize);
  const levels = file.entries.get(`${filePath}${QWEIGHT}`);
  const scales = file.entries.get(`${filePath}${SCALES}`);
  const wantLevels = `${bits === 8 ? 'I8' : 'U8'} [${n}, ${rowBytes}]`;
  const wantScales = `F32 [${n}, ${groupsPerRow}]`;
  const describe = (e: typeof levels) => (e ? `${e.dtype} [${e.shape.join(', ')}]` : 'missing');
  if (describe(levels) !== wantLevels || describe(scales) !== wantScales || !levels || !scales) {
    throw new ModelWeightError(
      filePath,
      `packed as ${describe(levels)} + ${describe(scales)}, expected ${wantLevels} + ${wantScales}`,
    );
  }
  const host: QuantizedWeights = {
    ...{ bits, n, k, groupSize, rowBytes, groupsPerRow, data: levels.bytes },
    scales: decodeEntry(scales) as Float32Array,
  };
  return keep(QuantizedTensor.upload(host, backend));
}

/** A float entry of shape [n, k] uploaded as packed f16 (F16 halves as stored, BF16 / F32 rounded). */
function uploadHalves(
  entry: SafetensorsEntry,
  name: string,
  [n, k]: [number, number],
  backend: Backend,
): QuantizedTensor {
  if (entry.shape.join() !== `${n},${k}`) {
    throw new ModelWeightError(name, `has shape [${entry.shape.join(', ')}], expected [${n}, ${k}]`);
  }
  if (entry.dtype !== 'F16' && entry.dtype !== 'BF16' && entry.dtype !== 'F32') {
    throw new ModelWeightError(name, `dtype ${entry.dtype} is not a float`);
  }
  return keep(QuantizedTensor.upload(halfWeightsOf(decodeEntryAsF16(entry), n, k), backend));
}

/**
 * The Transformer constructor takes dense weights only: each packed projection starts as a view of one zero tensor
 * per shape (a few shared f32 buffers, not one per projection), then its QuantizedLinear is swapped in.
 */
function assemble(
  config: TransformerConfig,
  weights: Map<string, Tensor>,
  packed: ReadonlyMap<string, QuantizedTensor>,
  backend: Backend,
): Transformer {
  const placeholders = new Map<string, Tensor>();
  for (const [path, weight] of packed) {
    const key = weight.shape.join('x');
    const zero = placeholders.get(key) ?? keep(zeros(weight.shape, { backend }));
    placeholders.set(key, zero);
    weights.set(`${path}.weight`, keep(zero.view(weight.shape)));
  }
  for (const zero of placeholders.values()) zero.dispose();
  const model = new Transformer(config, weights);
  for (const [path, weight] of packed) {
    const placeholder = model.replaceLinear(path, new QuantizedLinear(weight, model.linearAt(path).bias));
    (placeholder as DenseLinear).weight.dispose();
  }
  return model;
}
