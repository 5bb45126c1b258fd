// Public API of LoRA: config, adapters (a ProjectionAdapter for the decoder), merge, safetensors I/O.
export { LoraError } from './errors';
export { validateLoraConfig, loraScale } from './config';
export type { LoraConfig } from './config';
export { LoraAdapters, loraTensorName } from './adapters';
export type { LoraPair } from './adapters';
export { mergeLora } from './merge';
export { saveLora, loadLora, readLoraConfig } from './io';
export {
  ADAPTER_METADATA,
  AdapterFileError,
  MAX_ADAPTER_FILE_BYTES,
  encodeAdapterFile,
  loraBaseOf,
  validateAdapterFile,
} from './peft';
export type { AdapterFileErrorCode, AdapterFileInfo, LoraBase, ValidatedAdapterFile } from './peft';
