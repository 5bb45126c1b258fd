// WGSL for batched matmul (shared-memory tiles, barrier-free register blocks, one thread per output), dense or dequantised B.
import type { Kernel } from '../pipelines';
import type { Binding } from './common.wgsl';
import { declare, PRELUDE } from './common.wgsl';

/** Where B comes from: a dense f32 matrix, or packed int8 / int4 / f16 rows decoded as they are loaded. */
export type BSource = 'dense' | 'q8' | 'q4' | 'f16';

/** simple: a thread per output; blocked: 4×4 per thread, no shared memory; tiled: 64×64 shared-memory tiles. */
export type MatmulLayout = 'simple' | 'blocked' | 'tiled';

export interface MatmulVariant {
  transA: boolean;
  transB: boolean;
  source: BSource;
  layout: MatmulLayout;
}

/**
 * Params: 0 M, 1 N, 2 K, 3 batch rank, 4 first batch index of this dispatch, 5 packed row length (bytes for int8 /
 * int4, halves for f16), 6 scale groups per row, 7 group size; batch shape at 8, A / B matrix strides (0 = broadcast)
 * at 16 / 24.
 */
export const MATMUL_BATCH_AT = 8;

/** Tile of the register-blocked kernel: 64×64 outputs per workgroup of 16×16 threads, 4×4 each, K steps of 16. */
export const TILE = 64;
const TK = 16;
const THREADS = 16;
const SIMPLE = 8;

const BATCH_OFFSETS = /* wgsl */ `
fn batchOffsets(bi: u32) -> vec2<u32> {
  var rem = bi;
  var oa = 0u;
  var ob = 0u;
  for (var k = 0u; k < pu(3u); k++) {
    let d = pu(3u) - 1u - k;
    let dim = pu(8u + d);
    let c = rem % dim;
    rem = rem / dim;
    oa = oa + c * pu(16u + d);
    ob = ob + c * pu(24u + d);
  }
  return vec2<u32>(oa * pu(0u) * pu(2u), ob * pu(2u) * pu(1u));
}`;

/** Level × group scale of W[row, p]; int8 is two's complement, int4 is q + 8 with the low nibble first. */
function dequantize(source: 'q8' | 'q4'): string {
  const level =
    source === 'q8'
      ? `let byte = row * pu(5u) + p;
  let word = b[byte >> 2u];
  let level = bitcast<i32>(word << (24u - (byte & 3u) * 8u)) >> 24u;`
      : `let byte = row * pu(5u) + (p >> 1u);
  let bits = (b[byte >> 2u] >> ((byte & 3u) * 8u)) & 255u;
  let level = i32(select(bits & 15u, bits >> 4u, (p & 1u) == 1u)) - 8;`;
  return `
fn dequant(row: u32, p: u32) -> f32 {
  ${level}
  return f32(level) * scales[row * pu(6u) + p / pu(7u)];
}`;
}

/**
 * W[row, p] from halves packed two per word, even index low: unpack2x16float is core WGSL (no shader-f16), so this
 * runs on every adapter and the arithmetic stays f32.
 */
const DECODE_HALF = /* wgsl */ `
fn dequant(row: u32, p: u32) -> f32 {
  let i = row * pu(5u) + p;
  let pair = unpack2x16float(b[i >> 1u]);
  return select(pair.x, pair.y, (i & 1u) == 1u);
}`;

/** loadA(offset, row, kk) and loadB(offset, kk, col) in op(A) / op(B) coordinates; callers bound-check. */
function loaders(v: MatmulVariant): string {
  const loadA = v.transA ? 'a[off + kk * pu(0u) + r]' : 'a[off + r * pu(2u) + kk]';
  // A quantized weight W [n, k] is B with transB (x @ Wᵀ) or without (x @ W): the same index rule as dense B.
  const loadB =
    v.source === 'dense'
      ? v.transB
        ? 'b[off + c * pu(2u) + kk]'
        : 'b[off + kk * pu(1u) + c]'
      : v.transB
        ? 'dequant(c, kk)'
        : 'dequant(kk, c)';
  const decode = v.source === 'dense' ? '' : v.source === 'f16' ? DECODE_HALF : dequantize(v.source);
  return `${decode}
fn loadA(off: u32, r: u32, kk: u32) -> f32 { return ${loadA}; }
fn loadB(off: u32, kk: u32, c: u32) -> f32 { return ${loadB}; }`;
}

