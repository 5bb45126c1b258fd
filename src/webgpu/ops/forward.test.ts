// Forward values of each op against hand-written loops and known identities, on a NaN-poisoning backend.
import { describe, expect, it } from 'vitest';
import { Tape } from '../autograd';
import { ReferenceBackend } from '../backends/reference';
import { fromArray, full, randn } from '../creation';
import { ShapeError } from '../errors';
import { Random } from '../random';
import type { Tensor } from '../tensor';
import { attention } from './attention';
import { conv2d, patchEmbed } from './conv';
import { add, gelu, greater, maximum, mul, silu, swiglu } from './elementwise';
import { embedding } from './embedding';
import { crossEntropy, entropy, tokenLogProbs } from './loss';
import { matmul } from './matmul';
import { layerNorm, rmsNorm } from './norm';
import { max, mean, sum } from './reduce';
import { rope } from './rope';
import { concat, permute, reshape, slice } from './shape';
import { logSoftmax, softmax } from './softmax';

const backend = new ReferenceBackend({ precision: 'f64', poison: true });
const rng = new Random(Math.floor(Math.random() * 2 ** 31));
const values = (t: Tensor): number[] => Array.from(backend.peek(t.storage));
const tensor = (data: number[], shape: number[]): Tensor => fromArray(data, shape, { backend });
const ids = (data: number[], shape: number[]): Tensor => fromArray(data, shape, { backend, dtype: 'i32' });
const random = (shape: number[]): Tensor => randn(shape, { backend, rng });

function expectClose(actual: number[], expected: number[], tolerance = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) =>
    expect(Math.abs(a - (expected[i] as number)), `at ${i}: ${a} vs ${expected[i]}`).toBeLessThan(tolerance),
  );
}

