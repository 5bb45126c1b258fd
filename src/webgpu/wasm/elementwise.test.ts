// Row and elementwise SIMD kernels (add/mul with broadcast, scale, axpy, softmax, RMSNorm, SiLU, GELU + backward) vs loops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapArray } from './array-calls';
import { createWasmKernels, type WasmKernels } from './kernels';
import { maxRelativeError, pick, poisonedRegion, randomArray } from './test-support';

const LENGTHS = [1, 3, 4, 5, 17, 33, 65, 127, 1000] as const;

let kernels: WasmKernels;
beforeAll(async () => {
  kernels = await createWasmKernels({ threads: 1 });
});
afterAll(() => kernels.dispose());

/** Applies a binary row kernel to fresh inputs with a poisoned output. */
function binaryRows(
  kernel: 'addRows' | 'mulRows',
  rows: number,
  cols: number,
  broadcast: boolean,
): { a: Float32Array; b: Float32Array; out: Float32Array } {
  const { heap } = kernels;
  const a = randomArray(rows * cols);
  const b = randomArray(broadcast ? cols : rows * cols);
  const [ra, rb, rout] = [heap.fromF32(a), heap.fromF32(b), poisonedRegion(heap, rows * cols)];
  kernels[kernel](ra, rb, rout, rows, cols, broadcast);
  const out = rout.view().slice();
  [ra, rb, rout].forEach((region) => heap.free(region));
  return { a, b, out };
}

function expectedRows(
  a: Float32Array,
  b: Float32Array,
  cols: number,
  combine: (x: number, y: number) => number,
) {
  return Array.from(a, (x, index) =>
    Math.fround(combine(x, b[b.length === a.length ? index : index % cols] ?? 0)),
  );
}

