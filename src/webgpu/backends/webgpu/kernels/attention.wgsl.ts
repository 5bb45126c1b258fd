// WGSL for fused attention: flash-style forward (online softmax, saves log-sum-exp) and atomics-free backward.
import type { Kernel } from '../pipelines';
import type { Binding } from './common.wgsl';
import { perElement } from './common.wgsl';

/**
 * Params: 0 threads, 1 batch, 2 tq, 3 tk, 4 hq, 5 hkv, 6 scale, 7 causal, 8 queryOffset (i32), 9 maskBatch,
 * 10 maskHeads, 11 kvRows (k/v rows per batch, ≥ tk). The head size is a compile-time constant so rows fit in
 * private arrays.
 */
function helpers(d: number, masked: boolean): string {
  const maskTerm = masked
    ? `let mb = select(b, 0u, pu(9u) == 1u);
  let mh = select(h, 0u, pu(10u) == 1u);
  s = s + mask[((mb * pu(10u) + mh) * pu(2u) + i) * pu(3u) + j];`
    : '';
  return `
const D: u32 = ${d}u;
// Masked scores are -Infinity; comparing against a huge negative number survives fast-math compilers.
fn hidden(s: f32) -> bool { return s < -1.0e30; }
fn visible(i: u32, j: u32) -> bool { return pu(7u) == 0u || i32(j) <= pi(8u) + i32(i); }
fn qRow(b: u32, i: u32, h: u32) -> u32 { return ((b * pu(2u) + i) * pu(4u) + h) * D; }
fn kRow(b: u32, j: u32, kh: u32) -> u32 { return ((b * pu(11u) + j) * pu(5u) + kh) * D; }
fn score(b: u32, h: u32, i: u32, j: u32, qo: u32, ko: u32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < D; c++) { s = s + q[qo + c] * k[ko + c]; }
  s = s * pf(6u);
  ${maskTerm}
  return s;
}`;
}

function inputs(masked: boolean): Binding[] {
  const list: Binding[] = [
    ['q', 'f32', 'read'],
    ['k', 'f32', 'read'],
    ['v', 'f32', 'read'],
  ];
  if (masked) list.push(['mask', 'f32', 'read']);
  return list;
}

/** Thread per (batch, head, query) = the log-sum-exp index; the output row is [b, i, h]. */
const QUERY_INDEX = `let qi = t % pu(2u);
  let h = (t / pu(2u)) % pu(4u);
  let b = t / (pu(2u) * pu(4u));
  let kh = h / (pu(4u) / pu(5u));
  let qo = qRow(b, qi, h);`;

export function attentionKernel(d: number, masked: boolean): Kernel {
  return {
    key: `attention-d${d}-${masked ? 'mask' : 'nomask'}`,
    source: () =>
      perElement(
        [...inputs(masked), ['out', 'f32', 'read_write'], ['lse', 'u32', 'read_write']],
        `let t = i;
  ${QUERY_INDEX}
  var acc: array<f32, D>;
  var m = 0.0;
  var l = 0.0;
  var seen = false;
  for (var j = 0u; j < pu(3u); j++) {
    if (!visible(qi, j)) { break; }
    let ko = kRow(b, j, kh);
    let s = score(b, h, qi, j, qo, ko);
    if (hidden(s)) { continue; }
    if (!seen) { m = s; seen = true; }
    let mNew = max(m, s);
    let correction = exp(m - mNew);
    let p = exp(s - mNew);
    l = l * correction + p;
    for (var c = 0u; c < D; c++) { acc[c] = acc[c] * correction + p * v[ko + c]; }
    m = mNew;
  }
  let inv = select(0.0, 1.0 / l, seen);
  for (var c = 0u; c < D; c++) { out[qo + c] = acc[c] * inv; }
  // -Infinity for a query that sees no key, written as bits (WGSL has no infinity literal).
  lse[t] = select(0xff800000u, bitcast<u32>(m + log(l)), seen);`,
        helpers(d, masked),
      ),
  };
}

