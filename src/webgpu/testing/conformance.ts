// Backend conformance: runs every primitive on seeded random inputs on a candidate and on the reference, compares.
import type {
  AttentionSpec,
  Backend,
  Conv2dSpec,
  DType,
  Storage,
  StorageFormat,
  UnarySpec,
} from '../backend';
import { QuantizedTensor } from '../quantized';
import { quantizeWeights } from '../wasm/quantize';
import { halfWeightsOf, quantizeHalfWeights } from '../wasm/quantize-f16';
import { ReferenceBackend } from '../backends/reference';
import { Random } from '../random';

/** One primitive call: builds its inputs on `backend` with `rng` and returns the storages to compare. */
export interface ConformanceCase {
  name: string;
  /** A storage format the backend must declare for this case to run (optional primitives). */
  requires?: StorageFormat;
  run(backend: Backend, rng: Random): Storage[];
}

export interface ConformanceMismatch {
  case: string;
  output: number;
  index: number;
  candidate: number;
  reference: number;
}

const normals = (rng: Random, n: number): Float64Array => rng.normals(n);
const positives = (rng: Random, n: number): Float64Array => rng.uniforms(n, 0.2, 2);
const ids = (rng: Random, n: number, below: number): number[] =>
  Array.from({ length: n }, () => rng.int(below));

function upload(backend: Backend, data: ArrayLike<number>, dtype: DType = 'f32'): Storage {
  return backend.upload(data, dtype);
}

const UNARY_SPECS: UnarySpec[] = [
  ...(['neg', 'exp', 'square', 'abs', 'relu', 'sigmoid', 'tanh', 'silu', 'gelu'] as const).map((kind) => ({
    kind,
  })),
  { kind: 'affine', scale: -1.5, shift: 0.25 },
  { kind: 'clamp', min: -0.5, max: 0.7 },
];
const POSITIVE_UNARY_SPECS: UnarySpec[] = [
  { kind: 'log' },
  { kind: 'sqrt' },
  { kind: 'rsqrt' },
  { kind: 'pow', exponent: 1.5 },
];

function elementwiseCases(): ConformanceCase[] {
  const unary = [...UNARY_SPECS, ...POSITIVE_UNARY_SPECS].flatMap((spec): ConformanceCase[] => {
    const inputs = (b: Backend, rng: Random, n: number) =>
      upload(b, POSITIVE_UNARY_SPECS.includes(spec) ? positives(rng, n) : normals(rng, n));
    return [
      { name: `unary ${spec.kind}`, run: (b, rng) => [b.unary(spec, inputs(b, rng, 37))] },
      {
        name: `unaryBackward ${spec.kind}`,
        run: (b, rng) => [b.unaryBackward(spec, inputs(b, rng, 37), upload(b, normals(rng, 37)))],
      },
    ];
  });
  const binaryShapes: [number[], number[], number[]][] = [
    [
      [3, 5],
      [3, 5],
      [3, 5],
    ],
    [[2, 3, 5], [5], [2, 3, 5]],
    [
      [2, 1, 5],
      [3, 1],
      [2, 3, 5],
    ],
    [[], [4, 3], [4, 3]],
    // A per-channel bias on NCHW, and operands broadcast along different middle axes (strided loops on wasm).
    [
      [2, 3, 4, 4],
      [1, 3, 1, 1],
      [2, 3, 4, 4],
    ],
    [
      [2, 1, 4],
      [2, 3, 1],
      [2, 3, 4],
    ],
  ];
  const binary = (['add', 'sub', 'mul', 'div', 'max', 'min', 'greater', 'less'] as const).flatMap((op) =>
    binaryShapes.map(([a, bShape, out]): ConformanceCase => ({
      name: `binary ${op} ${JSON.stringify(a)} ${JSON.stringify(bShape)}`,
      run: (b, rng) => {
        const size = (s: number[]) => s.reduce((n, d) => n * d, 1);
        const right = op === 'div' ? positives(rng, size(bShape)) : normals(rng, size(bShape));
        return [b.binary(op, upload(b, normals(rng, size(a))), upload(b, right), { out, a, b: bShape })];
      },
    })),
  );
  return [
    ...unary,
    ...binary,
    {
      name: 'broadcast',
      run: (b, rng) => [b.broadcast(upload(b, normals(rng, 6)), [2, 1, 3], [4, 2, 5, 3])],
    },
    {
      name: 'broadcast inner axes',
      run: (b, rng) => [b.broadcast(upload(b, normals(rng, 6)), [1, 6, 1, 1], [2, 6, 3, 2])],
    },
    { name: 'fill', run: (b) => [b.fill(9, 2.5, 'f32'), b.fill(4, -3, 'i32')] },
    {
      name: 'cast',
      run: (b, rng) => [
        b.cast(
          upload(
            b,
            normals(rng, 8).map((v) => v * 10),
          ),
          'i32',
        ),
      ],
    },
  ];
}

