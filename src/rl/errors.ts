// Typed errors of the rl core: each one names the parameter, field or path that was wrong.

/** Base class, so callers can catch everything the rl core throws on purpose with one `instanceof`. */
export class RlError extends Error {
  override name = 'RlError';
}

/** A hyperparameter is out of its domain; `param` is its name as the UI and the params objects spell it. */
export class ParamError extends RlError {
  override name = 'ParamError';
  readonly param: string;

  constructor(param: string, message: string) {
    super(`${param}: ${message}`);
    this.param = param;
  }
}

export class RewardParamError extends ParamError {
  override name = 'RewardParamError';
}

export class GrpoParamError extends ParamError {
  override name = 'GrpoParamError';
}

/** An argument (not a hyperparameter) is malformed; `field` says which one. */
export class InputError extends RlError {
  override name = 'InputError';
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

export class RewardInputError extends InputError {
  override name = 'RewardInputError';
}

export class UncertaintyInputError extends InputError {
  override name = 'UncertaintyInputError';
}

export class GrpoInputError extends InputError {
  override name = 'GrpoInputError';
}

export class MetricsInputError extends InputError {
  override name = 'MetricsInputError';
}

export class ScaleInputError extends InputError {
  override name = 'ScaleInputError';
}

/** A reward vectors file does not have the expected structure; `path` points at the offending value. */
export class VectorsFormatError extends RlError {
  override name = 'VectorsFormatError';
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}
