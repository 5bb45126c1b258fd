// Tensor creation: zeros, ones, full, fromArray, and seeded randn/uniform drawn on the host (same on every backend).
import type { Backend, DType } from './backend';
import { getDefaultBackend } from './default-backend';
import { ShapeError, fmtShape } from './errors';
import { Random } from './random';
import { keep } from './scope';
import type { Shape } from './shapes';
import { assertValidShape, sizeOf } from './shapes';
import { Tensor } from './tensor';

export interface CreateOptions {
  dtype?: DType;
  backend?: Backend;
}

export interface RandomOptions {
  backend?: Backend;
  /** A generator to draw from (advances it), or a seed for a fresh one. */
  rng?: Random | number;
}

function rngOf(source: Random | number | undefined): Random {
  if (source instanceof Random) return source;
  return new Random(source ?? 0);
}

export function full(shape: Shape, value: number, options: CreateOptions = {}): Tensor {
  assertValidShape('full', shape);
  const backend = options.backend ?? getDefaultBackend();
  return Tensor.fromStorage(backend, backend.fill(sizeOf(shape), value, options.dtype ?? 'f32'), shape);
}

export function zeros(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: Shape, options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function scalar(value: number, options: CreateOptions = {}): Tensor {
  return full([], value, options);
}

/** Uploads host values; the length must equal the shape's size. i32 values are truncated toward zero. */
export function fromArray(data: ArrayLike<number>, shape: Shape, options: CreateOptions = {}): Tensor {
  assertValidShape('fromArray', shape);
  if (data.length !== sizeOf(shape)) {
    throw new ShapeError('fromArray', `${data.length} values do not fill shape ${fmtShape(shape)}`);
  }
  const backend = options.backend ?? getDefaultBackend();
  return Tensor.fromStorage(backend, backend.upload(data, options.dtype ?? 'f32'), shape);
}

/** Normal(mean, std) values from a seeded generator. */
export function randn(shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const values = rngOf(options.rng).normals(sizeOf(shape), options.mean ?? 0, options.std ?? 1);
  return fromArray(values, shape, { backend: options.backend });
}

/** Uniform [low, high) values from a seeded generator. */
export function uniform(shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const values = rngOf(options.rng).uniforms(sizeOf(shape), options.low ?? 0, options.high ?? 1);
  return fromArray(values, shape, { backend: options.backend });
}

/** A trainable leaf: a tensor outside every scope with requiresGrad set. */
export function parameter(tensor: Tensor): Tensor {
  tensor.requiresGrad = true;
  return keep(tensor);
}

/** Copies a tensor to another backend (through the host: one async read, one upload). */
export async function toBackend(tensor: Tensor, backend: Backend): Promise<Tensor> {
  const values = await tensor.data();
  return Tensor.fromStorage(backend, backend.upload(values, tensor.dtype), tensor.shape);
}
