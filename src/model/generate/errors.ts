// Typed errors of generation: cancellation (AbortSignal) and bad generation options.

/** Decoding stopped because the AbortSignal fired; `tokensGenerated` counts the decode steps that completed. */
export class GenerationCancelledError extends Error {
  override readonly name = 'GenerationCancelledError';
  constructor(
    readonly tokensGenerated: number,
    readonly reason?: unknown,
  ) {
    super(`generation cancelled after ${tokensGenerated} tokens`);
  }
}

/** An option is out of its domain; `option` names it. */
export class GenerationOptionError extends Error {
  override readonly name = 'GenerationOptionError';
  constructor(
    readonly option: string,
    detail: string,
  ) {
    super(`generation option ${option}: ${detail}`);
  }
}
