// Typed errors that cross the comlink boundary intact (class, code and message), so the UI can react to each kind.
import * as Comlink from 'comlink';

export type WorkerErrorCode =
  | 'cancelled'
  | 'bad-request'
  | 'not-ready'
  | 'model-load-failed'
  /** The model needs more memory (or a larger GPU buffer) than this device allows: refused before any download. */
  | 'does-not-fit'
  | 'webgpu-unavailable'
  | 'device-lost'
  | 'out-of-memory'
  | 'internal';

export class WorkerError extends Error {
  override readonly name = 'WorkerError';
  constructor(
    readonly code: WorkerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isCancellation(err: unknown): boolean {
  return err instanceof WorkerError && err.code === 'cancelled';
}

interface SerializedError {
  name: string;
  message: string;
  code: WorkerErrorCode;
  stack?: string;
}

function serialize(value: unknown): SerializedError {
  if (value instanceof WorkerError)
    return { name: value.name, message: value.message, code: value.code, stack: value.stack };
  if (value instanceof Error)
    return { name: value.name, message: value.message, code: 'internal', stack: value.stack };
  return { name: 'Error', message: String(value), code: 'internal' };
}

function deserialize(serialized: SerializedError): WorkerError {
  const err = new WorkerError(serialized.code, serialized.message);
  if (serialized.stack) err.stack = serialized.stack;
  return err;
}

let installed = false;

/** Replaces comlink's default 'throw' handler (which keeps only name and message); call on both sides. */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  type Thrown = { value: unknown };
  // Comlink does not export its thrown-value marker, so reuse the default handler's test for it.
  const fallback = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<Thrown, unknown>;
  const handler: Comlink.TransferHandler<Thrown, SerializedError> = {
    canHandle: (value: unknown): value is Thrown => fallback.canHandle(value),
    serialize: (thrown) => [serialize(thrown.value), []],
    deserialize: (serialized) => {
      throw deserialize(serialized);
    },
  };
  Comlink.transferHandlers.set('throw', handler as Comlink.TransferHandler<unknown, unknown>);
}
