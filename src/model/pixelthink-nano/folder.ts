// The pixelthink-nano model folder: config.json, tokenizer files, decoder.safetensors (+ manifest.json); loading and writing it.
import type { Backend } from '../../webgpu/backend';
import { loadTransformer, saveTransformer } from '../transformer/weights-io';
import type { Transformer } from '../transformer/transformer';
import type { Perceive } from './policy';
import { PixelThinkNano } from './policy';
import { SELECTOR_FILE, selectorFromWeights } from './selector/select';
import { PolicyTokenizer } from './tokens';

export const POLICY_MODEL_ID = 'pixelthink-nano';
export const DECODER_FILE = 'decoder.safetensors';

/** config.json of the folder: what the app needs to know before loading the weights. */
export interface PolicyFolderConfig {
  model_type: 'pixelthink-nano';
  /** Square frame of the answer's coordinates. */
  frame: number;
  /** How the decoder was trained (steps, seed), for the UI and the docs. */
  training: Record<string, unknown>;
}

export class PolicyFolderError extends Error {
  override readonly name = 'PolicyFolderError';
}

/** Reads one file of the folder (fetch in the browser, fs in Node); null when it does not exist. */
export type ReadFile = (path: string) => Promise<Uint8Array | null>;

async function required(read: ReadFile, modelId: string, path: string): Promise<Uint8Array> {
  const bytes = await read(path);
  if (!bytes) throw new PolicyFolderError(`${modelId}: ${path} is missing`);
  return bytes;
}

/**
 * Loads the policy: the tokenizer through transformers.js (configured for the folder's location first), the decoder
 * and the selector through the engine on `backend`, and the given perception front end.
 */
export async function loadPixelThinkNano(
  modelId: string,
  read: ReadFile,
  backend: Backend,
  perceive: Perceive,
): Promise<PixelThinkNano> {
  const config = JSON.parse(
    new TextDecoder().decode(await required(read, modelId, 'config.json')),
  ) as PolicyFolderConfig;
  if (config.model_type !== 'pixelthink-nano')
    throw new PolicyFolderError(
      `${modelId}: config.json is for "${String(config.model_type)}", not pixelthink-nano`,
    );
  const tokenizer = await PolicyTokenizer.load(modelId);
  let decoder: Transformer;
  try {
    decoder = loadTransformer(await required(read, modelId, DECODER_FILE), { backend });
  } catch (error) {
    if (error instanceof PolicyFolderError) throw error;
    throw new PolicyFolderError(
      `${modelId}: ${DECODER_FILE} cannot be read (${error instanceof Error ? error.message : error})`,
    );
  }
  if (decoder.config.vocab < tokenizer.vocabSize)
    throw new PolicyFolderError(`${modelId}: the decoder's vocabulary is smaller than the tokenizer's`);
  const selectorBytes = await required(read, modelId, SELECTOR_FILE);
  let select;
  try {
    select = selectorFromWeights(backend, selectorBytes, (query) => tokenizer.encode(query));
  } catch (error) {
    throw new PolicyFolderError(
      `${modelId}: ${SELECTOR_FILE} cannot be read (${error instanceof Error ? error.message : error})`,
    );
  }
  return new PixelThinkNano(modelId, tokenizer, decoder, perceive, select);
}

/** The folder's model files (the tokenizer files are written by npm run build:tokenizer). */
export async function policyFolderFiles(
  decoder: Transformer,
  training: Record<string, unknown>,
): Promise<Map<string, Uint8Array | string>> {
  const config: PolicyFolderConfig = { model_type: 'pixelthink-nano', frame: 840, training };
  return new Map<string, Uint8Array | string>([
    ['config.json', `${JSON.stringify(config, null, 2)}\n`],
    [DECODER_FILE, await saveTransformer(decoder)],
  ]);
}
