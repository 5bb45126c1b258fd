// Typed LoRA errors: bad adapter config, adapters that do not fit a model, merges into a quantised base.

export class LoraError extends Error {
  override readonly name: string = 'LoraError';
  constructor(
    readonly code: 'bad-config' | 'shape-mismatch' | 'quantized-base' | 'bad-file',
    detail: string,
  ) {
    super(`LoRA ${code}: ${detail}`);
  }
}
