// Reference reductions over an axis and the row-wise softmax family (softmax, log-prob gather, entropy).
import type { ReduceSpec } from '../../backend';
import type { FloatArray, NumArray } from './arrays';
import { at } from './arrays';

export function reduceKernel(op: 'sum' | 'max', x: FloatArray, out: FloatArray, spec: ReduceSpec): void {
  const { outer, axis, inner } = spec;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'sum' ? 0 : -Infinity;
      for (let a = 0; a < axis; a++) {
        const value = at(x, (o * axis + a) * inner + i);
        acc = op === 'sum' ? acc + value : Math.max(acc, value);
      }
      out[o * inner + i] = acc;
    }
  }
}

/** log(sum(exp(row))) with the max subtracted first so large logits do not overflow. */
export function rowLogSumExp(x: FloatArray, offset: number, cols: number): number {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, at(x, offset + j));
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(at(x, offset + j) - max);
  return max + Math.log(sum);
}

export function softmaxKernel(
  x: FloatArray,
  out: FloatArray,
  rows: number,
  cols: number,
  log: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const lse = rowLogSumExp(x, offset, cols);
    for (let j = 0; j < cols; j++) {
      const logp = at(x, offset + j) - lse;
      out[offset + j] = log ? logp : Math.exp(logp);
    }
  }
}

/** softmax: dx = y (dy - sum(dy y)); log-softmax: dx = dy - exp(y) sum(dy). */
export function softmaxBackwardKernel(
  y: FloatArray,
  dy: FloatArray,
  out: FloatArray,
  rows: number,
  cols: number,
  log: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += log ? at(dy, offset + j) : at(dy, offset + j) * at(y, offset + j);
    for (let j = 0; j < cols; j++) {
      const i = offset + j;
      out[i] = log ? at(dy, i) - Math.exp(at(y, i)) * dot : at(y, i) * (at(dy, i) - dot);
    }
  }
}

/** ids[r], which must be below cols (negative ids mark ignored rows). */
export function checkedId(ids: NumArray, r: number, cols: number): number {
  const id = at(ids, r);
  if (id >= cols) throw new RangeError(`logSoftmaxGather: id ${id} at row ${r} is not below ${cols}`);
  return id;
}

export function logSoftmaxGatherKernel(
  logits: FloatArray,
  ids: NumArray,
  out: FloatArray,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const id = checkedId(ids, r, cols);
    out[r] = id < 0 ? 0 : at(logits, r * cols + id) - rowLogSumExp(logits, r * cols, cols);
  }
}

export function logSoftmaxGatherBackwardKernel(
  logits: FloatArray,
  ids: NumArray,
  dy: FloatArray,
  out: FloatArray,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const id = checkedId(ids, r, cols);
    const lse = rowLogSumExp(logits, offset, cols);
    const g = id < 0 ? 0 : at(dy, r);
    for (let j = 0; j < cols; j++) {
      out[offset + j] = g * ((j === id ? 1 : 0) - Math.exp(at(logits, offset + j) - lse));
    }
  }
}

/** H = lse - sum p x, which equals -sum p log p without taking log of tiny p. */
function rowEntropy(logits: FloatArray, offset: number, cols: number, lse: number): number {
  let expectation = 0;
  for (let j = 0; j < cols; j++) {
    const x = at(logits, offset + j);
    expectation += Math.exp(x - lse) * x;
  }
  return lse - expectation;
}

export function entropyKernel(logits: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    out[r] = rowEntropy(logits, offset, cols, rowLogSumExp(logits, offset, cols));
  }
}

/** dH/dx_k = -p_k (log p_k + H). */
export function entropyBackwardKernel(
  logits: FloatArray,
  dy: FloatArray,
  out: FloatArray,
  rows: number,
  cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * cols;
    const lse = rowLogSumExp(logits, offset, cols);
    const entropy = rowEntropy(logits, offset, cols, lse);
    const g = at(dy, r);
    for (let j = 0; j < cols; j++) {
      const logp = at(logits, offset + j) - lse;
      out[offset + j] = -g * Math.exp(logp) * (logp + entropy);
    }
  }
}
