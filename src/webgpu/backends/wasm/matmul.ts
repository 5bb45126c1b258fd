// Matmul on the SIMD kernels: batch broadcasting mapped to kernel strides (or one GEMM per matrix), and int8/int4/f16 weights.
import type { GroupQuantizedWeight, HalfWeight, MatmulSpec, QuantizedWeight, Storage } from '../../backend';
import { broadcastStrides, sizeOf } from '../../shapes';
import type { HeapHalfWeights, HeapQuantizedWeights, MatmulArgs, WasmKernels } from '../../wasm/kernels';
import { forEachIndex2 } from '../reference/arrays';
import { dequantize } from '../reference/quantized';
import type { WasmMemory, WasmStorage } from './memory';

type Gemm = Pick<MatmulArgs, 'm' | 'n' | 'k' | 'transA' | 'transB'>;

/** out[...batch, m, n] = op(a) · op(b); see MatmulSpec for the layouts. */
export function matmul(
  kernels: WasmKernels,
  mem: WasmMemory,
  a: Storage,
  b: Storage,
  spec: MatmulSpec,
): Storage {
  const { m, n, k, transA, transB } = spec;
  const total = sizeOf(spec.batch);
  const out = mem.alloc('f32', total * m * n);
  if (out.size === 0) return out;
  // The kernel leaves C untouched for an empty contraction; the product of empty sums is zero.
  if (k === 0) return fillZero(mem, out);
  const [pa, pb, pc] = [mem.ptr(a), mem.ptr(b), out.ptr];
  const gemm: Gemm = { m, n, k, transA, transB };
  const itemsA = sizeOf(spec.batchA);
  const itemsB = sizeOf(spec.batchB);
  if (itemsB === 1 && !transA) {
    // A shared B (every linear layer): a's batch folds into m, one large GEMM the pool splits well.
    kernels.matmul({ ...gemm, a: pa, b: pb, c: pc, m: total * m });
  } else if ((itemsA === total || itemsA === 1) && (itemsB === total || itemsB === 1)) {
    // Equal batches or one operand shared: one batched call, a zero stride re-reads the shared operand.
    const strideA = itemsA === 1 ? 0 : m * k;
    const strideB = itemsB === 1 ? 0 : k * n;
    kernels.matmul({ ...gemm, a: pa, b: pb, c: pc, batch: total, strideA, strideB });
  } else {
    // Mixed broadcasting (e.g. [3, 1] against [2]): one GEMM per output matrix.
    const stridesA = broadcastStrides(spec.batchA, spec.batch);
    const stridesB = broadcastStrides(spec.batchB, spec.batch);
    forEachIndex2(spec.batch, stridesA, stridesB, (i, ia, ib) => {
      kernels.matmul({ ...gemm, a: pa + 4 * ia * m * k, b: pb + 4 * ib * k * n, c: pc + 4 * i * m * n });
    });
  }
  return out;
}

/**
 * x [rows, k] @ Wᵀ → [rows, n] runs the quantized kernel (dequantisation in its packing step). The transposed form
 * x [rows, n] @ W → [rows, k] has no int8/int4 kernel (groups run along k, the contraction would run along n), so W
 * is dequantised into a temporary f32 region, used, and freed in the same call; f16 W has a kernel for both forms.
 */
export function matmulQuantized(
  kernels: WasmKernels,
  mem: WasmMemory,
  x: Storage,
  weight: QuantizedWeight,
  rows: number,
  transposed: boolean,
): Storage {
  const { n, k } = weight;
  const out = mem.alloc('f32', rows * (transposed ? k : n));
  if (out.size === 0) return out;
  if (transposed ? n === 0 : k === 0) return fillZero(mem, out);
  if (weight.format === 'f16') {
    kernels.matmulF16({ a: mem.ptr(x), weights: heapHalves(mem, weight), c: out.ptr, m: rows, transposed });
    return out;
  }
  if (!transposed) {
    kernels.matmulQuantized({ a: mem.ptr(x), weights: heapWeights(mem, weight), c: out.ptr, m: rows });
    return out;
  }
  const dense = mem.alloc('f32', n * k);
  mem.float(dense).set(dequantize(mem.bytes(weight.packed), mem.float(weight.scales), weight));
  kernels.matmul({ a: mem.ptr(x), b: dense.ptr, c: out.ptr, m: rows, k: n, n: k });
  mem.free(dense);
  return out;
}

/** The kernel's view of a QuantizedWeight: its storages already sit on the heap, so nothing is copied. */
function heapWeights(mem: WasmMemory, weight: GroupQuantizedWeight): HeapQuantizedWeights {
  const { n, k, groupSize } = weight;
  const bits = weight.format === 'q8' ? 8 : 4;
  const rowBytes = bits === 8 ? k : Math.ceil(k / 2);
  const groupsPerRow = Math.ceil(k / groupSize);
  const packed = mem.use(weight.packed);
  const scales = mem.use(weight.scales);
  return {
    ...{ bits, n, k, groupSize, rowBytes, groupsPerRow },
    data: { ptr: packed.ptr, length: n * rowBytes, view: () => mem.bytes(packed).subarray(0, n * rowBytes) },
    scales: { ptr: scales.ptr, length: scales.size, view: () => mem.float(scales) },
  };
}

/** The f16 kernel's view of a HalfWeight, in place on the heap like heapWeights. */
function heapHalves(mem: WasmMemory, weight: HalfWeight): HeapHalfWeights {
  const packed = mem.use(weight.packed);
  const length = 2 * weight.n * weight.k;
  return {
    ...{ n: weight.n, k: weight.k },
    data: { ptr: packed.ptr, length, view: () => mem.bytes(packed).subarray(0, length) },
  };
}

function fillZero(mem: WasmMemory, out: WasmStorage): WasmStorage {
  mem.float(out).fill(0);
  return out;
}
