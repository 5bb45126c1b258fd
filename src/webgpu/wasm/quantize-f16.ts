// f16 weight packing: an n×k matrix as IEEE halves in the layout every backend's f16 matmul reads, and its exact inverse.
import { f16ToF32, f32ToF16 } from '../f16';

/**
 * An n×k weight matrix (n output rows, k inputs) as n·k IEEE binary16 values, row-major with no row padding: weight
 * (j, p) is data[j · k + p]. On a backend the halves travel two per u32 word, the even index in the low 16 bits.
 */
export interface HalfWeights {
  bits: 16;
  n: number;
  k: number;
  data: Uint16Array;
}

/** Wraps halves already in f16 (an F16 or BF16 checkpoint entry, see decodeEntryAsF16) without converting them. */
export function halfWeightsOf(halves: Uint16Array, n: number, k: number): HalfWeights {
  if (halves.length !== n * k) throw new RangeError(`weights hold ${halves.length} halves, not ${n}×${k}`);
  return { bits: 16, n, k, data: halves };
}

/** Rounds f32 weights to the nearest half (ties to even); beyond ±65504 they become ±Infinity. */
export function quantizeHalfWeights(weights: Float32Array, n: number, k: number): HalfWeights {
  if (weights.length !== n * k) throw new RangeError(`weights hold ${weights.length} values, not ${n}×${k}`);
  return halfWeightsOf(Uint16Array.from(weights, f32ToF16), n, k);
}

/** The n×k matrix the halves stand for, in f64 (every half is exact in f32, so kernels see the same values). */
export function dequantizeHalfWeights(h: HalfWeights): Float64Array {
  return Float64Array.from(h.data, f16ToF32);
}
