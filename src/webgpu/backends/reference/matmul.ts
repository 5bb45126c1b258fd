// Reference batched matmul with transposes and batch broadcasting, accumulating each dot product in f64.
import type { MatmulSpec } from '../../backend';
import { broadcastStrides } from '../../shapes';
import type { FloatArray } from './arrays';
import { forEachIndex2 } from './arrays';

/**
 * Copies one matrix into a Float64Array as [outer, inner] row-major, whatever its stored orientation. Packing
 * keeps the inner loop on one monomorphic array with unit stride, which is ~20x faster in V8 than indexing the
 * f32/f64 storage union with strides.
 */
function pack(
  source: FloatArray,
  base: number,
  rows: number,
  cols: number,
  transposed: boolean,
  into: Float64Array,
): void {
  // Stored as [rows, cols] (or [cols, rows] when transposed); packed as [rows, cols].
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      into[r * cols + c] = transposed
        ? (source[base + c * rows + r] as number)
        : (source[base + r * cols + c] as number);
    }
  }
}

export function matmulKernel(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void {
  const { m, k, n, transA, transB } = spec;
  const packedA = new Float64Array(m * k); // op(a) as [m, k]
  const packedB = new Float64Array(n * k); // op(b)^T as [n, k]
  const visitBatch = (batchIndex: number, matrixA: number, matrixB: number): void => {
    pack(a, matrixA * m * k, m, k, transA, packedA);
    // op(b)^T is b itself when transB (stored [n, k]); otherwise b stored [k, n] read transposed.
    pack(b, matrixB * k * n, n, k, !transB, packedB);
    const baseOut = batchIndex * m * n;
    for (let i = 0; i < m; i++) {
      const rowA = i * k;
      for (let j = 0; j < n; j++) {
        const rowB = j * k;
        let acc = 0;
        for (let p = 0; p < k; p++) acc += (packedA[rowA + p] as number) * (packedB[rowB + p] as number);
        out[baseOut + i * n + j] = acc;
      }
    }
  };
  if (spec.batch.length === 0) visitBatch(0, 0, 0);
  else
    forEachIndex2(
      spec.batch,
      broadcastStrides(spec.batchA, spec.batch),
      broadcastStrides(spec.batchB, spec.batch),
      visitBatch,
    );
}
