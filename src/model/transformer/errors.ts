// Typed errors of the policy transformer: a bad config, a missing or misshapen weight, a misused forward call.

/** The config is inconsistent (e.g. heads not a multiple of kvHeads); `field` names the offending entry. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`model config ${field}: ${detail}`);
  }
}

/** A weight the architecture needs is absent from the given map / file, or has the wrong shape. */
export class ModelWeightError extends Error {
  override readonly name = 'ModelWeightError';
  constructor(
    readonly weight: string,
    detail: string,
  ) {
    super(`weight ${weight}: ${detail}`);
  }
}

/** A forward call was given inputs that do not fit together (no tokens, mismatched batch, too long). */
export class ForwardInputError extends Error {
  override readonly name = 'ForwardInputError';
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`forward ${field}: ${detail}`);
  }
}
