// Saves a decoder's f32 weights to safetensors (HF names, config in the metadata) and loads them back on a backend.
import { decodeEntry, fromArray, keep, readSafetensors, writeSafetensors } from '../../webgpu';
import type { Backend, Tensor, TensorToWrite } from '../../webgpu';
import type { TransformerConfig } from './config';
import { ModelWeightError } from './errors';
import { LM_HEAD, expectedWeights } from './names';
import { Transformer } from './transformer';

/** Metadata key holding the JSON config, so a file is self-describing. */
export const CONFIG_METADATA_KEY = 'pixelthink.transformer_config';

/**
 * safetensors bytes of every dense tensor (F32). Throws for a quantised model: the engine writes F32/F16/I32 only,
 * so packed weights would have to be dequantised first (save before `quantize`).
 */
export async function saveTransformer(
  model: Transformer,
  metadata: Readonly<Record<string, string>> = {},
): Promise<Uint8Array> {
  const named = model.namedTensors();
  for (const name of expectedWeights(model.config).keys()) {
    if (!named.has(name)) throw new ModelWeightError(name, 'is quantised; only f32 models can be saved');
  }
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, tensor] of named) {
    tensors[name] = { dtype: 'F32', shape: tensor.shape, data: await tensor.data() };
  }
  return writeSafetensors(tensors, { ...metadata, [CONFIG_METADATA_KEY]: JSON.stringify(model.config) });
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

/** Reads safetensors (F32 / F16 / BF16 converted to f32) into a new Transformer on `options.backend`. */
export function loadTransformer(bytes: Uint8Array, options: LoadOptions): Transformer {
  const file = readSafetensors(bytes);
  const config = configOf(file.metadata, options.config);
  const expected = expectedWeights(config);
  const weights = new Map<string, Tensor>();
  try {
    for (const [fileName, entry] of file.entries) {
      const name = options.rename ? options.rename(fileName) : fileName;
      // Tied checkpoints sometimes still carry the LM head: the embedding table is the one used.
      if (name === null || (config.tiedEmbeddings && name === `${LM_HEAD}.weight`)) continue;
      if (!expected.has(name)) throw new ModelWeightError(name, 'not part of this architecture');
      const values = decodeEntry(entry);
      if (!(values instanceof Float32Array))
        throw new ModelWeightError(name, `dtype ${entry.dtype} is not a float`);
      weights.set(name, keep(fromArray(values, entry.shape, { backend: options.backend })));
    }
    return new Transformer(config, weights);
  } catch (error) {
    for (const tensor of weights.values()) tensor.dispose();
    throw error;
  }
}
