// WebGPU kernel paths the conformance shapes do not reach: tiled matmul, f16 decode, tree reduce, long rows, i32 ops, big grids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Storage } from '../backend';
import { QuantizedTensor } from '../quantized';
import { Random } from '../random';
import { f16ToF32 } from '../f16';
import { quantizeWeights } from '../wasm/quantize';
import { halfWeightsOf, quantizeHalfWeights } from '../wasm/quantize-f16';
import { ReferenceBackend } from './reference';
import { WebGpuBackend } from './webgpu';
import type { MatmulLayout } from './webgpu/kernels/matmul.wgsl';

let gpu: WebGpuBackend;
/** Matmul layouts pinned, so the shared-memory tile (hardware GPUs) is checked here too, not only the one SwiftShader gets. */
const byLayout = new Map<MatmulLayout, WebGpuBackend>();
const reference = new ReferenceBackend({ precision: 'f64' });

beforeAll(async () => {
  gpu = await WebGpuBackend.create(undefined, { debug: true });
  for (const matmulLayout of ['blocked', 'tiled'] as const) {
    byLayout.set(matmulLayout, new WebGpuBackend(gpu.device, { debug: true, matmulLayout }));
  }
});

afterAll(() => {
  for (const backend of byLayout.values()) backend.dispose();
  gpu.dispose();
});

/** Runs `build` on both backends with the same seed; returns the worst |gpu - ref| / (1 + |ref|) per output. */
async function worstError(build: (b: Backend, rng: Random) => Storage[], candidate = gpu): Promise<number[]> {
  const expected = build(reference, new Random(5));
  const actual = build(candidate, new Random(5));
  const errors: number[] = [];
  for (let i = 0; i < expected.length; i++) {
    const want = reference.peek(expected[i] as Storage);
    const got = await candidate.read(actual[i] as Storage);
    expect(got.length).toBe(want.length);
    let worst = 0;
    got.forEach((v, j) => {
      const r = want[j] as number;
      worst = Math.max(worst, Number.isNaN(v) ? Infinity : Math.abs(v - r) / (1 + Math.abs(r)));
    });
    errors.push(worst);
  }
  return errors;
}

const normals = (b: Backend, rng: Random, n: number) => b.upload(rng.normals(n), 'f32');

