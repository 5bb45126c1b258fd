// Reference RMSNorm and LayerNorm over the last axis, forward and backward, with f64 row statistics.
import type { FloatArray } from './arrays';
import { at } from './arrays';

function rmsInverse(x: FloatArray, offset: number, cols: number, eps: number): number {
  let sumSquares = 0;
  for (let j = 0; j < cols; j++) sumSquares += at(x, offset + j) ** 2;
  return 1 / Math.sqrt(sumSquares / cols + eps);
}

export function rmsNormKernel(
  x: FloatArray,
  weight: FloatArray,
  out: FloatArray,
  rows: number,
  cols: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const inv = rmsInverse(x, offset, cols, eps);
    for (let j = 0; j < cols; j++) out[offset + j] = at(x, offset + j) * inv * at(weight, j);
  }
}

/** dx = r g - r^3 x mean(g x) with g = w dy; dw = sum over rows of dy x r. dw accumulates in f64. */
export function rmsNormBackwardKernel(
  x: FloatArray,
  weight: FloatArray,
  dy: FloatArray,
  dx: FloatArray,
  dWeight: Float64Array | null,
  rows: number,
  cols: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const inv = rmsInverse(x, offset, cols, eps);
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += at(weight, j) * at(dy, offset + j) * at(x, offset + j);
    const correction = (inv * inv * inv * dot) / cols;
    for (let j = 0; j < cols; j++) {
      const i = offset + j;
      dx[i] = inv * at(weight, j) * at(dy, i) - correction * at(x, i);
      if (dWeight) dWeight[j] = at(dWeight, j) + at(dy, i) * at(x, i) * inv;
    }
  }
}

function meanAndInverseStd(x: FloatArray, offset: number, cols: number, eps: number): [number, number] {
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += at(x, offset + j);
  const mean = sum / cols;
  let variance = 0;
  for (let j = 0; j < cols; j++) variance += (at(x, offset + j) - mean) ** 2;
  return [mean, 1 / Math.sqrt(variance / cols + eps)];
}

export function layerNormKernel(
  x: FloatArray,
  weight: FloatArray,
  bias: FloatArray,
  out: FloatArray,
  rows: number,
  cols: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const [mean, inv] = meanAndInverseStd(x, offset, cols, eps);
    for (let j = 0; j < cols; j++) {
      out[offset + j] = (at(x, offset + j) - mean) * inv * at(weight, j) + at(bias, j);
    }
  }
}

/** dx = r (g - mean(g) - xhat mean(g xhat)) with g = w dy; dw = sum dy xhat; db = sum dy. */
export function layerNormBackwardKernel(
  x: FloatArray,
  weight: FloatArray,
  dy: FloatArray,
  dx: FloatArray,
  dWeight: Float64Array | null,
  dBias: Float64Array | null,
  rows: number,
  cols: number,
  eps: number,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const [mean, inv] = meanAndInverseStd(x, offset, cols, eps);
    let meanG = 0;
    let meanGXhat = 0;
    for (let j = 0; j < cols; j++) {
      const g = at(weight, j) * at(dy, offset + j);
      meanG += g;
      meanGXhat += g * (at(x, offset + j) - mean) * inv;
    }
    meanG /= cols;
    meanGXhat /= cols;
    for (let j = 0; j < cols; j++) {
      const i = offset + j;
      const xhat = (at(x, i) - mean) * inv;
      dx[i] = inv * (at(weight, j) * at(dy, i) - meanG - xhat * meanGXhat);
      if (dWeight) dWeight[j] = at(dWeight, j) + at(dy, i) * xhat;
      if (dBias) dBias[j] = at(dBias, j) + at(dy, i);
    }
  }
}
