// Layout ops: reshape (a view), permute/transpose, slice, concat, broadcastTo with backward; writeSlice in place.
import { isRecording, recordOp } from '../autograd';
import { AutogradError, DTypeError, ShapeError, fmtShape } from '../errors';
import type { Shape } from '../shapes';
import { broadcastShapes, normalizeAxis, sameShape, sizeOf } from '../shapes';
import type { Tensor } from '../tensor';
import { backendOf, wrap } from './common';
import { sumToShape } from './reduce';

/** Resolves one -1 entry from the element count. */
function resolveShape(x: Tensor, shape: Shape): number[] {
  const known = shape.filter((d) => d !== -1).reduce((n, d) => n * d, 1);
  const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (
    shape.filter((d) => d === -1).length > 1 ||
    sizeOf(resolved) !== x.size ||
    !resolved.every(Number.isInteger)
  ) {
    throw new ShapeError('reshape', `cannot reshape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  }
  return resolved;
}

/** Same values, new shape; shares storage (no copy). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const y = x.view(resolveShape(x, shape));
  recordOp('reshape', [x], [y], [], ([dy]) => [dy ? dy.view(x.shape) : null]);
  return y;
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== x.rank || !sorted.every((axis, i) => axis === i)) {
    throw new ShapeError(
      'permute',
      `${fmtShape(perm)} is not a permutation of the axes of ${fmtShape(x.shape)}`,
    );
  }
  const backend = x.backend;
  const y = wrap(
    backend,
    backend.permute(x.storage, x.shape, perm),
    perm.map((axis) => x.shape[axis] as number),
  );
  const inverse = perm.map((_, i) => perm.indexOf(i));
  recordOp('permute', [x], [y], [], ([dy]) => [dy ? permute(dy, inverse) : null]);
  return y;
}

/** Swaps two axes (negative axes count from the end). */
export function transpose(x: Tensor, axisA = -2, axisB = -1): Tensor {
  const a = normalizeAxis('transpose', axisA, x.rank);
  const b = normalizeAxis('transpose', axisB, x.rank);
  const perm = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, perm);
}

/** x[begin[0]:begin[0]+size[0], ...]; a size of -1 means "to the end". */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const resolved = x.shape.map((dim, axis) => {
    const s = size[axis] ?? -1;
    return s === -1 ? dim - (begin[axis] ?? 0) : s;
  });
  const start = x.shape.map((_, axis) => begin[axis] ?? 0);
  if (
    !x.shape.every(
      (dim, axis) =>
        (start[axis] as number) >= 0 && (start[axis] as number) + (resolved[axis] as number) <= dim,
    )
  ) {
    throw new ShapeError(
      'slice',
      `begin ${fmtShape(start)} size ${fmtShape(resolved)} exceeds ${fmtShape(x.shape)}`,
    );
  }
  const backend = x.backend;
  const y = wrap(backend, backend.slice(x.storage, x.shape, start, resolved), resolved);
  recordOp('slice', [x], [y], [], ([dy]) => [
    dy ? wrap(backend, backend.pad(dy.storage, resolved, start, x.shape), x.shape) : null,
  ]);
  return y;
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (!first) throw new ShapeError('concat', 'no tensors given');
  const ax = normalizeAxis('concat', axis, first.rank);
  for (const x of xs) {
    if (x.rank !== first.rank || !x.shape.every((d, i) => i === ax || d === first.shape[i])) {
      throw new ShapeError(
        'concat',
        `${fmtShape(x.shape)} does not match ${fmtShape(first.shape)} off axis ${ax}`,
      );
    }
  }
  const backend = backendOf('concat', ...xs);
  const outShape = first.shape.map((d, i) =>
    i === ax ? xs.reduce((n, x) => n + (x.shape[ax] as number), 0) : d,
  );
  const y = wrap(
    backend,
    backend.concat(
      xs.map((x) => x.storage),
      xs.map((x) => x.shape),
      ax,
    ),
    outShape,
  );
  recordOp('concat', xs, [y], [], ([dy], _saved, needs) => {
    let offset = 0;
    return xs.map((x, i) => {
      const begin = outShape.map((_, a) => (a === ax ? offset : 0));
      offset += x.shape[ax] as number;
      return dy && needs[i] ? slice(dy, begin, x.shape) : null;
    });
  });
  return y;
}

/** Repeats x along broadcast axes to `shape` (numpy rules); backward sums back. */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!sameShape(target, shape)) {
    throw new ShapeError('broadcastTo', `${fmtShape(x.shape)} cannot broadcast to ${fmtShape(shape)}`);
  }
  const backend = x.backend;
  const y = wrap(backend, backend.broadcast(x.storage, x.shape, shape), shape);
  recordOp('broadcastTo', [x], [y], [], ([dy]) => [dy ? sumToShape(dy, x.shape) : null]);
  return y;
}

/**
 * Overwrites `target[..., offset:offset + n, ...]` along `axis` with `source` (n = its length there; every other
 * axis must match), in place: a preallocated tensor (the KV cache) fills its rows without copying the rest. Views of
 * `target` see the new values. Inference only: an in-place write cannot be taped, so it throws AutogradError when a
 * recording tape tracks either tensor.
 */
export function writeSlice(target: Tensor, source: Tensor, axis: number, offset: number): void {
  const ax = normalizeAxis('writeSlice', axis, target.rank);
  const rows = target.shape[ax] as number;
  const count = source.shape[ax] as number;
  const matches =
    source.rank === target.rank && source.shape.every((d, i) => i === ax || d === target.shape[i]);
  if (!matches || !Number.isInteger(offset) || offset < 0 || offset + count > rows) {
    throw new ShapeError(
      'writeSlice',
      `${fmtShape(source.shape)} at ${offset} on axis ${ax} does not fit in ${fmtShape(target.shape)}`,
    );
  }
  if (source.dtype !== target.dtype) {
    throw new DTypeError('writeSlice', `source is ${source.dtype}, target is ${target.dtype}`);
  }
  if (isRecording([target, source])) {
    throw new AutogradError('writeSlice: an in-place write is not differentiable; call it outside a tape');
  }
  const backend = backendOf('writeSlice', target, source);
  if (source.storage === target.storage)
    throw new ShapeError('writeSlice', 'source and target share storage');
  const outer = sizeOf(target.shape.slice(0, ax));
  const inner = sizeOf(target.shape.slice(ax + 1));
  backend.writeSlice(target.storage, source.storage, { outer, rows, inner, offset, count });
}
