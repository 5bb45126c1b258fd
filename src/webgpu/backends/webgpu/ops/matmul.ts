// Host side of batched matmul (tile choice, batch folding and broadcasting) and of the dequant-fused matmulQuantized.
import type { MatmulSpec, QuantizedWeight, Storage } from '../../../backend';
import { broadcastStrides, sizeOf } from '../../../shapes';
import type { GpuContext } from '../context';
import type { BSource, MatmulLayout, MatmulVariant } from '../kernels/matmul.wgsl';
import { MATMUL_BATCH_AT, matmulKernel, matmulTileEdge } from '../kernels/matmul.wgsl';
import { Params } from '../params';
import type { GpuStorage } from '../storage';
import { collapse } from './strides';

interface Launch {
  m: number;
  n: number;
  k: number;
  batch: readonly number[];
  stridesA: readonly number[];
  stridesB: readonly number[];
  transA: boolean;
  transB: boolean;
  source: BSource;
  /** Packed-weight words 5-7: row length (bytes, or halves for f16), scale groups per row, group size. */
  quant?: [number, number, number];
}

/**
 * Blocked kernels only pay off when both output edges fill a good part of a block; software adapters prefer the
 * barrier-free register-blocked kernel, hardware the shared-memory tile.
 */
function layoutFor(ctx: GpuContext, m: number, n: number): MatmulLayout {
  if (m < 16 || n < 16) return 'simple';
  return ctx.software ? 'blocked' : 'tiled';
}

/** Dispatches one matmul, splitting the batch over several dispatches when it exceeds the z limit. */
function launch(ctx: GpuContext, job: Launch, storages: readonly GpuStorage[]): void {
  const { m, n, k } = job;
  const batchCount = sizeOf(job.batch);
  if (m === 0 || n === 0 || batchCount === 0) return;
  const layout = ctx.options.matmulLayout ?? layoutFor(ctx, m, n);
  const variant: MatmulVariant = { transA: job.transA, transB: job.transB, source: job.source, layout };
  const edge = matmulTileEdge(layout);
  const { shape, strides } = collapse('matmul', job.batch, [job.stridesA, job.stridesB]);
  for (let first = 0; first < batchCount; first += ctx.maxPerDimension) {
    const params = new Params().u32(m, n, k, shape.length, first, ...(job.quant ?? [0, 0, 0]));
    params.at(MATMUL_BATCH_AT).u32(...shape);
    params.at(MATMUL_BATCH_AT + 8).u32(...(strides[0] as number[]));
    params.at(MATMUL_BATCH_AT + 16).u32(...(strides[1] as number[]));
    const z = Math.min(ctx.maxPerDimension, batchCount - first);
    ctx.run(matmulKernel(variant), params, storages, [Math.ceil(n / edge), Math.ceil(m / edge), z]);
  }
}

export function matmul(ctx: GpuContext, a: Storage, b: Storage, spec: MatmulSpec): GpuStorage {
  const [left, right] = [ctx.use(a, 'f32'), ctx.use(b, 'f32')];
  const batchCount = sizeOf(spec.batch);
  const out = ctx.alloc('f32', batchCount * spec.m * spec.n);
  // A shared B and a row-major batched A is one GEMM over all of A's rows (every Linear layer).
  const fold = sizeOf(spec.batchB) === 1 && !spec.transA && sizeOf(spec.batchA) === batchCount;
  const job: Launch = {
    m: fold ? spec.m * batchCount : spec.m,
    n: spec.n,
    k: spec.k,
    batch: fold ? [] : spec.batch,
    stridesA: fold ? [] : broadcastStrides(spec.batchA, spec.batch),
    stridesB: fold ? [] : broadcastStrides(spec.batchB, spec.batch),
    transA: spec.transA,
    transB: spec.transB,
    source: 'dense',
  };
  launch(ctx, job, [left, right, out]);
  return out;
}

/** transposed = false: x [rows, k] @ Wᵀ; true: x [rows, n] @ W. W [n, k] is decoded inside the tile loads. */
export function matmulQuantized(
  ctx: GpuContext,
  x: Storage,
  weight: QuantizedWeight,
  rows: number,
  transposed: boolean,
): GpuStorage {
  const input = ctx.use(x, 'f32');
  const { n, k, format } = weight;
  const [inner, cols] = transposed ? [n, k] : [k, n];
  const out = ctx.alloc('f32', rows * cols);
  const job: Launch = {
    ...{ m: rows, n: cols, k: inner, batch: [], stridesA: [], stridesB: [] },
    ...{ transA: false, transB: !transposed, source: format },
    quant:
      format === 'f16'
        ? [k, 0, 0]
        : [format === 'q8' ? k : Math.ceil(k / 2), Math.ceil(k / weight.groupSize), weight.groupSize],
  };
  const packed = ctx.use(weight.packed, 'i32');
  const storages =
    format === 'f16' ? [input, packed, out] : [input, packed, ctx.use(weight.scales, 'f32'), out];
  launch(ctx, job, storages);
  return out;
}