function rowCases(): ConformanceCase[] {
  const [rows, cols] = [5, 11];
  const x = (b: Backend, rng: Random) => upload(b, normals(rng, rows * cols));
  const dy = (b: Backend, rng: Random, n = rows * cols) => upload(b, normals(rng, n));
  const w = (b: Backend, rng: Random) => upload(b, normals(rng, cols));
  const tokenIds = (b: Backend, rng: Random) => upload(b, [...ids(rng, rows - 1, cols), -1], 'i32');
  const grads = (g: { dx: Storage; dWeight?: Storage; dBias?: Storage }) =>
    [g.dx, g.dWeight, g.dBias].filter((s): s is Storage => s !== undefined);
  return [
    {
      name: 'reduce sum',
      run: (b, rng) => [b.reduce('sum', upload(b, normals(rng, 60)), { outer: 3, axis: 4, inner: 5 })],
    },
    {
      name: 'reduce max',
      run: (b, rng) => [b.reduce('max', upload(b, normals(rng, 60)), { outer: 3, axis: 4, inner: 5 })],
    },
    ...[false, true].flatMap((log): ConformanceCase[] => [
      { name: `softmax log=${log}`, run: (b, rng) => [b.softmax(x(b, rng), rows, cols, log)] },
      {
        name: `softmaxBackward log=${log}`,
        run: (b, rng) => [
          b.softmaxBackward(b.softmax(x(b, rng), rows, cols, log), dy(b, rng), rows, cols, log),
        ],
      },
    ]),
    { name: 'rmsNorm', run: (b, rng) => [b.rmsNorm(x(b, rng), w(b, rng), rows, cols, 1e-6)] },
    {
      name: 'rmsNormBackward',
      run: (b, rng) => grads(b.rmsNormBackward(x(b, rng), w(b, rng), dy(b, rng), rows, cols, 1e-6, true)),
    },
    { name: 'layerNorm', run: (b, rng) => [b.layerNorm(x(b, rng), w(b, rng), w(b, rng), rows, cols, 1e-5)] },
    {
      name: 'layerNormBackward',
      run: (b, rng) => grads(b.layerNormBackward(x(b, rng), w(b, rng), dy(b, rng), rows, cols, 1e-5, true)),
    },
    {
      name: 'logSoftmaxGather',
      run: (b, rng) => [b.logSoftmaxGather(x(b, rng), tokenIds(b, rng), rows, cols)],
    },
    {
      name: 'logSoftmaxGatherBackward',
      run: (b, rng) => [
        b.logSoftmaxGatherBackward(x(b, rng), tokenIds(b, rng), dy(b, rng, rows), rows, cols),
      ],
    },
    { name: 'entropy', run: (b, rng) => [b.entropy(x(b, rng), rows, cols)] },
    {
      name: 'entropyBackward',
      run: (b, rng) => [b.entropyBackward(x(b, rng), dy(b, rng, rows), rows, cols)],
    },
  ];
}

function matmulCases(): ConformanceCase[] {
  const [m, k, n] = [7, 13, 5];
  return [false, true].flatMap((transA) =>
    [false, true].map((transB): ConformanceCase => ({
      name: `matmul transA=${transA} transB=${transB}`,
      run: (b, rng) => [
        b.matmul(upload(b, normals(rng, 3 * m * k)), upload(b, normals(rng, 2 * k * n)), {
          batch: [3, 2],
          batchA: [3, 1],
          batchB: [2],
          m,
          k,
          n,
          transA,
          transB,
        }),
      ],
    })),
  );
}

