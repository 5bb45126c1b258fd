// RoPE on the SIMD kernels: cos/sin in f64 on the host once per distinct position, every head's rotation in wasm.
import type { RopeSpec, Storage } from '../../backend';
import type { WasmKernels } from '../../wasm/kernels';
import type { NumArray } from '../reference/arrays';
import { sectionOfFrequency } from '../reference/rope';
import type { WasmMemory } from './memory';

export function rope(
  kernels: WasmKernels,
  mem: WasmMemory,
  x: Storage,
  positions: Storage,
  spec: RopeSpec,
  inverse: boolean,
): Storage {
  const rows = spec.batch * spec.seq;
  const out = mem.alloc('f32', x.size);
  const table = mem.alloc('f32', rows * spec.headDim);
  fillAngleTable(mem.float(table), mem.data(positions), spec);
  kernels.ropeRows(mem.ptr(x), table.ptr, out.ptr, rows, spec.heads, spec.headDim, inverse);
  mem.free(table);
  return out;
}

/**
 * cos then sin of position · θ^(−2i/headDim), each [rows, headDim/2], with the reference's f64 angles. Tokens share
 * positions (every sequence of a batch counts 0, 1, 2, ...), so the trigonometry runs once per distinct position.
 */
function fillAngleTable(table: Float32Array, positions: NumArray, spec: RopeSpec): void {
  const { batch, seq, headDim, theta } = spec;
  const half = headDim / 2;
  const rows = batch * seq;
  const frequencies = Array.from({ length: half }, (_, i) => Math.pow(theta, (-2 * i) / headDim));
  const owner = sectionOfFrequency(spec.sections);
  const memo = new Map<number, Float32Array>();
  for (let r = 0; r < rows; r++) {
    const [b, t] = [Math.floor(r / seq), r % seq];
    for (let i = 0; i < half; i++) {
      const position = positions[((owner[i] as number) * batch + b) * seq + t] as number;
      let trig = memo.get(position);
      if (!trig) memo.set(position, (trig = cosSinOf(position, frequencies)));
      table[r * half + i] = trig[i] as number;
      table[(rows + r) * half + i] = trig[half + i] as number;
    }
  }
}

/** cos of position · f for every frequency f, then sin. */
function cosSinOf(position: number, frequencies: readonly number[]): Float32Array {
  const half = frequencies.length;
  const values = new Float32Array(2 * half);
  frequencies.forEach((frequency, i) => {
    values[i] = Math.cos(position * frequency);
    values[half + i] = Math.sin(position * frequency);
  });
  return values;
}
