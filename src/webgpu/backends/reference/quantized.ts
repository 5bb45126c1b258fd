// Reference matmul against packed int8/int4/f16 weights (layouts of wasm/quantize*.ts), forward and input-gradient forms.
import type { GroupQuantizedWeight, HalfWeight } from '../../backend';
import { f16ToF32 } from '../../f16';
import type { FloatArray } from './arrays';
import { at } from './arrays';

/** The integer level of weight (row, p): int8 two's complement, or int4 stored as q + 8, low nibble first. */
function level(bytes: Uint8Array, format: 'q8' | 'q4', rowBytes: number, row: number, p: number): number {
  if (format === 'q8') return (at(bytes, row * rowBytes + p) << 24) >> 24;
  const byte = at(bytes, row * rowBytes + (p >> 1));
  return (p & 1 ? byte >> 4 : byte & 15) - 8;
}

/** W [n, k] in f64; the reference may materialise it, GPU/wasm kernels dequantise in registers. */
export function dequantize(
  bytes: Uint8Array,
  scales: FloatArray,
  weight: GroupQuantizedWeight,
): Float64Array {
  const { n, k, groupSize, format } = weight;
  const rowBytes = format === 'q8' ? k : Math.ceil(k / 2);
  const groupsPerRow = Math.ceil(k / groupSize);
  const out = new Float64Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let p = 0; p < k; p++) {
      const scale = at(scales, row * groupsPerRow + Math.floor(p / groupSize));
      out[row * k + p] = level(bytes, format, rowBytes, row, p) * scale;
    }
  }
  return out;
}

/** W [n, k] in f64 from its halves (two per little-endian word, so the bytes read as u16 in order). */
export function dequantizeHalves(bytes: Uint8Array, weight: HalfWeight): Float64Array {
  const halves = new Uint16Array(bytes.buffer, bytes.byteOffset, weight.n * weight.k);
  return Float64Array.from(halves, f16ToF32);
}

/** transposed = false: out[r, j] = sum_p x[r, p] W[j, p]; true: out[r, p] = sum_j x[r, j] W[j, p]. */
export function matmulQuantizedKernel(
  x: FloatArray,
  w: Float64Array,
  out: FloatArray,
  rows: number,
  n: number,
  k: number,
  transposed: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    if (!transposed) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += at(x, r * k + p) * at(w, j * k + p);
        out[r * n + j] = acc;
      }
    } else {
      for (let p = 0; p < k; p++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += at(x, r * n + j) * at(w, j * k + p);
        out[r * k + p] = acc;
      }
    }
  }
}