function bindings(source: BSource): Binding[] {
  if (source === 'f16') {
    return [
      ['a', 'f32', 'read'],
      ['b', 'u32', 'read'],
      ['out', 'f32', 'read_write'],
    ];
  }
  return source === 'dense'
    ? [
        ['a', 'f32', 'read'],
        ['b', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ]
    : [
        ['a', 'f32', 'read'],
        ['b', 'u32', 'read'],
        ['scales', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ];
}

/** One thread per output element: tiny shapes, where a 64×64 tile would be mostly idle. */
function simpleMain(): string {
  return `
@compute @workgroup_size(${SIMPLE}, ${SIMPLE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let M = pu(0u);
  let N = pu(1u);
  let K = pu(2u);
  let bi = wid.z + pu(4u);
  let offs = batchOffsets(bi);
  let r = gid.y;
  let c = gid.x;
  if (r >= M || c >= N) { return; }
  var acc = 0.0;
  for (var kk = 0u; kk < K; kk++) { acc = acc + loadA(offs.x, r, kk) * loadB(offs.y, kk, c); }
  out[bi * M * N + r * N + c] = acc;
}`;
}

/**
 * Shared-memory tiles of op(A) [TK][64] and op(B) [TK][64]; each thread keeps a 4×4 block of outputs in registers.
 * Tile loads walk memory along the stored fast axis (which differs with the transposes).
 */
function tiledMain(v: MatmulVariant): string {
  const aIndex = v.transA
    ? `let ak = idx / ${TILE}u; let ar = idx % ${TILE}u;`
    : `let ar = idx / ${TK}u; let ak = idx % ${TK}u;`;
  const bIndex = v.transB
    ? `let bc = idx / ${TK}u; let bk = idx % ${TK}u;`
    : `let bk = idx / ${TILE}u; let bc = idx % ${TILE}u;`;
  return `
var<workgroup> tileA: array<f32, ${TK * TILE}>;
var<workgroup> tileB: array<f32, ${TK * TILE}>;
@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let M = pu(0u);
  let N = pu(1u);
  let K = pu(2u);
  let bi = wid.z + pu(4u);
  let offs = batchOffsets(bi);
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  var acc: array<vec4<f32>, 4>;
  for (var t = 0u; t < K; t += ${TK}u) {
    for (var l = 0u; l < ${(TK * TILE) / (THREADS * THREADS)}u; l++) {
      let idx = lid + l * ${THREADS * THREADS}u;
      ${aIndex}
      var va = 0.0;
      if (row0 + ar < M && t + ak < K) { va = loadA(offs.x, row0 + ar, t + ak); }
      tileA[ak * ${TILE}u + ar] = va;
      ${bIndex}
      var vb = 0.0;
      if (t + bk < K && col0 + bc < N) { vb = loadB(offs.y, t + bk, col0 + bc); }
      tileB[bk * ${TILE}u + bc] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      let ra = kk * ${TILE}u + lid3.y * 4u;
      let rb = kk * ${TILE}u + lid3.x * 4u;
      let av = vec4<f32>(tileA[ra], tileA[ra + 1u], tileA[ra + 2u], tileA[ra + 3u]);
      let bv = vec4<f32>(tileB[rb], tileB[rb + 1u], tileB[rb + 2u], tileB[rb + 3u]);
      acc[0] = acc[0] + av.x * bv;
      acc[1] = acc[1] + av.y * bv;
      acc[2] = acc[2] + av.z * bv;
      acc[3] = acc[3] + av.w * bv;
    }
    workgroupBarrier();
  }
  let outBase = bi * M * N;
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + lid3.y * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let c = col0 + lid3.x * 4u + j;
      if (r < M && c < N) { out[outBase + r * N + c] = acc[i][j]; }
    }
  }
}`;
}

/**
 * Register blocking without workgroup memory or barriers: each thread reads its 4 rows of op(A) and 4 columns of
 * op(B) straight from memory. Software adapters (SwiftShader) run barriers as fiber switches and have CPU caches,
 * so this beats the shared-memory tile there.
 */
function blockedMain(): string {
  return `
@compute @workgroup_size(${SIMPLE}, ${SIMPLE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let M = pu(0u);
  let N = pu(1u);
  let K = pu(2u);
  let bi = wid.z + pu(4u);
  let offs = batchOffsets(bi);
  let r0 = gid.y * 4u;
  let c0 = gid.x * 4u;
  if (r0 >= M || c0 >= N) { return; }
  let rs = vec4<u32>(min(r0, M - 1u), min(r0 + 1u, M - 1u), min(r0 + 2u, M - 1u), min(r0 + 3u, M - 1u));
  let cs = vec4<u32>(min(c0, N - 1u), min(c0 + 1u, N - 1u), min(c0 + 2u, N - 1u), min(c0 + 3u, N - 1u));
  var acc: array<vec4<f32>, 4>;
  for (var kk = 0u; kk < K; kk++) {
    let av = vec4<f32>(loadA(offs.x, rs.x, kk), loadA(offs.x, rs.y, kk), loadA(offs.x, rs.z, kk), loadA(offs.x, rs.w, kk));
    let bv = vec4<f32>(loadB(offs.y, kk, cs.x), loadB(offs.y, kk, cs.y), loadB(offs.y, kk, cs.z), loadB(offs.y, kk, cs.w));
    acc[0] = acc[0] + av.x * bv;
    acc[1] = acc[1] + av.y * bv;
    acc[2] = acc[2] + av.z * bv;
    acc[3] = acc[3] + av.w * bv;
  }
  let outBase = bi * M * N;
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      if (r0 + i < M && c0 + j < N) { out[outBase + (r0 + i) * N + c0 + j] = acc[i][j]; }
    }
  }
}`;
}

export function matmulKernel(v: MatmulVariant): Kernel {
  return {
    key: `matmul-${v.layout}-${v.source}-${v.transA ? 'T' : 'N'}${v.transB ? 'T' : 'N'}`,
    source: () =>
      `${PRELUDE}
${declare(bindings(v.source))}
${BATCH_OFFSETS}
${loaders(v)}
${v.layout === 'tiled' ? tiledMain(v) : v.layout === 'blocked' ? blockedMain() : simpleMain()}`,
  };
}

/** Workgroup edge (in outputs) of each layout, for the host's grid. */
export function matmulTileEdge(layout: MatmulLayout): number {
  return layout === 'tiled' ? TILE : layout === 'blocked' ? 4 * SIMPLE : SIMPLE;
}
