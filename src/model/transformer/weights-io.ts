// Saves a decoder to safetensors (HF names, config in the metadata, q8/q4 projections packed) and loads it back.
import {
  QuantizedTensor,
  decodeEntry,
  fromArray,
  keep,
  readSafetensors,
  writeSafetensors,
  zeros,
} from '../../webgpu';
import type { Backend, SafetensorsFile, Tensor, TensorToWrite } from '../../webgpu';
import { quantizedLayout } from '../../webgpu/wasm/quantize';
import type { QuantizedWeights, WeightBits } from '../../webgpu/wasm/quantize';
import type { TransformerConfig } from './config';
import { ModelWeightError } from './errors';
import { QuantizedLinear } from './linear';
import type { DenseLinear } from './linear';
import { LM_HEAD, expectedWeights, linearPaths } from './names';
import { Transformer } from './transformer';

/** Metadata key holding the JSON config, so a file is self-describing. */
export const CONFIG_METADATA_KEY = 'pixelthink.transformer_config';

/** Metadata key holding `{"<module path>": {"bits": 8 | 4, "groupSize": g}}` for every packed projection. */
export const QUANTIZATION_METADATA_KEY = 'pixelthink.quantization';

const QWEIGHT = '.qweight';
const SCALES = '.scales';

interface PackedSpec {
  bits: WeightBits;
  groupSize: number;
}

/**
 * safetensors bytes of the model. Dense tensors are F32 under their HF names. A q8/q4 projection at module path P
 * [n, k] is stored packed, exactly as the kernels read it: `P.qweight` (q8: I8 [n, k]; q4: U8 [n, ceil(k/2)], low
 * nibble = even input, level + 8) and `P.scales` (F32 [n, ceil(k / groupSize)], one scale per group of inputs), with
 * its bits and group size under QUANTIZATION_METADATA_KEY; its bias stays `P.bias` (F32).
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
    packed[path] = { bits: host.bits, groupSize: host.groupSize };
  }
  const fileMetadata: Record<string, string> = {
    ...metadata,
    [CONFIG_METADATA_KEY]: JSON.stringify(model.config),
  };
  if (Object.keys(packed).length > 0) fileMetadata[QUANTIZATION_METADATA_KEY] = JSON.stringify(packed);
  return writeSafetensors(tensors, fileMetadata);
}

function packedTensors(path: string, host: QuantizedWeights): Record<string, TensorToWrite> {
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
  for (const [path, spec] of Object.entries((parsed ?? {}) as Record<string, Partial<PackedSpec>>)) {
    const { bits, groupSize } = spec ?? {};
    if ((bits !== 8 && bits !== 4) || !Number.isInteger(groupSize) || (groupSize as number) < 1) {
      throw new ModelWeightError(
        path,
        `bad quantization ${JSON.stringify(spec)} (bits 8 or 4, groupSize ≥ 1)`,
      );
    }
    specs.set(path, { bits, groupSize: groupSize as number });
  }
  return specs;
}

/**
 * Reads safetensors into a new Transformer on `options.backend`: F32 / F16 / BF16 tensors as f32, packed q8/q4
 * projections (see saveTransformer) uploaded as they are, without an f32 pass or requantisation.
 */
export function loadTransformer(bytes: Uint8Array, options: LoadOptions): Transformer {
  const file = readSafetensors(bytes);
  const config = configOf(file.metadata, options.config);
  const specs = packedSpecsOf(file.metadata);
  const weights = new Map<string, Tensor>();
  const packed = new Map<string, QuantizedTensor>();
  try {
    loadDense(file, config, specs, options, weights);
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
): void {
  const expected = expectedWeights(config);
  for (const [fileName, entry] of file.entries) {
    const packedPart = [QWEIGHT, SCALES].find((suffix) => fileName.endsWith(suffix));
    if (packedPart) {
      if (specs.has(fileName.slice(0, -packedPart.length))) continue;
      throw new ModelWeightError(fileName, `has no entry in ${QUANTIZATION_METADATA_KEY}`);
    }
    const name = options.rename ? options.rename(fileName) : fileName;
    // Tied checkpoints sometimes still carry the LM head: the embedding table is the one used.
    if (name === null || (config.tiedEmbeddings && name === `${LM_HEAD}.weight`)) continue;
    if (!expected.has(name)) throw new ModelWeightError(name, 'not part of this architecture');
    const values = decodeEntry(entry);
    if (!(values instanceof Float32Array))
      throw new ModelWeightError(name, `dtype ${entry.dtype} is not a float`);
    weights.set(name, keep(fromArray(values, entry.shape, { backend: options.backend })));
  }
}

/** Checks a packed projection's two entries against its [n, k] and uploads the bytes as they are. */
function loadPacked(
  file: SafetensorsFile,
  filePath: string,
  { bits, groupSize }: PackedSpec,
  [n, k]: [number, number],
  backend: Backend,
): QuantizedTensor {
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
  const host = { bits, n, k, groupSize, rowBytes, groupsPerRow, data: levels.bytes };
  return keep(QuantizedTensor.upload({ ...host, scales: decodeEntry(scales) as Float32Array }, backend));
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
