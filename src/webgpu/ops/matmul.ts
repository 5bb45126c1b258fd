// Batched matmul with transposes and batch broadcasting (plus linear = x W^T + b); backward via two matmuls.
import { recordOp } from '../autograd';
import { ShapeError, fmtShape } from '../errors';
import { broadcastShapes, sizeOf } from '../shapes';
import type { Tensor } from '../tensor';
import { backendOf, expectDType, wrap } from './common';
import { add } from './elementwise';
import { sumToShape } from './reduce';
import { reshape } from './shape';

export interface MatmulOptions {
  /** Use a's last two axes transposed (a is [..., k, m]). */
  transA?: boolean;
  /** Use b's last two axes transposed (b is [..., n, k]): the layout of PyTorch Linear weights. */
  transB?: boolean;
}

function matrixDims(op: string, t: Tensor, transposed: boolean): [number, number] {
  if (t.rank < 2) throw new ShapeError(op, `operand ${fmtShape(t.shape)} must have rank >= 2`);
  const rows = t.shape[t.rank - 2] as number;
  const cols = t.shape[t.rank - 1] as number;
  return transposed ? [cols, rows] : [rows, cols];
}

/** op(a) @ op(b) over broadcast batch axes. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  expectDType('matmul', a, 'f32', 'a');
  expectDType('matmul', b, 'f32', 'b');
  const backend = backendOf('matmul', a, b);
  const [m, k] = matrixDims('matmul', a, transA);
  const [kb, n] = matrixDims('matmul', b, transB);
  if (k !== kb) {
    throw new ShapeError(
      'matmul',
      `inner sizes differ: ${fmtShape(a.shape)}${transA ? 'ᵀ' : ''} @ ${fmtShape(b.shape)}${transB ? 'ᵀ' : ''}`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  // A shared (unbatched) b with a row-major a is one GEMM over all of a's rows: fewer, larger kernel launches.
  const foldRows = batchB.length === 0 && !transA && batchA.length > 0;
  const spec = foldRows
    ? { batch: [], batchA: [], batchB, m: sizeOf(batchA) * m, k, n, transA, transB }
    : { batch, batchA, batchB, m, k, n, transA, transB };
  const y = wrap(backend, backend.matmul(a.storage, b.storage, spec), [...batch, m, n]);
  recordOp('matmul', [a, b], [y], [a, b], ([dy], [sa, sb], [needA, needB]) => {
    if (!dy || !sa || !sb) return [null, null];
    return [
      needA ? sumToShape(gradA(dy, sb, transA, transB), a.shape) : null,
      needB
        ? foldRows
          ? sharedWeightGrad(dy, sa, transB)
          : sumToShape(gradB(dy, sa, transA, transB), b.shape)
        : null,
    ];
  });
  return y;
}

/**
 * The gradient of a shared b from a row-major a [..., m, k]: one GEMM over the flattened rows instead of a
 * batched product followed by a sum over the batch.
 */
function sharedWeightGrad(dy: Tensor, a: Tensor, transB: boolean): Tensor {
  const rowsA = reshape(a, [-1, a.shape[a.rank - 1] as number]);
  const rowsDy = reshape(dy, [-1, dy.shape[dy.rank - 1] as number]);
  return transB ? matmul(rowsDy, rowsA, { transA: true }) : matmul(rowsA, rowsDy, { transA: true });
}

/** d op(a) = dy op(b)^T; when a was used transposed, da is that transposed again. */
function gradA(dy: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return transA ? matmul(b, dy, { transA: transB, transB: true }) : matmul(dy, b, { transB: !transB });
}

/** d op(b) = op(a)^T dy; when b was used transposed, db is that transposed again. */
function gradB(dy: Tensor, a: Tensor, transA: boolean, transB: boolean): Tensor {
  return transB ? matmul(dy, a, { transA: true, transB: transA }) : matmul(a, dy, { transA: !transA });
}

/** x [..., in] @ weight[out, in]^T (+ bias[out]), the PyTorch Linear convention. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  const y = matmul(x, weight, { transB: true });
  if (!bias) return y;
  const withBias = add(y, bias);
  y.dispose();
  return withBias;
}
