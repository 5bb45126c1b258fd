// Host side of RoPE: per-(theta, headDim) frequency tables computed in f64 once, and the rotation dispatch.
import type { RopeSpec, Storage } from '../../../backend';
import { ShapeError } from '../../../errors';
import type { GpuContext } from '../context';
import { ROPE_SECTIONS_AT, ropeKernel } from '../kernels/rope.wgsl';
import { Params } from '../params';
import type { GpuStorage } from '../storage';

const MAX_SECTIONS = 8;

function frequencies(theta: number, headDim: number): Float32Array {
  return Float32Array.from(
    { length: headDim / 2 },
    (_, i) => Math.pow(theta, (-2 * i) / headDim) / (2 * Math.PI),
  );
}

export function rope(
  ctx: GpuContext,
  x: Storage,
  positions: Storage,
  spec: RopeSpec,
  inverse: boolean,
): GpuStorage {
  const input = ctx.use(x, 'f32');
  if (spec.sections.length > MAX_SECTIONS) {
    throw new ShapeError('rope', `the WebGPU backend supports at most ${MAX_SECTIONS} sections`);
  }
  const out = ctx.alloc('f32', input.size);
  const threads = spec.batch * spec.seq * spec.heads * (spec.headDim / 2);
  const ends: number[] = [];
  spec.sections.reduce((end, count) => (ends.push(end + count), end + count), 0);
  const params = new Params()
    .u32(threads, spec.batch, spec.seq, spec.heads, spec.headDim)
    .f32(inverse ? -1 : 1)
    .u32(spec.sections.length);
  params.at(ROPE_SECTIONS_AT).u32(...ends);
  const freqs = ctx.constant(`rope-turns-${spec.theta}-${spec.headDim}`, () =>
    frequencies(spec.theta, spec.headDim),
  );
  ctx.runElements(ropeKernel, params, [input, ctx.use(positions, 'i32'), freqs, out], threads);
  return out;
}
