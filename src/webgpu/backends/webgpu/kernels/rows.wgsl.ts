// WGSL for reductions over an axis and the row-wise softmax family (softmax, log-prob gather, entropy, backwards).
import type { Kernel } from '../pipelines';
import { perElement, perRow, WG } from './common.wgsl';

/** Reduce params: 0 outputs, 1 axis length, 2 inner, 3 op (0 sum, 1 max), 4 -Infinity (no inf literals in WGSL). */
const REDUCE_INDEX = /* wgsl */ `
  let inner = pu(2u);
  let axis = pu(1u);
  let isMax = pu(3u) == 1u;
  var acc = select(0.0, pf(4u), isMax);`;

/** One thread per output, looping over the axis: best when the axis is short. */
export const reduceLoopKernel: Kernel = {
  key: 'reduce-loop',
  source: () =>
    perElement(
      [
        ['x', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${REDUCE_INDEX}
  let base = (i / inner) * axis * inner + i % inner;
  for (var a = 0u; a < axis; a++) {
    let v = x[base + a * inner];
    acc = select(acc + v, max(acc, v), isMax);
  }
  out[i] = acc;`,
    ),
};

/** One workgroup per output with a tree reduction: for long axes (a loss over many rows, a bias gradient). */
export const reduceTreeKernel: Kernel = {
  key: 'reduce-tree',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${REDUCE_INDEX}
  let base = (row / inner) * axis * inner + row % inner;
  for (var a = lid; a < axis; a += ${WG}u) {
    let v = x[base + a * inner];
    acc = select(acc + v, max(acc, v), isMax);
  }
  var r = 0.0;
  if (isMax) { r = wgMax(acc, lid); } else { r = wgSum(acc, lid); }
  if (lid == 0u) { out[row] = r; }`,
    ),
};

/**
 * Row params: 0 rows, 1 cols, 2 flag (log for softmax), 3 -Infinity. rowLse subtracts the row max first; an
 * all -Infinity row gives -Infinity (shift 0 keeps exp finite), as the reference does.
 */
const ROW_LSE = /* wgsl */ `
fn rowLse(base: u32, cols: u32, lid: u32) -> f32 {
  var m = pf(3u);
  for (var j = lid; j < cols; j += ${WG}u) { m = max(m, x[base + j]); }
  m = wgMax(m, lid);
  let shift = select(m, 0.0, m < -3.0e38);
  var s = 0.0;
  for (var j = lid; j < cols; j += ${WG}u) { s = s + exp(x[base + j] - shift); }
  return shift + log(wgSum(s, lid));
}`;

const ROW_START = `let cols = pu(1u);
  let base = row * cols;`;

export const softmaxKernel: Kernel = {
  key: 'softmax',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${ROW_START}
  let lse = rowLse(base, cols, lid);
  let logOut = pu(2u) == 1u;
  for (var j = lid; j < cols; j += ${WG}u) {
    let v = x[base + j] - lse;
    out[base + j] = select(exp(v), v, logOut);
  }`,
      ROW_LSE,
    ),
};

/** softmax: dx = y (dy - Σ dy y); log-softmax: dx = dy - exp(y) Σ dy. */
export const softmaxBackwardKernel: Kernel = {
  key: 'softmax-backward',
  source: () =>
    perRow(
      [
        ['y', 'f32', 'read'],
        ['dy', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${ROW_START}
  let logOut = pu(2u) == 1u;
  var part = 0.0;
  for (var j = lid; j < cols; j += ${WG}u) {
    part = part + select(dy[base + j] * y[base + j], dy[base + j], logOut);
  }
  let sdot = wgSum(part, lid);
  for (var j = lid; j < cols; j += ${WG}u) {
    let k = base + j;
    out[k] = select(y[k] * (dy[k] - sdot), dy[k] - exp(y[k]) * sdot, logOut);
  }`,
    ),
};

/** out[r] = x[r, id] - lse(r); 0 for negative ids; NaN for ids past the row (the reference throws there). */
export const logSoftmaxGatherKernel: Kernel = {
  key: 'log-softmax-gather',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['ids', 'i32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${ROW_START}
  let lse = rowLse(base, cols, lid);
  if (lid == 0u) {
    let id = ids[row];
    var v = 0.0;
    if (id >= 0) { v = select(pf(3u) - pf(3u), x[base + u32(id)] - lse, u32(id) < cols); }
    out[row] = v;
  }`,
      ROW_LSE,
    ),
};

export const logSoftmaxGatherBackwardKernel: Kernel = {
  key: 'log-softmax-gather-backward',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['ids', 'i32', 'read'],
        ['dy', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${ROW_START}
  let lse = rowLse(base, cols, lid);
  let id = ids[row];
  let g = select(dy[row], 0.0, id < 0);
  for (var j = lid; j < cols; j += ${WG}u) {
    let hot = select(0.0, 1.0, i32(j) == id);
    out[base + j] = g * (hot - exp(x[base + j] - lse));
  }`,
      ROW_LSE,
    ),
};

/** H = lse - Σ p x (equals -Σ p log p without logs of tiny p). */
const ROW_ENTROPY = `let lse = rowLse(base, cols, lid);
  var part = 0.0;
  for (var j = lid; j < cols; j += ${WG}u) { part = part + exp(x[base + j] - lse) * x[base + j]; }
  let entropy = lse - wgSum(part, lid);`;

export const entropyKernel: Kernel = {
  key: 'entropy',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${ROW_START}
  ${ROW_ENTROPY}
  if (lid == 0u) { out[row] = entropy; }`,
      ROW_LSE,
    ),
};

/** dH/dx_k = -p_k (log p_k + H), times dy[r]. */
export const entropyBackwardKernel: Kernel = {
  key: 'entropy-backward',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['dy', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${ROW_START}
  ${ROW_ENTROPY}
  let g = dy[row];
  for (var j = lid; j < cols; j += ${WG}u) {
    let logp = x[base + j] - lse;
    out[base + j] = -g * exp(logp) * (logp + entropy);
  }`,
      ROW_LSE,
    ),
};
