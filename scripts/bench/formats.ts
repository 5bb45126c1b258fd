// Weight formats on the wasm kernels: f32, int8, int4 and f16 weights on the same shapes, interleaved in one round, as time ratios and errors.
import type { F32Region } from '../../src/webgpu/wasm/heap';
import type { WasmKernels } from '../../src/webgpu/wasm/kernels';
import { quantizeWeights } from '../../src/webgpu/wasm/quantize';
import { quantizeHalfWeights } from '../../src/webgpu/wasm/quantize-f16';
import { formatTable, timeInterleaved, type Contender } from './harness';

export const WEIGHT_FORMATS = ['f32', 'int8', 'int4', 'f16'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

/**
 * x·Wᵀ is a Linear's forward; x·W its input gradient (LoRA on a frozen base), which only f32 and f16 run as one
 * kernel (the int8/int4 backends dequantise W into a temporary f32 copy first), so only they are timed there.
 */
export type Direction = 'x·Wᵀ' | 'x·W';
const FORMATS_BY_DIRECTION: Record<Direction, readonly WeightFormat[]> = {
  'x·Wᵀ': WEIGHT_FORMATS,
  'x·W': ['f32', 'f16'],
};
const GROUP_SIZE = 32;

export interface FormatShape {
  label: string;
  m: number;
  k: number;
  n: number;
}

export interface FormatResult {
  label: string;
  direction: Direction;
  /** Median ms per `${format} ${threads}t`. */
  ms: Record<string, number>;
  /** Relative L2 distance of each format's output (1 thread) from the f32 weight's. */
  errorVsF32: Partial<Record<WeightFormat, number>>;
}

interface FormatCase {
  run: () => void;
  output: () => Float32Array;
  free: () => void;
}

/** Every format and thread count on one shape and direction in one interleaved round. */
export async function benchWeightFormats(
  runtimes: ReadonlyMap<number, WasmKernels>,
  shapes: readonly FormatShape[],
  runs: number,
): Promise<FormatResult[]> {
  const results: FormatResult[] = [];
  for (const shape of shapes) {
    for (const direction of ['x·Wᵀ', 'x·W'] as const) {
      const { m, k, n } = shape;
      const activations = randomArray(m * (direction === 'x·Wᵀ' ? k : n));
      const weights = randomArray(n * k);
      const contenders: Contender[] = [];
      const cases = new Map<string, FormatCase>();
      for (const [threads, kernels] of runtimes) {
        for (const format of FORMATS_BY_DIRECTION[direction]) {
          const name = `${format} ${threads}t`;
          const formatCase = caseOf(kernels, format, direction, shape, activations, weights);
          cases.set(name, formatCase);
          contenders.push({ name, run: formatCase.run });
        }
      }
      const ms = Object.fromEntries(await timeInterleaved(contenders, runs));
      const outputOf = (format: WeightFormat) => {
        const formatCase = cases.get(`${format} 1t`);
        formatCase?.run();
        return formatCase?.output() ?? new Float32Array();
      };
      const exact = outputOf('f32');
      const errorVsF32 = Object.fromEntries(
        FORMATS_BY_DIRECTION[direction]
          .filter((format) => format !== 'f32')
          .map((format) => [format, relativeL2(outputOf(format), exact)]),
      );
      cases.forEach((formatCase) => formatCase.free());
      results.push({ label: shape.label, direction, ms, errorVsF32 });
      console.error(`  formats ${shape.label} ${direction}: ${JSON.stringify(ms)}`);
    }
  }
  return results;
}

/** Operands on the heap once; `run` computes one product into the same output. */
function caseOf(
  kernels: WasmKernels,
  format: WeightFormat,
  direction: Direction,
  { m, k, n }: FormatShape,
  activations: Float32Array,
  weights: Float32Array,
): FormatCase {
  const { heap } = kernels;
  const transposed = direction === 'x·W';
  const a = heap.fromF32(activations);
  const c = heap.allocF32(m * (transposed ? k : n));
  let run: () => void;
  let release: () => void;
  if (format === 'f32') {
    const b = heap.fromF32(weights);
    // W [n, k] is B stored n×k used transposed (x·Wᵀ), or B = W as a k'×n' = n×k matrix (x·W).
    run = transposed
      ? () => kernels.matmul({ a, b, c, m, n: k, k: n })
      : () => kernels.matmul({ a, b, c, m, n, k, transB: true });
    release = () => heap.free(b);
  } else if (format === 'f16') {
    const half = kernels.uploadHalf(quantizeHalfWeights(weights, n, k));
    run = () => kernels.matmulF16({ a, weights: half, c, m, transposed });
    release = () => kernels.freeHalf(half);
  } else {
    const quantized = kernels.uploadQuantized(
      quantizeWeights(weights, n, k, format === 'int8' ? 8 : 4, GROUP_SIZE),
    );
    run = () => kernels.matmulQuantized({ a, weights: quantized, c, m });
    release = () => kernels.freeQuantized(quantized);
  }
  const free = () => {
    release();
    [a, c].forEach((region: F32Region) => heap.free(region));
  };
  return { run, output: () => c.view().slice(), free };
}

/** The table: f32 ms, then each format's time over f32's (< 1 = faster) and f16 over int8, per thread count. */
export function formatsReport(results: readonly FormatResult[], threadCounts: readonly number[]): string {
  const header = ['case', 'dir'];
  for (const t of threadCounts) header.push(`f32 ms ${t}t`, `int8/f32`, `int4/f32`, `f16/f32`, `f16/int8`);
  header.push('f16 err', 'int8 err');
  const rows = results.map((r) => {
    const cells = [r.label, r.direction];
    for (const t of threadCounts) {
      const ms = (format: WeightFormat) => r.ms[`${format} ${t}t`];
      const ratio = (a: WeightFormat, b: WeightFormat) => {
        const [x, y] = [ms(a), ms(b)];
        return x === undefined || y === undefined ? '–' : (x / y).toFixed(2);
      };
      cells.push(
        (ms('f32') ?? NaN).toFixed(3),
        ratio('int8', 'f32'),
        ratio('int4', 'f32'),
        ratio('f16', 'f32'),
      );
      cells.push(ratio('f16', 'int8'));
    }
    const error = (format: WeightFormat) => r.errorVsF32[format]?.toExponential(1) ?? '–';
    cells.push(error('f16'), error('int8'));
    return cells;
  });
  return formatTable(header, rows);
}

function relativeL2(actual: Float32Array, expected: Float32Array): number {
  let [diff, norm] = [0, 0];
  expected.forEach((v, i) => {
    diff += ((actual[i] ?? NaN) - v) ** 2;
    norm += v ** 2;
  });
  return Math.sqrt(diff / norm);
}

function randomArray(length: number): Float32Array {
  return Float32Array.from({ length }, () => Math.random() * 2 - 1);
}
