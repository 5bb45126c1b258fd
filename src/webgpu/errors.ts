// Typed engine errors, so callers (and the UI) can tell a shape bug from a freed tensor from an unsupported dtype.

/** An op was given shapes it cannot combine; the message names the op and the shapes. */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(
    readonly op: string,
    detail: string,
  ) {
    super(`${op}: ${detail}`);
  }
}

/** An op was given a dtype it does not accept (e.g. float ids), or a backend lacks the format. */
export class DTypeError extends Error {
  override readonly name = 'DTypeError';
  constructor(
    readonly op: string,
    detail: string,
  ) {
    super(`${op}: ${detail}`);
  }
}

/** A tensor was used after dispose(): its storage may already hold another tensor's data. */
export class DisposedError extends Error {
  override readonly name = 'DisposedError';
  constructor(what: string) {
    super(`${what} was used after it was disposed`);
  }
}

/** Tensors from two different backends met in one op; move one with `toBackend` first. */
export class BackendMismatchError extends Error {
  override readonly name = 'BackendMismatchError';
  constructor(op: string, a: string, b: string) {
    super(`${op}: tensors live on different backends (${a} and ${b})`);
  }
}

/** Misuse of the autograd tape (grad of a non-scalar without a seed, tape reused after grad, ...). */
export class AutogradError extends Error {
  override readonly name = 'AutogradError';
}

/** The GPU device was lost (driver reset, tab backgrounded too long): tensors on it are gone; rebuild the backend. */
export class DeviceLostError extends Error {
  override readonly name = 'DeviceLostError';
}

/** A backend could not allocate storage; the message says how much was asked for and on which backend. */
export class OutOfMemoryError extends Error {
  override readonly name = 'OutOfMemoryError';
  constructor(
    readonly backend: string,
    readonly bytes: number,
  ) {
    super(`${backend}: out of memory allocating ${bytes} bytes`);
  }
}

/** Formats a shape the way error messages print it. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