describe('elementwise kernels', () => {
  for (const kernel of ['addRows', 'mulRows'] as const) {
    const combine = kernel === 'addRows' ? (x: number, y: number) => x + y : (x: number, y: number) => x * y;
    it(`${kernel} is exact for full and broadcast rows of odd widths`, () => {
      for (const cols of LENGTHS) {
        for (const broadcast of [false, true]) {
          const { a, b, out } = binaryRows(kernel, pick([1, 2, 5]), cols, broadcast);
          expect(Array.from(out)).toEqual(expectedRows(a, b, cols, combine));
        }
      }
    });
  }

  it('scale and axpy are exact', () => {
    for (const length of LENGTHS) {
      const x = randomArray(length);
      const y = randomArray(length);
      const factor = Math.fround(Math.random() * 4 - 2);
      const scaled = mapArray(kernels, x, (input, output) => kernels.scale(input, output, length, factor));
      expect(Array.from(scaled)).toEqual(Array.from(x, (v) => Math.fround(v * factor)));
      const yRegion = kernels.heap.fromF32(y);
      const axpy = mapArray(kernels, x, (input, output) =>
        kernels.axpy(input, yRegion.ptr, output, length, factor),
      );
      kernels.heap.free(yRegion);
      expect(Array.from(axpy)).toEqual(
        Array.from(x, (v, i) => Math.fround((y[i] ?? 0) + Math.fround(factor * v))),
      );
    }
  });

  it('softmaxRows matches the f64 softmax and sums to 1, also with -Infinity masks and large logits', () => {
    for (const cols of LENGTHS) {
      const rows = pick([1, 3]);
      const x = randomArray(rows * cols, 30);
      if (cols > 2) x[1] = -Infinity;
      const out = mapArray(kernels, x, (input, output) => kernels.softmaxRows(input, output, rows, cols));
      const expected = softmaxReference(x, rows, cols);
      expect(maxRelativeError(out, expected, 1e-30)).toBeLessThan(2e-5);
      if (cols > 2) expect(out[1]).toBeLessThan(1e-30);
    }
  });

  it('rmsnormRows matches the f64 loop with and without a gain vector', () => {
    for (const cols of LENGTHS) {
      const rows = pick([1, 4]);
      const x = randomArray(rows * cols, 3);
      const gain = randomArray(cols);
      const gainRegion = kernels.heap.fromF32(gain);
      for (const withGain of [false, true]) {
        const weight = withGain ? gainRegion : null;
        const out = mapArray(kernels, x, (input, output) =>
          kernels.rmsnormRows(input, weight, output, rows, cols, 1e-5),
        );
        expect(
          maxRelativeError(out, rmsnormReference(x, withGain ? gain : undefined, rows, cols), 1e-3),
        ).toBeLessThan(1e-5);
      }
      kernels.heap.free(gainRegion);
    }
  });

  it('silu and gelu match the f64 formulas over a wide range', () => {
    for (const length of LENGTHS) {
      const x = randomArray(length, 12);
      const silu = mapArray(kernels, x, (input, output) => kernels.silu(input, output, length));
      expect(
        maxRelativeError(
          silu,
          Array.from(x, (v) => v / (1 + Math.exp(-v))),
          1e-3,
        ),
      ).toBeLessThan(1e-5);
      const gelu = mapArray(kernels, x, (input, output) => kernels.gelu(input, output, length));
      expect(maxRelativeError(gelu, Array.from(x, geluReference), 1e-3)).toBeLessThan(1e-5);
    }
  });

  it('silu and gelu backward match the f64 derivatives times dy over a wide range', () => {
    for (const length of LENGTHS) {
      const [x, dy] = [randomArray(length, 12), randomArray(length, 3)];
      for (const [kernel, derivative] of [
        ['siluBackward', siluGradReference],
        ['geluBackward', geluGradReference],
      ] as const) {
        const expected = Array.from(x, (v, i) => derivative(v) * (dy[i] ?? 0));
        // The derivatives cross zero (x ≈ −1.28 for SiLU, −0.75 for GELU): absolute f32 error ~1e-7 there.
        expect(maxRelativeError(backwardOf(kernel, x, dy), expected, 1e-2), kernel).toBeLessThan(2e-5);
      }
    }
  });

  it('silu and gelu backward reach their limits (0 and 1) at the extremes without NaN', () => {
    const x = Float32Array.from([-1e30, -1000, -100, -20, 20, 100, 1e30, 0]);
    const dy = new Float32Array(x.length).fill(1);
    for (const kernel of ['siluBackward', 'geluBackward'] as const) {
      const out = Array.from(backwardOf(kernel, x, dy));
      expect(
        out.slice(0, 4).every((v) => Math.abs(v) < 1e-6),
        `${kernel} ${out}`,
      ).toBe(true);
      expect(out.slice(4, 7), kernel).toEqual([1, 1, 1]);
      expect(out[7], kernel).toBe(0.5);
    }
  });

  it('silu and gelu stay finite at the extremes', () => {
    // Very negative inputs give e^88 in the denominator (the exp clamp): ~1e-37 here, never NaN.
    const x = Float32Array.from([-1000, -100, -88, 88, 100, 1e30, 0]);
    const silu = mapArray(kernels, x, (input, output) => kernels.silu(input, output, x.length));
    const gelu = mapArray(kernels, x, (input, output) => kernels.gelu(input, output, x.length));
    for (const out of [silu, gelu]) {
      expect(Array.from(out.subarray(0, 3), Math.abs).every((v) => v < 1e-34)).toBe(true);
      expect(Array.from(out.subarray(3, 6))).toEqual([88, 100, 1e30].map(Math.fround));
      expect(out[6]).toBe(0);
    }
  });
});

/** dy · f'(x) through a backward kernel, x and dy copied onto the heap, the output poisoned. */
function backwardOf(
  kernel: 'siluBackward' | 'geluBackward',
  x: Float32Array,
  dy: Float32Array,
): Float32Array {
  const { heap } = kernels;
  const [rx, rdy, rout] = [heap.fromF32(x), heap.fromF32(dy), poisonedRegion(heap, x.length)];
  kernels[kernel](rx, rdy, rout, x.length);
  const out = rout.view().slice();
  [rx, rdy, rout].forEach((region) => heap.free(region));
  return out;
}

function siluGradReference(v: number): number {
  const s = 1 / (1 + Math.exp(-v));
  return s * (1 + v * (1 - s));
}

function geluGradReference(v: number): number {
  const c = Math.sqrt(2 / Math.PI);
  const t = Math.tanh(c * (v + 0.044715 * v ** 3));
  return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v);
}

function softmaxReference(x: Float32Array, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
    const top = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - top));
    const sum = exps.reduce((s, v) => s + v, 0);
    out.push(...exps.map((v) => v / sum));
  }
  return out;
}

function rmsnormReference(
  x: Float32Array,
  gain: Float32Array | undefined,
  rows: number,
  cols: number,
): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
    const inverse = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / cols + 1e-5);
    out.push(...row.map((v, j) => v * inverse * (gain ? (gain[j] ?? 0) : 1)));
  }
  return out;
}

function geluReference(v: number): number {
  return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
}