describe('WebGPU kernels beyond the conformance shapes', () => {
  it.each([
    ['blocked', false, false],
    ['blocked', false, true],
    ['blocked', true, false],
    ['blocked', true, true],
    ['tiled', false, false],
    ['tiled', false, true],
    ['tiled', true, false],
    ['tiled', true, true],
  ] as const)('%s matmul with broadcast batch, transA=%s transB=%s', async (layout, transA, transB) => {
    const [m, k, n] = [70, 33, 65];
    const build = (b: Backend, rng: Random) => [
      b.matmul(normals(b, rng, 2 * m * k), normals(b, rng, 3 * k * n), {
        ...{ batch: [2, 3], batchA: [2, 1], batchB: [3], m, k, n, transA, transB },
      }),
    ];
    const errors = await worstError(build, byLayout.get(layout));
    expect(Math.max(...errors)).toBeLessThan(1e-4);
  });

  it('folds a shared weight into one GEMM (linear layer shape)', async () => {
    const errors = await worstError((b, rng) => [
      b.matmul(normals(b, rng, 4 * 9 * 40), normals(b, rng, 40 * 36), {
        ...{ batch: [4], batchA: [4], batchB: [], m: 9, k: 40, n: 36, transA: false, transB: false },
      }),
    ]);
    expect(Math.max(...errors)).toBeLessThan(1e-4);
  });

  it.each([
    ['blocked', 8],
    ['blocked', 4],
    ['tiled', 4],
  ] as const)('%s int%i matmulQuantized, both directions', async (layout, bits) => {
    const [rows, n, k] = [40, 48, 37];
    const errors = await worstError((b, rng) => {
      const weight = QuantizedTensor.upload(
        quantizeWeights(Float32Array.from(rng.normals(n * k)), n, k, bits, 16),
        b,
      );
      const forward = b.matmulQuantized?.(normals(b, rng, rows * k), weight.weight, rows, false);
      const backward = b.matmulQuantized?.(normals(b, rng, rows * n), weight.weight, rows, true);
      return [forward as Storage, backward as Storage];
    }, byLayout.get(layout));
    expect(Math.max(...errors)).toBeLessThan(1e-4);
  });

  it.each(['blocked', 'tiled'] as const)(
    '%s f16 matmulQuantized, both directions (odd k, odd n·k)',
    async (layout) => {
      const [rows, n, k] = [40, 49, 37];
      const errors = await worstError((b, rng) => {
        const weight = QuantizedTensor.upload(
          quantizeHalfWeights(Float32Array.from(rng.normals(n * k)), n, k),
          b,
        );
        const forward = b.matmulQuantized?.(normals(b, rng, rows * k), weight.weight, rows, false);
        const backward = b.matmulQuantized?.(normals(b, rng, rows * n), weight.weight, rows, true);
        return [forward as Storage, backward as Storage];
      }, byLayout.get(layout));
      expect(Math.max(...errors)).toBeLessThan(1e-4);
    },
  );

  it('decodes every one of the 65536 halves exactly with unpack2x16float (no shader-f16 needed)', async () => {
    const halves = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    // x = [1] · W [1, 65536]: each output is one half times 1.
    const weight = QuantizedTensor.upload(halfWeightsOf(halves, 1, halves.length), gpu);
    const got = await gpu.read(gpu.matmulQuantized(gpu.upload([1], 'f32'), weight.weight, 1, true));
    const want = Array.from(halves, (h) => Math.fround(f16ToF32(h)));
    // A sum starts at +0, so -0 comes out as +0 (adding 0 folds the zeros); NaN must stay NaN.
    const wrong = want.findIndex((value, i) => !Object.is(value + 0, (got[i] ?? 1) + 0));
    expect(wrong, `half 0x${wrong.toString(16)}: ${got[wrong]} instead of ${want[wrong]}`).toBe(-1);
    weight.dispose();
  });

  it('reduces long axes with the workgroup tree and long rows with strided loops', async () => {
    const errors = await worstError((b, rng) => {
      const x = normals(b, rng, 3 * 2000);
      const logits = normals(b, rng, 3 * 300);
      const ids = b.upload([5, 299, -1], 'i32');
      return [
        b.reduce('sum', x, { outer: 1, axis: 2000, inner: 3 }),
        b.reduce('max', x, { outer: 3, axis: 2000, inner: 1 }),
        b.softmax(logits, 3, 300, true),
        b.logSoftmaxGather(logits, ids, 3, 300),
        b.entropy(logits, 3, 300),
        b.rmsNormBackward(
          normals(b, rng, 70 * 9),
          normals(b, rng, 9),
          normals(b, rng, 70 * 9),
          70,
          9,
          1e-6,
          true,
        ).dWeight as Storage,
      ];
    });
    expect(Math.max(...errors)).toBeLessThan(1e-4);
  });

  it('attention without mask or causality, longer keys, head size 16', async () => {
    const spec = {
      ...{ batch: 1, tq: 4, tk: 40, hq: 2, hkv: 1, d: 16, scale: 0.25, causal: false, queryOffset: 0 },
      ...{ kvRows: 40, maskBatch: 1, maskHeads: 1 },
    };
    const errors = await worstError((b, rng) => {
      const [q, k, v] = [normals(b, rng, 4 * 2 * 16), normals(b, rng, 40 * 16), normals(b, rng, 40 * 16)];
      const { out, logSumExp } = b.attention(q, k, v, null, spec);
      const grads = b.attentionBackward(q, k, v, null, out, logSumExp, normals(b, rng, 4 * 2 * 16), spec);
      return [out, logSumExp, grads.dq, grads.dk, grads.dv];
    });
    expect(Math.max(...errors)).toBeLessThan(1e-4);
  });

  it('integer arithmetic, casts and i32 layout moves', async () => {
    const ints = (b: Backend) => b.upload([3, -7, 12, 0, 5, -2], 'i32');
    const shapes = { out: [2, 3], a: [2, 3], b: [3] };
    const errors = await worstError((b) => [
      b.binary('mul', ints(b), b.upload([2, -3, 4], 'i32'), shapes),
      b.binary('div', ints(b), b.upload([2, -3, 4], 'i32'), shapes),
      b.binary('equal', ints(b), b.upload([3, 5, 12], 'i32'), shapes),
      b.binary('add', ints(b), b.upload([0.5, 1.5, -2.25], 'f32'), shapes),
      b.cast(ints(b), 'f32'),
      b.gatherRows(ints(b), b.upload([2, 0, 2], 'i32'), 2),
      b.permute(ints(b), [2, 3], [1, 0]),
      b.concat(
        [ints(b), ints(b), b.upload([9, 9], 'i32')],
        [
          [2, 3],
          [2, 3],
          [2, 1],
        ],
        1,
      ),
    ]);
    // Exact except the f32 division (i32 / i32 gives f32).
    expect(Math.max(...errors)).toBeLessThan(1e-7);
  });

  it('splits dispatches larger than 65535 workgroups over y', async () => {
    const size = 65_536 * 64 + 37;
    const x = gpu.fill(size, 1.5, 'f32');
    const y = await gpu.read(gpu.unary({ kind: 'affine', scale: 2, shift: 1 }, x));
    expect(y.length).toBe(size);
    expect(y.every((v) => v === 4)).toBe(true);
  });
});