/** Every kind of half: signed zeros, smallest and largest subnormals and normals, 65504, infinities, NaN. */
const SPECIAL_HALVES = [
  0x0000, 0x8000, 0x0001, 0x83ff, 0x0400, 0x3c00, 0xbc01, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x3555,
];

/**
 * f16 weights in both directions on odd shapes (k odd, n·k odd so the last word is half-filled, edge tiles on every
 * side), and every special half decoded one per output (the transposed form runs them through the SIMD decoder).
 */
function halfCases(): ConformanceCase[] {
  const matmul = (b: Backend) => (b.matmulQuantized as NonNullable<Backend['matmulQuantized']>).bind(b);
  const shapes = [
    [3, 5, 19],
    [9, 37, 45],
  ] as const;
  const products = shapes.flatMap(([rows, n, k]) =>
    [false, true].map((transposed): ConformanceCase => ({
      name: `matmulQuantized f16 ${rows}×${n}×${k} transposed=${transposed}`,
      requires: 'f16',
      run: (b, rng) => {
        const weight = QuantizedTensor.upload(
          quantizeHalfWeights(Float32Array.from(normals(rng, n * k)), n, k),
          b,
        );
        const x = upload(b, normals(rng, rows * (transposed ? n : k)));
        return [matmul(b)(x, weight.weight, rows, transposed)];
      },
    })),
  );
  // x = [1] against W [13, 1] (x · Wᵀ) or W [1, 13] (x · W): each output is one weight times 1, nothing else summed.
  const special = [false, true].map((transposed): ConformanceCase => ({
    name: `matmulQuantized f16 special values transposed=${transposed}`,
    requires: 'f16',
    run: (b) => {
      const halves = Uint16Array.from(SPECIAL_HALVES);
      const [n, k] = transposed ? [1, halves.length] : [halves.length, 1];
      const weight = QuantizedTensor.upload(halfWeightsOf(halves, n, k), b);
      return [matmul(b)(upload(b, [1]), weight.weight, 1, transposed)];
    },
  }));
  return [...products, ...special];
}

function quantizedCases(): ConformanceCase[] {
  const [rows, n, k, groupSize] = [3, 6, 19, 8];
  return ([8, 4] as const).flatMap((bits) =>
    [false, true].map((transposed): ConformanceCase => ({
      name: `matmulQuantized int${bits} transposed=${transposed}`,
      requires: bits === 8 ? 'q8' : 'q4',
      run: (b, rng) => {
        const host = quantizeWeights(Float32Array.from(normals(rng, n * k)), n, k, bits, groupSize);
        const weight = QuantizedTensor.upload(host, b);
        const x = upload(b, normals(rng, rows * (transposed ? n : k)));
        return [
          (b.matmulQuantized as NonNullable<Backend['matmulQuantized']>)(x, weight.weight, rows, transposed),
        ];
      },
    })),
  );
}

/** Forward and backward of one attention spec (k/v hold kvRows rows per batch, tk of them attended). */
function attentionCasesFor(spec: AttentionSpec, label: string): ConformanceCase[] {
  const inputs = (b: Backend, rng: Random) => {
    const q = upload(b, normals(rng, spec.batch * spec.tq * spec.hq * spec.d));
    const k = upload(b, normals(rng, spec.batch * spec.kvRows * spec.hkv * spec.d));
    const v = upload(b, normals(rng, spec.batch * spec.kvRows * spec.hkv * spec.d));
    const maskValues = normals(rng, spec.batch * spec.tq * spec.tk).map((value, i) =>
      i % 7 === 3 ? -Infinity : value,
    );
    return { q, k, v, mask: upload(b, maskValues) };
  };
  return [
    {
      name: `attention ${label}`,
      run: (b, rng) => {
        const { q, k, v, mask } = inputs(b, rng);
        const { out, logSumExp } = b.attention(q, k, v, mask, spec);
        return [out, logSumExp];
      },
    },
    {
      name: `attentionBackward ${label}`,
      run: (b, rng) => {
        const { q, k, v, mask } = inputs(b, rng);
        const { out, logSumExp } = b.attention(q, k, v, mask, spec);
        const dOut = upload(b, normals(rng, q.size));
        const { dq, dk, dv } = b.attentionBackward(q, k, v, mask, out, logSumExp, dOut, spec);
        return [dq, dk, dv];
      },
    },
  ];
}