/** stats[t] = (lse, Σ out · dOut) per query row: the softmax statistics both backward kernels share. */
export function attentionStatsKernel(d: number): Kernel {
  return {
    key: `attention-stats-d${d}`,
    source: () =>
      perElement(
        [
          ['out', 'f32', 'read'],
          ['dOut', 'f32', 'read'],
          ['lse', 'f32', 'read'],
          ['stats', 'f32', 'read_write'],
        ],
        `let t = i;
  let i2 = t % pu(2u);
  let h = (t / pu(2u)) % pu(4u);
  let b = t / (pu(2u) * pu(4u));
  let qo = ((b * pu(2u) + i2) * pu(4u) + h) * ${d}u;
  var delta = 0.0;
  for (var c = 0u; c < ${d}u; c++) { delta = delta + out[qo + c] * dOut[qo + c]; }
  stats[2u * t] = lse[t];
  stats[2u * t + 1u] = delta;`,
      ),
  };
}

/** dq_i = scale Σ_j p_ij (dOut_i · v_j - delta_i) k_j, one thread per query row. */
export function attentionDqKernel(d: number, masked: boolean): Kernel {
  return {
    key: `attention-dq-d${d}-${masked ? 'mask' : 'nomask'}`,
    source: () =>
      perElement(
        [...inputs(masked), ['stats', 'f32', 'read'], ['dOut', 'f32', 'read'], ['dq', 'f32', 'read_write']],
        `let t = i;
  ${QUERY_INDEX}
  let lseRow = stats[2u * t];
  let delta = stats[2u * t + 1u];
  var acc: array<f32, D>;
  if (!hidden(lseRow)) {
    for (var j = 0u; j < pu(3u); j++) {
      if (!visible(qi, j)) { break; }
      let ko = kRow(b, j, kh);
      let s = score(b, h, qi, j, qo, ko);
      if (hidden(s)) { continue; }
      let p = exp(s - lseRow);
      var dp = 0.0;
      for (var c = 0u; c < D; c++) { dp = dp + dOut[qo + c] * v[ko + c]; }
      let ds = p * (dp - delta) * pf(6u);
      for (var c = 0u; c < D; c++) { acc[c] = acc[c] + ds * k[ko + c]; }
    }
  }
  for (var c = 0u; c < D; c++) { dq[qo + c] = acc[c]; }`,
        helpers(d, masked),
      ),
  };
}

/**
 * dk_j and dv_j, one thread per key row (all kvRows) and kv head, looping over the query heads of its group and all
 * queries: each thread owns its output rows, so no atomics are needed. Rows past tk are zero.
 */
export function attentionDkvKernel(d: number, masked: boolean): Kernel {
  return {
    key: `attention-dkv-d${d}-${masked ? 'mask' : 'nomask'}`,
    source: () =>
      perElement(
        [
          ...inputs(masked),
          ['stats', 'f32', 'read'],
          ['dOut', 'f32', 'read'],
          ['dk', 'f32', 'read_write'],
          ['dv', 'f32', 'read_write'],
        ],
        `let kh = i % pu(5u);
  let j = (i / pu(5u)) % pu(11u);
  let b = i / (pu(5u) * pu(11u));
  let ko = kRow(b, j, kh);
  let group = select(0u, pu(4u) / pu(5u), j < pu(3u));
  var accK: array<f32, D>;
  var accV: array<f32, D>;
  for (var g = 0u; g < group; g++) {
    let h = kh * group + g;
    for (var qi = 0u; qi < pu(2u); qi++) {
      if (!visible(qi, j)) { continue; }
      let st = (b * pu(4u) + h) * pu(2u) + qi;
      let lseRow = stats[2u * st];
      if (hidden(lseRow)) { continue; }
      let qo = qRow(b, qi, h);
      let s = score(b, h, qi, j, qo, ko);
      if (hidden(s)) { continue; }
      let p = exp(s - lseRow);
      var dp = 0.0;
      for (var c = 0u; c < D; c++) {
        dp = dp + dOut[qo + c] * v[ko + c];
        accV[c] = accV[c] + p * dOut[qo + c];
      }
      let ds = p * (dp - stats[2u * st + 1u]) * pf(6u);
      for (var c = 0u; c < D; c++) { accK[c] = accK[c] + ds * q[qo + c]; }
    }
  }
  for (var c = 0u; c < D; c++) {
    dk[ko + c] = accK[c];
    dv[ko + c] = accV[c];
  }`,
        helpers(d, masked),
      ),
  };
}
