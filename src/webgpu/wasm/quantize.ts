// Symmetric per-group int8/int4 weight quantisation in the layout the wasm kernels read, and the exact inverse for tests.

export type WeightBits = 4 | 8;

/**
 * An n×k weight matrix (n output rows, k inputs) quantised along k in groups of groupSize. int8 rows are k bytes
 * (two's complement); int4 rows are ceil(k/2) bytes, low nibble = even k, stored as q + 8 with q in [-7, 7].
 * Weight (j, p) ≈ q(j, p) · scales[j · groupsPerRow + floor(p / groupSize)].
 */
export interface QuantizedWeights {
  bits: WeightBits;
  n: number;
  k: number;
  groupSize: number;
  rowBytes: number;
  groupsPerRow: number;
  data: Uint8Array;
  scales: Float32Array;
}

/** Bytes per packed row and scale groups per row of a weight with k inputs. */
export function quantizedLayout(
  bits: WeightBits,
  k: number,
  groupSize: number,
): { rowBytes: number; groupsPerRow: number } {
  return { rowBytes: bits === 8 ? k : Math.ceil(k / 2), groupsPerRow: Math.ceil(k / groupSize) };
}

export function quantizeWeights(
  weights: Float32Array,
  n: number,
  k: number,
  bits: WeightBits,
  groupSize: number,
): QuantizedWeights {
  if (weights.length !== n * k) throw new RangeError(`weights hold ${weights.length} values, not ${n}×${k}`);
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new RangeError(`bad group size ${groupSize}`);
  const { rowBytes, groupsPerRow } = quantizedLayout(bits, k, groupSize);
  const quantized: QuantizedWeights = {
    ...{ bits, n, k, groupSize, rowBytes, groupsPerRow },
    data: new Uint8Array(n * rowBytes),
    scales: new Float32Array(n * groupsPerRow),
  };
  for (let row = 0; row < n; row++) {
    for (let group = 0; group < groupsPerRow; group++) quantizeGroup(weights, quantized, row, group);
  }
  return quantized;
}

function quantizeGroup(weights: Float32Array, q: QuantizedWeights, row: number, group: number): void {
  const start = group * q.groupSize;
  const end = Math.min(q.k, start + q.groupSize);
  const levels = q.bits === 8 ? 127 : 7;
  let largest = 0;
  for (let p = start; p < end; p++) largest = Math.max(largest, Math.abs(weights[row * q.k + p] ?? 0));
  const scale = Math.fround(largest / levels) || 1;
  q.scales[row * q.groupsPerRow + group] = scale;
  for (let p = start; p < end; p++) {
    const level = Math.max(-levels, Math.min(levels, Math.round((weights[row * q.k + p] ?? 0) / scale)));
    writeLevel(q, row, p, level);
  }
}

function writeLevel(q: QuantizedWeights, row: number, p: number, level: number): void {
  if (q.bits === 8) {
    q.data[row * q.rowBytes + p] = level & 0xff;
    return;
  }
  const index = row * q.rowBytes + (p >> 1);
  const nibble = level + 8;
  const byte = q.data[index] ?? 0;
  q.data[index] = p & 1 ? (byte & 0x0f) | (nibble << 4) : (byte & 0xf0) | nibble;
}

/** The integer level of weight (row, p), before scaling. */
export function weightLevel(q: QuantizedWeights, row: number, p: number): number {
  if (q.bits === 8) return ((q.data[row * q.rowBytes + p] ?? 0) << 24) >> 24;
  const byte = q.data[row * q.rowBytes + (p >> 1)] ?? 0;
  return (p & 1 ? byte >> 4 : byte & 15) - 8;
}

/** The n×k matrix the quantised weights stand for, in f64 (the kernel rounds each level·scale to f32). */
export function dequantizeWeights(q: QuantizedWeights): Float64Array {
  const out = new Float64Array(q.n * q.k);
  for (let row = 0; row < q.n; row++) {
    for (let p = 0; p < q.k; p++) {
      const scale = q.scales[row * q.groupsPerRow + Math.floor(p / q.groupSize)] ?? 0;
      out[row * q.k + p] = weightLevel(q, row, p) * scale;
    }
  }
  return out;
}