function attentionCases(): ConformanceCase[] {
  const spec: AttentionSpec = {
    ...{ batch: 2, tq: 3, tk: 5, kvRows: 5, hq: 4, hkv: 2, d: 6, scale: 0.4, causal: true, queryOffset: 2 },
    ...{ maskBatch: 2, maskHeads: 1 },
  };
  // A preallocated KV cache: 8 rows per batch, 5 filled; the unfilled rows must be ignored and get zero gradients.
  return [
    ...attentionCasesFor(spec, '(GQA, causal, mask, offset)'),
    ...attentionCasesFor({ ...spec, kvRows: 8 }, '(kvRows 8 > tk 5)'),
  ];
}

function convAndRopeCases(): ConformanceCase[] {
  const spec: Conv2dSpec = {
    ...{ batch: 2, cIn: 3, height: 7, width: 6, cOut: 4, kh: 3, kw: 2 },
    ...{ strideH: 2, strideW: 1, padH: 1, padW: 1, outH: 4, outW: 7 },
  };
  // A 1×1 stride-1 kernel is its own case: the wasm backend reads the image as the patch matrix there.
  const pointwise: Conv2dSpec = { ...spec, kh: 1, kw: 1, strideH: 1, padH: 0, padW: 0, outH: 7, outW: 6 };
  const rope = { batch: 2, seq: 3, heads: 2, headDim: 8, sections: [1, 2, 1], theta: 100 };
  const positions = (b: Backend, rng: Random) => upload(b, ids(rng, 3 * 2 * 3, 40), 'i32');
  return [
    ...convCases(spec, ''),
    ...convCases(pointwise, ' 1x1'),
    ...[false, true].map((inverse): ConformanceCase => ({
      name: `rope M-RoPE inverse=${inverse}`,
      run: (b, rng) => [b.rope(upload(b, normals(rng, 2 * 3 * 2 * 8)), positions(b, rng), rope, inverse)],
    })),
  ];
}

function convCases(spec: Conv2dSpec, suffix: string): ConformanceCase[] {
  const xSize = spec.batch * spec.cIn * spec.height * spec.width;
  const wSize = spec.cOut * spec.cIn * spec.kh * spec.kw;
  const ySize = spec.batch * spec.cOut * spec.outH * spec.outW;
  return [
    {
      name: `conv2d${suffix}`,
      run: (b, rng) => [b.conv2d(upload(b, normals(rng, xSize)), upload(b, normals(rng, wSize)), spec)],
    },
    {
      name: `conv2dBackwardInput${suffix}`,
      run: (b, rng) => [
        b.conv2dBackwardInput(upload(b, normals(rng, ySize)), upload(b, normals(rng, wSize)), spec),
      ],
    },
    {
      name: `conv2dBackwardWeight${suffix}`,
      run: (b, rng) => [
        b.conv2dBackwardWeight(upload(b, normals(rng, xSize)), upload(b, normals(rng, ySize)), spec),
      ],
    },
  ];
}

