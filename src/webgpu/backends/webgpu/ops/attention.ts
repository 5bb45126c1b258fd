// Host side of fused attention forward and backward (statistics pass, dq pass, dk/dv pass).
import type { AttentionGrads, AttentionOutput, AttentionSpec, Storage } from '../../../backend';
import type { GpuContext } from '../context';
import {
  attentionDkvKernel,
  attentionDqKernel,
  attentionKernel,
  attentionStatsKernel,
} from '../kernels/attention.wgsl';
import { Params } from '../params';
import type { GpuStorage } from '../storage';

function attentionParams(spec: AttentionSpec, threads: number): Params {
  return new Params()
    .u32(threads, spec.batch, spec.tq, spec.tk, spec.hq, spec.hkv)
    .f32(spec.scale)
    .u32(spec.causal ? 1 : 0)
    .i32(spec.queryOffset)
    .u32(spec.maskBatch, spec.maskHeads, spec.kvRows);
}

function inputs(ctx: GpuContext, q: Storage, k: Storage, v: Storage, mask: Storage | null): GpuStorage[] {
  const list = [ctx.use(q, 'f32'), ctx.use(k, 'f32'), ctx.use(v, 'f32')];
  if (mask) list.push(ctx.use(mask, 'f32'));
  return list;
}

export function attention(
  ctx: GpuContext,
  q: Storage,
  k: Storage,
  v: Storage,
  mask: Storage | null,
  spec: AttentionSpec,
): AttentionOutput {
  const rows = spec.batch * spec.hq * spec.tq;
  const out = ctx.alloc('f32', q.size);
  const logSumExp = ctx.alloc('f32', rows);
  const kernel = attentionKernel(spec.d, mask !== null);
  ctx.runElements(kernel, attentionParams(spec, rows), [...inputs(ctx, q, k, v, mask), out, logSumExp], rows);
  return { out, logSumExp };
}

export function attentionBackward(
  ctx: GpuContext,
  q: Storage,
  k: Storage,
  v: Storage,
  mask: Storage | null,
  out: Storage,
  logSumExp: Storage,
  dOut: Storage,
  spec: AttentionSpec,
): AttentionGrads {
  const rows = spec.batch * spec.hq * spec.tq;
  const keyRows = spec.batch * spec.kvRows * spec.hkv;
  const gradOut = ctx.use(dOut, 'f32');
  const stats = ctx.alloc('f32', 2 * rows);
  ctx.runElements(
    attentionStatsKernel(spec.d),
    attentionParams(spec, rows),
    [ctx.use(out, 'f32'), gradOut, ctx.use(logSumExp, 'f32'), stats],
    rows,
  );
  const masked = mask !== null;
  const qkv = inputs(ctx, q, k, v, mask);
  const dq = ctx.alloc('f32', q.size);
  ctx.runElements(
    attentionDqKernel(spec.d, masked),
    attentionParams(spec, rows),
    [...qkv, stats, gradOut, dq],
    rows,
  );
  const dk = ctx.alloc('f32', k.size);
  const dv = ctx.alloc('f32', v.size);
  const params = attentionParams(spec, keyRows);
  ctx.runElements(attentionDkvKernel(spec.d, masked), params, [...qkv, stats, gradOut, dk, dv], keyRows);
  ctx.free(stats);
  return { dq, dk, dv };
}
