// WGSL for fused RMSNorm / LayerNorm forward and backward (one workgroup per row) and their weight gradients.
import type { Kernel } from '../pipelines';
import { perElement, perRow, WG } from './common.wgsl';

/** Norm params: 0 rows, 1 cols, 2 eps. */
const START = `let cols = pu(1u);
  let base = row * cols;
  let eps = pf(2u);`;

const RMS_INVERSE = `var part = 0.0;
  for (var j = lid; j < cols; j += ${WG}u) { part = part + x[base + j] * x[base + j]; }
  let inv = 1.0 / sqrt(wgSum(part, lid) / f32(cols) + eps);`;

/** Two-pass mean and variance: a one-pass E[x²] - E[x]² loses digits in f32. */
const MEAN_INVERSE = `var part = 0.0;
  for (var j = lid; j < cols; j += ${WG}u) { part = part + x[base + j]; }
  let mean = wgSum(part, lid) / f32(cols);
  var part2 = 0.0;
  for (var j = lid; j < cols; j += ${WG}u) { let c = x[base + j] - mean; part2 = part2 + c * c; }
  let inv = 1.0 / sqrt(wgSum(part2, lid) / f32(cols) + eps);`;

export const rmsNormKernel: Kernel = {
  key: 'rms-norm',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['w', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${START}
  ${RMS_INVERSE}
  for (var j = lid; j < cols; j += ${WG}u) { out[base + j] = x[base + j] * inv * w[j]; }`,
    ),
};

/** dx = r w dy - r³ x mean(w dy x); stats[row] = (0, r) so the weight-gradient pass can rebuild x̂ = x r. */
export const rmsNormBackwardKernel: Kernel = {
  key: 'rms-norm-backward',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['w', 'f32', 'read'],
        ['dy', 'f32', 'read'],
        ['dx', 'f32', 'read_write'],
        ['stats', 'f32', 'read_write'],
      ],
      `${START}
  ${RMS_INVERSE}
  var partDot = 0.0;
  for (var j = lid; j < cols; j += ${WG}u) { partDot = partDot + w[j] * dy[base + j] * x[base + j]; }
  let correction = inv * inv * inv * wgSum(partDot, lid) / f32(cols);
  for (var j = lid; j < cols; j += ${WG}u) {
    let k = base + j;
    dx[k] = inv * w[j] * dy[k] - correction * x[k];
  }
  if (lid == 0u) { stats[2u * row] = 0.0; stats[2u * row + 1u] = inv; }`,
    ),
};

export const layerNormKernel: Kernel = {
  key: 'layer-norm',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['w', 'f32', 'read'],
        ['b', 'f32', 'read'],
        ['out', 'f32', 'read_write'],
      ],
      `${START}
  ${MEAN_INVERSE}
  for (var j = lid; j < cols; j += ${WG}u) { out[base + j] = (x[base + j] - mean) * inv * w[j] + b[j]; }`,
    ),
};

/** dx = r (g - mean(g) - x̂ mean(g x̂)) with g = w dy; stats[row] = (mean, r). */
export const layerNormBackwardKernel: Kernel = {
  key: 'layer-norm-backward',
  source: () =>
    perRow(
      [
        ['x', 'f32', 'read'],
        ['w', 'f32', 'read'],
        ['dy', 'f32', 'read'],
        ['dx', 'f32', 'read_write'],
        ['stats', 'f32', 'read_write'],
      ],
      `${START}
  ${MEAN_INVERSE}
  var partG = 0.0;
  var partGX = 0.0;
  for (var j = lid; j < cols; j += ${WG}u) {
    let g = w[j] * dy[base + j];
    partG = partG + g;
    partGX = partGX + g * (x[base + j] - mean) * inv;
  }
  let meanG = wgSum(partG, lid) / f32(cols);
  let meanGX = wgSum(partGX, lid) / f32(cols);
  for (var j = lid; j < cols; j += ${WG}u) {
    let k = base + j;
    let xhat = (x[k] - mean) * inv;
    dx[k] = inv * (w[j] * dy[k] - meanG - xhat * meanGX);
  }
  if (lid == 0u) { stats[2u * row] = mean; stats[2u * row + 1u] = inv; }`,
    ),
};

/**
 * First pass of the weight / bias gradients, atomics-free: thread (chunk, col) sums dy x̂ and dy over a chunk of
 * rows; a reduce over chunks finishes. Params: 0 chunks × cols, 1 cols, 2 rows, 3 rows per chunk.
 */
export const normWeightGradKernel: Kernel = {
  key: 'norm-weight-grad',
  source: () =>
    perElement(
      [
        ['x', 'f32', 'read'],
        ['dy', 'f32', 'read'],
        ['stats', 'f32', 'read'],
        ['dw', 'f32', 'read_write'],
        ['db', 'f32', 'read_write'],
      ],
      `let cols = pu(1u);
  let j = i % cols;
  let first = (i / cols) * pu(3u);
  let last = min(first + pu(3u), pu(2u));
  var sw = 0.0;
  var sb = 0.0;
  for (var r = first; r < last; r++) {
    let g = dy[r * cols + j];
    sw = sw + g * (x[r * cols + j] - stats[2u * r]) * stats[2u * r + 1u];
    sb = sb + g;
  }
  dw[i] = sw;
  db[i] = sb;`,
    ),
};
