// Reductions: sum and mean (all axes or some), max (no gradient), and sumToShape for broadcast backward.
import { recordOp } from '../autograd';
import { ShapeError, fmtShape } from '../errors';
import type { Shape } from '../shapes';
import { normalizeAxis, sameShape, sizeOf } from '../shapes';
import type { Tensor } from '../tensor';
import { wrap } from './common';

function reduceOneAxis(op: 'sum' | 'max', x: Tensor, axis: number): Tensor {
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const backend = x.backend;
  const storage = backend.reduce(op, x.storage, { outer, axis: x.shape[axis] as number, inner });
  return wrap(
    backend,
    storage,
    x.shape.map((d, i) => (i === axis ? 1 : d)),
  );
}

function axesOf(op: string, x: Tensor, axes: number | readonly number[] | undefined): number[] {
  if (axes === undefined) return x.shape.map((_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  return [...new Set(list.map((a) => normalizeAxis(op, a, x.rank)))].sort((a, b) => a - b);
}

/** Applies a reduction axis by axis with kept dims, then drops them unless keepDims. No tape record. */
function reduceAxes(op: 'sum' | 'max', x: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  let current = x.view(x.shape);
  for (const axis of axes) {
    const next = reduceOneAxis(op, current, axis);
    current.dispose();
    current = next;
  }
  if (keepDims) return current;
  const dropped = current.view(x.shape.filter((_, i) => !axes.includes(i)));
  current.dispose();
  return dropped;
}

/** Sum over `axes` (all when omitted). */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const list = axesOf('sum', x, axes);
  const y = reduceAxes('sum', x, list, keepDims);
  const keptShape = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
  // Backward rules read only captured values: the forward's own handles may be disposed by then.
  const backend = x.backend;
  recordOp('sum', [x], [y], [], ([dy]) => {
    if (!dy) return [null];
    const kept = dy.view(keptShape);
    return [wrap(backend, backend.broadcast(kept.storage, keptShape, x.shape), x.shape)];
  });
  return y;
}

/** Mean over `axes` (all when omitted). */
export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const list = axesOf('mean', x, axes);
  const count = list.reduce((n, a) => n * (x.shape[a] as number), 1);
  const total = sum(x, list, keepDims);
  const backend = x.backend;
  const y = wrap(
    backend,
    backend.unary({ kind: 'affine', scale: 1 / count, shift: 0 }, total.storage),
    total.shape,
  );
  recordOp('mean', [total], [y], [], ([dy]) => [
    dy
      ? wrap(backend, backend.unary({ kind: 'affine', scale: 1 / count, shift: 0 }, dy.storage), dy.shape)
      : null,
  ]);
  total.dispose();
  return y;
}

/** Max over `axes`; not differentiable here (use softmax-family ops for smooth maxima). */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return reduceAxes('max', x, axesOf('max', x, axes), keepDims);
}

/** Sums a broadcast gradient back to the shape of the input that was broadcast. Returns g itself if equal. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const extra = g.rank - shape.length;
  if (extra < 0)
    throw new ShapeError('sumToShape', `${fmtShape(g.shape)} has fewer axes than ${fmtShape(shape)}`);
  const axes: number[] = [];
  g.shape.forEach((d, i) => {
    if (i < extra || (shape[i - extra] === 1 && d !== 1)) axes.push(i);
  });
  const reduced = reduceAxes('sum', g, axes, true);
  const result = reduced.view(shape);
  reduced.dispose();
  return result;
}
