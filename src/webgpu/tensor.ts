// Tensor: a shaped, typed handle on backend storage with explicit lifetime (dispose, scopes) and async reads.
import type { Backend, DType, HostData, Storage } from './backend';
import { DisposedError, ShapeError, fmtShape } from './errors';
import { registerInScope } from './scope';
import type { Shape } from './shapes';
import { sizeOf } from './shapes';

/** Storage shared by several handles (views, tape-saved copies); freed when the last handle lets go. */
class SharedStorage {
  private handles = 1;
  constructor(
    readonly backend: Backend,
    readonly storage: Storage,
  ) {}

  retain(): this {
    this.handles++;
    return this;
  }

  release(): void {
    this.handles--;
    if (this.handles === 0) this.backend.free(this.storage);
  }
}

let nextTensorId = 0;

/** Ids grow with creation order, which lets `checkpoint` tell tensors made before it from those made inside. */
export function peekNextTensorId(): number {
  return nextTensorId;
}

export class Tensor {
  readonly id = nextTensorId++;
  readonly size: number;
  /** Marks a trainable leaf: every tape tracks it. Frozen weights leave it false and get no gradient buffers. */
  requiresGrad = false;
  private shared: SharedStorage | null;

  private constructor(
    shared: SharedStorage,
    readonly shape: Shape,
    readonly dtype: DType,
    inScope: boolean,
  ) {
    this.shared = shared;
    this.size = sizeOf(shape);
    if (shared.storage.size !== this.size) {
      throw new ShapeError(
        'Tensor',
        `shape ${fmtShape(shape)} needs ${this.size} elements, storage has ${shared.storage.size}`,
      );
    }
    if (inScope) registerInScope(this);
  }

  /** Wraps freshly allocated storage; the tensor owns it. */
  static fromStorage(backend: Backend, storage: Storage, shape: Shape): Tensor {
    return new Tensor(new SharedStorage(backend, storage), [...shape], storage.dtype, true);
  }

  /** A new handle on the same storage with another shape of equal size (reshape without copying). */
  view(shape: Shape): Tensor {
    return new Tensor(this.live().retain(), [...shape], this.dtype, true);
  }

  /**
   * A handle owned by the caller rather than by any scope: the tape keeps saved activations alive with these after
   * the forward scope disposed its own handles, and disposes them once their backward ran.
   */
  retainUnscoped(): Tensor {
    return new Tensor(this.live().retain(), this.shape, this.dtype, false);
  }

  get backend(): Backend {
    return this.live().backend;
  }

  get storage(): Storage {
    return this.live().storage;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.shared === null;
  }

  /** Releases this handle; the storage is freed when no view or saved copy still holds it. Idempotent. */
  dispose(): void {
    this.shared?.release();
    this.shared = null;
  }

  /** Downloads the values (asynchronously: GPU buffers can only be mapped asynchronously). */
  data(): Promise<HostData> {
    const shared = this.live();
    return shared.backend.read(shared.storage);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1)
      throw new ShapeError('item', `tensor of shape ${fmtShape(this.shape)} is not a scalar`);
    const values = await this.data();
    return values[0] as number;
  }

  toString(): string {
    return `Tensor(${this.dtype}${fmtShape(this.shape)}#${this.id})`;
  }

  private live(): SharedStorage {
    if (this.shared === null) throw new DisposedError(`Tensor #${this.id} ${fmtShape(this.shape)}`);
    return this.shared;
  }
}