function layoutCases(): ConformanceCase[] {
  const shape = [3, 4, 5];
  return [
    { name: 'permute', run: (b, rng) => [b.permute(upload(b, normals(rng, 60)), shape, [2, 0, 1])] },
    { name: 'slice', run: (b, rng) => [b.slice(upload(b, normals(rng, 60)), shape, [1, 0, 2], [2, 3, 3])] },
    { name: 'pad', run: (b, rng) => [b.pad(upload(b, normals(rng, 18)), [2, 3, 3], [1, 0, 2], shape)] },
    {
      name: 'concat',
      run: (b, rng) => [
        b.concat(
          [upload(b, normals(rng, 24)), upload(b, normals(rng, 12))],
          [
            [3, 2, 4],
            [3, 1, 4],
          ],
          1,
        ),
      ],
    },
    {
      name: 'writeSlice',
      run: (b, rng) => {
        const target = upload(b, normals(rng, 60));
        b.writeSlice(target, upload(b, normals(rng, 30)), {
          outer: 3,
          rows: 4,
          inner: 5,
          offset: 2,
          count: 2,
        });
        return [target];
      },
    },
    {
      name: 'gatherRows',
      run: (b, rng) => [b.gatherRows(upload(b, normals(rng, 6 * 5)), upload(b, ids(rng, 9, 6), 'i32'), 5)],
    },
    {
      name: 'scatterAddRows',
      run: (b, rng) => [
        b.scatterAddRows(upload(b, ids(rng, 9, 6), 'i32'), upload(b, normals(rng, 9 * 5)), 6, 5),
      ],
    },
    {
      name: 'adamwUpdate',
      run: (b, rng) => {
        const [param, grad, m] = [normals(rng, 17), normals(rng, 17), normals(rng, 17)].map((v) =>
          upload(b, v),
        ) as [Storage, Storage, Storage];
        const v = upload(b, positives(rng, 17));
        const hyper = { lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };
        b.adamwUpdate(param, grad, m, v, upload(b, [0.5]), {
          ...hyper,
          biasCorrection1: 0.19,
          biasCorrection2: 0.0199,
        });
        return [param, m, v];
      },
    },
  ];
}

export function conformanceCases(): ConformanceCase[] {
  return [
    ...elementwiseCases(),
    ...rowCases(),
    ...matmulCases(),
    ...quantizedCases(),
    ...halfCases(),
    ...attentionCases(),
    ...convAndRopeCases(),
    ...layoutCases(),
  ];
}

/** |candidate - reference| / (1 + |reference|) above `tolerance`, or any NaN / Infinity disagreement. */
function differs(candidate: number, reference: number, tolerance: number): boolean {
  if (Number.isNaN(candidate) || Number.isNaN(reference))
    return !(Number.isNaN(candidate) && Number.isNaN(reference));
  if (!Number.isFinite(reference) || !Number.isFinite(candidate)) return candidate !== reference;
  return Math.abs(candidate - reference) / (1 + Math.abs(reference)) > tolerance;
}

/**
 * Runs every case on `candidate` and on an f64 reference with the same seed, and lists elements that disagree
 * (the first few per output). tolerance 1e-4 suits f32 kernels; the reference outputs are exact to ~1e-15.
 */
export async function checkConformance(
  candidate: Backend,
  options: { seed?: number; tolerance?: number; only?: (name: string) => boolean } = {},
): Promise<ConformanceMismatch[]> {
  const reference = new ReferenceBackend({ precision: 'f64' });
  const tolerance = options.tolerance ?? 1e-4;
  const mismatches: ConformanceMismatch[] = [];
  const runnable = conformanceCases().filter(
    (c) => (options.only?.(c.name) ?? true) && (!c.requires || candidate.formats.has(c.requires)),
  );
  for (const testCase of runnable) {
    const seed = options.seed ?? 1;
    const expected = testCase.run(reference, new Random(seed));
    const actual = testCase.run(candidate, new Random(seed));
    for (let output = 0; output < expected.length; output++) {
      const want = await reference.read(expected[output] as Storage);
      const wantExact = reference.peek(expected[output] as Storage);
      const got = await candidate.read(actual[output] as Storage);
      if (got.length !== want.length) {
        mismatches.push({
          case: testCase.name,
          output,
          index: -1,
          candidate: got.length,
          reference: want.length,
        });
        continue;
      }
      let reported = 0;
      for (let i = 0; i < got.length && reported < 3; i++) {
        if (differs(got[i] as number, wantExact[i] as number, tolerance)) {
          mismatches.push({
            case: testCase.name,
            output,
            index: i,
            candidate: got[i] as number,
            reference: wantExact[i] as number,
          });
          reported++;
        }
      }
    }
  }
  return mismatches;
}