describe('forward values', () => {
  it('broadcasting arithmetic and comparisons', () => {
    const a = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(values(add(a, tensor([10, 20, 30], [3])))).toEqual([11, 22, 33, 14, 25, 36]);
    expect(values(mul(a, tensor([2, 3], [2, 1])))).toEqual([2, 4, 6, 12, 15, 18]);
    expect(values(maximum(a, tensor([3.5], [])))).toEqual([3.5, 3.5, 3.5, 4, 5, 6]);
    expect(values(greater(a, tensor([3], [1])))).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('activations match their formulas', () => {
    const x = tensor([-3, -0.5, 0, 0.7, 4], [5]);
    const xs = values(x);
    expectClose(
      values(silu(x)),
      xs.map((v) => v / (1 + Math.exp(-v))),
    );
    const c = Math.sqrt(2 / Math.PI);
    expectClose(
      values(gelu(x)),
      xs.map((v) => 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3)))),
    );
    expectClose(
      values(swiglu(x, x)),
      xs.map((v) => (v * v) / (1 + Math.exp(-v))),
    );
  });

  it('matmul matches a triple loop for every transpose and broadcast batch', () => {
    const [m, k, n] = [3, 5, 2];
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = random(transA ? [2, k, m] : [2, m, k]);
        const b = random(transB ? [n, k] : [k, n]);
        const [av, bv] = [values(a), values(b)];
        const expected: number[] = [];
        for (let batch = 0; batch < 2; batch++) {
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let acc = 0;
              for (let p = 0; p < k; p++) {
                const aij = av[batch * m * k + (transA ? p * m + i : i * k + p)] as number;
                acc += aij * (bv[transB ? j * k + p : p * n + j] as number);
              }
              expected.push(acc);
            }
          }
        }
        expectClose(values(matmul(a, b, { transA, transB })), expected);
      }
    }
    expect(() => matmul(random([2, 3]), random([4, 2]))).toThrow(ShapeError);
  });

  it('reductions', () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(values(sum(x))).toEqual([21]);
    expect(values(sum(x, 0))).toEqual([5, 7, 9]);
    expect(values(mean(x, 1))).toEqual([2, 5]);
    expect(sum(x, 1, true).shape).toEqual([2, 1]);
    expect(values(max(x, -1))).toEqual([3, 6]);
  });

  it('softmax rows sum to 1 and log-softmax is its log, even for huge logits', () => {
    const x = tensor([1000, 1001, 1002, -5, 0, 5], [2, 3]);
    const p = values(softmax(x));
    expectClose([p[0]! + p[1]! + p[2]!, p[3]! + p[4]! + p[5]!], [1, 1]);
    expectClose(values(logSoftmax(x)), p.map(Math.log));
  });

  it('rmsnorm of a constant row is the weight; layernorm is zero-mean unit-variance', () => {
    const w = tensor([1, 2, 3, 4], [4]);
    expectClose(values(rmsNorm(full([2, 4], -7, { backend }), w, 0)), [-1, -2, -3, -4, -1, -2, -3, -4]);
    const y = values(layerNorm(random([1, 6]), full([6], 1, { backend }), full([6], 0, { backend }), 0));
    const mu = y.reduce((s, v) => s + v, 0) / 6;
    expectClose([mu, y.reduce((s, v) => s + (v - mu) ** 2, 0) / 6], [0, 1], 1e-10);
  });

  it('rope rotates pairs (i, i + d/2) by position * theta^(-2i/d) and keeps norms', () => {
    const x = random([1, 2, 1, 4]);
    const xv = values(x);
    const y = values(rope(x, ids([0, 3], [2]), { theta: 100 }));
    expectClose(y.slice(0, 4), xv.slice(0, 4)); // position 0: identity
    const expected: number[] = [];
    const base = xv.slice(4);
    for (const i of [0, 1]) {
      const angle = 3 * Math.pow(100, (-2 * i) / 4);
      expected[i] = base[i]! * Math.cos(angle) - base[i + 2]! * Math.sin(angle);
      expected[i + 2] = base[i + 2]! * Math.cos(angle) + base[i]! * Math.sin(angle);
    }
    expectClose(y.slice(4), expected);
  });

  it('attention with one key returns its value; causal first query sees only the first key', () => {
    const q = random([1, 1, 2, 3]);
    const k = random([1, 1, 1, 3]);
    const v = tensor([0.5, -1, 2], [1, 1, 1, 3]);
    expectClose(values(attention(q, k, v)), [0.5, -1, 2, 0.5, -1, 2]);
    const qs = random([2, 3, 4, 2]);
    const ks = random([2, 3, 2, 2]);
    const vs = random([2, 3, 2, 2]);
    const out = values(attention(qs, ks, vs, { causal: true }));
    const vv = values(vs);
    // Batch 0, query 0, head 3 (kv head 1) sees key 0 only.
    expectClose(out.slice(3 * 2, 3 * 2 + 2), vv.slice(2, 4));
  });

  it('attention with kvLength equals attention on the filled prefix; unfilled rows get zero gradients', () => {
    const [filled, rows] = [4, 7];
    const q = random([2, 2, 4, 3]);
    const [k, v] = [random([2, rows, 2, 3]), random([2, rows, 2, 3])];
    const prefix = (t: Tensor) => slice(t, [0, 0, 0, 0], [2, filled, 2, 3]);
    const mask = random([2, 1, 2, filled]);
    const options = { causal: true, mask };
    const tape = new Tape();
    tape.watch(k, v);
    const out = tape.record(() => attention(q, k, v, { ...options, kvLength: filled }));
    expectClose(values(out), values(attention(q, prefix(k), prefix(v), options)));
    const [dk, dv] = tape.grad(out, [k, v], full(out.shape, 1, { backend })) as [Tensor, Tensor];
    const prefixTape = new Tape();
    const [kp, vp] = [prefix(k), prefix(v)];
    prefixTape.watch(kp, vp);
    const prefixOut = prefixTape.record(() => sum(attention(q, kp, vp, options)));
    const [dkp, dvp] = prefixTape.grad(prefixOut, [kp, vp]) as [Tensor, Tensor];
    for (const [grad, prefixGrad] of [
      [dk, dkp],
      [dv, dvp],
    ] as const) {
      const padded = values(concat([prefixGrad, full([2, rows - filled, 2, 3], 0, { backend })], 1));
      expectClose(values(grad), padded);
    }
    expect(() => attention(q, k, v, { kvLength: rows + 1 })).toThrow(ShapeError);
  });

  it('attention matches softmax(q k^T / sqrt(d) + mask) v written with basic ops', () => {
    const [b, tq, tk, hq, hkv, d] = [2, 3, 5, 4, 2, 3];
    const q = random([b, tq, hq, d]);
    const k = random([b, tk, hkv, d]);
    const v = random([b, tk, hkv, d]);
    const maskValues = Array.from({ length: b * tq * tk }, () =>
      rng.uniform() < 0.2 ? -Infinity : rng.normal(),
    );
    const mask = tensor(maskValues, [b, 1, tq, tk]);
    const fused = values(attention(q, k, v, { causal: true, mask }));
    const [qv, kv, vv] = [values(q), values(k), values(v)];
    const expected = new Array<number>(fused.length).fill(0);
    for (let bi = 0; bi < b; bi++) {
      for (let h = 0; h < hq; h++) {
        const g = Math.floor(h / (hq / hkv));
        for (let i = 0; i < tq; i++) {
          const scores = Array.from({ length: tk }, (_, j) => {
            if (j > tk - tq + i) return -Infinity;
            let dot = 0;
            for (let c = 0; c < d; c++)
              dot += qv[((bi * tq + i) * hq + h) * d + c]! * kv[((bi * tk + j) * hkv + g) * d + c]!;
            return dot / Math.sqrt(d) + maskValues[(bi * tq + i) * tk + j]!;
          });
          const top = Math.max(...scores);
          const weights = scores.map((s) => (top === -Infinity ? 0 : Math.exp(s - top)));
          const total = weights.reduce((s, w) => s + w, 0);
          for (let c = 0; c < d; c++) {
            let acc = 0;
            for (let j = 0; j < tk; j++)
              acc += total ? (weights[j]! / total) * vv[((bi * tk + j) * hkv + g) * d + c]! : 0;
            expected[((bi * tq + i) * hq + h) * d + c] = acc;
          }
        }
      }
    }
    expectClose(fused, expected);
  });

  it('embedding gathers rows; token log-probs, cross-entropy and entropy match direct formulas', () => {
    const table = tensor([0, 1, 10, 11, 20, 21], [3, 2]);
    expect(values(embedding(table, ids([2, 0, 2], [3])))).toEqual([20, 21, 0, 1, 20, 21]);
    const logits = tensor([1, 2, 3, 0, 0, 0], [2, 3]);
    const lse0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expectClose(values(tokenLogProbs(logits, ids([2, -100], [2]))), [3 - lse0, 0]);
    expectClose(values(crossEntropy(logits, ids([2, -100], [2]))), [lse0 - 3]);
    expectClose(values(crossEntropy(logits, ids([-100, -100], [2]))), [0]);
    const p = [1, 2, 3].map((v) => Math.exp(v - lse0));
    expectClose(values(entropy(logits)), [-p.reduce((s, pi) => s + pi * Math.log(pi), 0), Math.log(3)]);
  });

  it('conv2d matches a direct loop; patch embedding orders patches row-major', () => {
    const x = random([1, 2, 4, 5]);
    const w = random([3, 2, 3, 3]);
    const y = values(conv2d(x, w, { stride: 2, padding: 1 }));
    const [xv, wv] = [values(x), values(w)];
    const expected: number[] = [];
    for (let o = 0; o < 3; o++) {
      for (let oy = 0; oy < 2; oy++) {
        for (let ox = 0; ox < 3; ox++) {
          let acc = 0;
          for (let c = 0; c < 2; c++) {
            for (let ky = 0; ky < 3; ky++) {
              for (let kx = 0; kx < 3; kx++) {
                const iy = oy * 2 - 1 + ky;
                const ix = ox * 2 - 1 + kx;
                if (iy >= 0 && iy < 4 && ix >= 0 && ix < 5)
                  acc += xv[(c * 4 + iy) * 5 + ix]! * wv[((o * 2 + c) * 3 + ky) * 3 + kx]!;
              }
            }
          }
          expected.push(acc);
        }
      }
    }
    expectClose(y, expected);
    const image = tensor(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 1, 4, 4],
    );
    const tokens = patchEmbed(image, full([1, 1, 2, 2], 1, { backend }));
    expect(tokens.shape).toEqual([1, 4, 1]);
    expect(values(tokens)).toEqual([0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15]);
  });

  it('layout ops', () => {
    const x = tensor([0, 1, 2, 3, 4, 5], [2, 3]);
    expect(values(permute(x, [1, 0]))).toEqual([0, 3, 1, 4, 2, 5]);
    expect(values(slice(x, [0, 1], [2, 2]))).toEqual([1, 2, 4, 5]);
    expect(values(concat([x, slice(x, [0, 0], [2, 1])], 1))).toEqual([0, 1, 2, 0, 3, 4, 5, 3]);
    expect(reshape(x, [3, -1]).shape).toEqual([3, 2]);
    expect(() => reshape(x, [4, -1])).toThrow(ShapeError);
  });
});
