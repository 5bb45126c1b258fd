// Builds pixelthink-nano's `Select` from the selector's weights: the query's token ids through the policy tokenizer, one forward.
import type { Backend } from '../../../webgpu/backend';
import type { Select } from '../policy';
import { selectTargets } from './evaluate';
import type { EncodeQuery } from './train';
import { readSelectorCheckpoint } from './train';

export const SELECTOR_FILE = 'selector.safetensors';

/** The selector of a checkpoint's (or a model folder's parameters-only) bytes, on `backend`. */
export function selectorFromWeights(backend: Backend, bytes: Uint8Array, encode: EncodeQuery): Select {
  const { config, params } = readSelectorCheckpoint(backend, bytes);
  return async (objects, query) => {
    const [index = 0] = await selectTargets(params, config, [objects], [encode(query)]);
    return index;
  };
}
