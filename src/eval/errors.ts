// Typed errors of the evaluation harness: bad options, unknown runner ids, and runners that break their contract.

/** Base class, so callers can catch everything the harness throws on purpose with one `instanceof`. */
export class EvalError extends Error {
  override name = 'EvalError';
}

/** An option of evaluate() (or a CLI flag) is out of its domain; `option` names it. */
export class EvalOptionError extends EvalError {
  override name = 'EvalOptionError';
  readonly option: string;

  constructor(option: string, message: string) {
    super(`${option}: ${message}`);
    this.option = option;
  }
}

export type RunnerKind = 'policy' | 'segmenter';

/** Asked for a runner id the registry does not hold; the message lists the ids it does hold. */
export class UnknownRunnerError extends EvalError {
  override name = 'UnknownRunnerError';
  readonly kind: RunnerKind;
  readonly id: string;
  readonly known: readonly string[];

  constructor(kind: RunnerKind, id: string, known: readonly string[]) {
    super(`unknown ${kind} "${id}"; known ${kind} ids: ${known.length > 0 ? known.join(', ') : '(none)'}`);
    this.kind = kind;
    this.id = id;
    this.known = known;
  }
}

/** A runner returned something the harness cannot use (wrong mask size, NaN tokens, …): a bug in the runner. */
export class RunnerOutputError extends EvalError {
  override name = 'RunnerOutputError';
  readonly runner: string;

  constructor(runner: string, message: string) {
    super(`runner "${runner}": ${message}`);
    this.runner = runner;
  }
}
