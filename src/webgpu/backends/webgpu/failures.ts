// Turns asynchronous device failures (loss, out-of-memory, validation) into typed errors thrown by the next call.
import { DeviceLostError, OutOfMemoryError } from '../../errors';

/** A WebGPU validation error (a kernel or binding bug); raised by the next call after the device reported it. */
export class GpuValidationError extends Error {
  override readonly name = 'GpuValidationError';
  constructor(
    readonly where: string,
    detail: string,
  ) {
    super(`${where}: ${detail}`);
  }
}

export class Failures {
  private lost: DeviceLostError | null = null;
  private pending: Error | null = null;
  /** Resolves with the loss error once the device is lost; reads race against it so they never hang. */
  readonly whenLost: Promise<DeviceLostError>;

  constructor(
    private readonly device: GPUDevice,
    private readonly backend: string,
  ) {
    this.whenLost = device.lost.then((info) => {
      this.lost = new DeviceLostError(
        `${backend}: the GPU device was lost (${info.reason}): ${info.message}`,
      );
      return this.lost;
    });
    device.addEventListener('uncapturederror', (event) => {
      this.report(new GpuValidationError(backend, (event as GPUUncapturedErrorEvent).error.message));
    });
  }

  get isLost(): boolean {
    return this.lost !== null;
  }

  /** Throws the device loss (always) or the first error reported since the last check (once). */
  check(): void {
    if (this.lost) throw this.lost;
    const pending = this.pending;
    if (pending) {
      this.pending = null;
      throw pending;
    }
  }

  report(error: Error): void {
    this.pending ??= error;
  }

  /**
   * Creates a buffer inside an out-of-memory scope. Past maxBufferSize it throws at once; a failed allocation is
   * reported (by the next call) as OutOfMemoryError naming the `requested` bytes.
   */
  allocate(descriptor: GPUBufferDescriptor, requested = descriptor.size): GPUBuffer {
    if (descriptor.size > this.device.limits.maxBufferSize) {
      throw new OutOfMemoryError(this.backend, requested);
    }
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer(descriptor);
    void this.device.popErrorScope().then((error) => {
      if (error) this.report(new OutOfMemoryError(this.backend, requested));
    });
    return buffer;
  }

  /** Debug mode: runs `fn` in a validation scope and reports a failure as GpuValidationError(where). */
  validate<T>(where: string, fn: () => T): T {
    this.device.pushErrorScope('validation');
    try {
      return fn();
    } finally {
      void this.device.popErrorScope().then((error) => {
        if (error) this.report(new GpuValidationError(where, error.message));
      });
    }
  }
}
