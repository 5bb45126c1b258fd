// Importing an adapter file: validated against the base model completely before the one write (nothing on refusal).
import type { PlaygroundDb, StoredAdapter } from '../data/store';
import { putAdapter } from '../data/training';
import { validateAdapterFile, type LoraBase } from '../model/lora';

/**
 * Validates `bytes` (validateAdapterFile: header, names, shapes, dtype, finite values) and only then stores the
 * adapter, in one transaction. A refusal throws AdapterFileError with the reason and leaves the store as it was.
 */
export async function importAdapterFile(
  db: PlaygroundDb,
  bytes: Uint8Array,
  fileName: string,
  base: LoraBase,
  id: string,
  maxBytes?: number,
): Promise<StoredAdapter> {
  const validated = validateAdapterFile(bytes, base, maxBytes);
  const adapter: StoredAdapter = {
    id,
    name: validated.name || fileName.replace(/\.safetensors$/i, ''),
    baseModelId: validated.config.baseModelId,
    bytes: bytes.slice().buffer,
    rank: validated.config.rank,
    alpha: validated.config.alpha,
    targets: [...validated.config.targets],
    settings: validated.settings,
    rewardParams: validated.rewardParams,
    runId: null,
    step: validated.step,
    source: 'imported',
    createdAt: Date.now(),
  };
  await putAdapter(db, adapter);
  return adapter;
}
