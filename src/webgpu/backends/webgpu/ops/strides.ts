// Shape simplification for strided kernels: drops unit axes and merges axes that are contiguous in every operand.
import { ShapeError } from '../../../errors';

/** Kernels index at most this many axes (the parameter slot holds shape and strides of this rank). */
export const MAX_RANK = 8;

export interface Collapsed {
  shape: number[];
  strides: number[][];
}

/**
 * An equivalent iteration space of lower rank. Axis d merges into d + 1 when, for every operand, stride[d] =
 * stride[d + 1] · shape[d + 1]; unit axes never move an offset and are dropped. Row-major order is preserved.
 */
export function collapse(
  op: string,
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  shape.forEach((dim, d) => {
    if (dim === 1) return;
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 && strides.every((s, k) => (outStrides[k]?.[last] ?? 0) === (s[d] ?? 0) * dim);
    if (mergeable) {
      outShape[last] = (outShape[last] as number) * dim;
      strides.forEach((s, k) => ((outStrides[k] as number[])[last] = s[d] ?? 0));
    } else {
      outShape.push(dim);
      strides.forEach((s, k) => (outStrides[k] as number[]).push(s[d] ?? 0));
    }
  });
  if (outShape.length > MAX_RANK) {
    throw new ShapeError(op, `the WebGPU backend indexes at most ${MAX_RANK} non-contiguous axes`);
  }
  return { shape: outShape, strides: outStrides };
}
