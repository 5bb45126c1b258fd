// Reference rotary position embedding (rotate-half pairing, per-section position rows for M-RoPE).
import type { RopeSpec } from '../../backend';
import type { FloatArray, NumArray } from './arrays';
import { at } from './arrays';

/** For each of the headDim/2 frequencies, which position row (section) drives it. */
export function sectionOfFrequency(sections: readonly number[]): number[] {
  const owner: number[] = [];
  sections.forEach((count, section) => {
    for (let i = 0; i < count; i++) owner.push(section);
  });
  return owner;
}

export function ropeKernel(
  x: FloatArray,
  positions: NumArray,
  out: FloatArray,
  spec: RopeSpec,
  inverse: boolean,
): void {
  const { batch, seq, heads, headDim, theta } = spec;
  const half = headDim / 2;
  const owner = sectionOfFrequency(spec.sections);
  const direction = inverse ? -1 : 1;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      for (let i = 0; i < half; i++) {
        const section = at(owner, i);
        const position = at(positions, (section * batch + b) * seq + t);
        const angle = position * Math.pow(theta, (-2 * i) / headDim);
        const cos = Math.cos(angle);
        const sin = direction * Math.sin(angle);
        for (let h = 0; h < heads; h++) {
          const base = ((b * seq + t) * heads + h) * headDim;
          const x1 = at(x, base + i);
          const x2 = at(x, base + i + half);
          out[base + i] = x1 * cos - x2 * sin;
          out[base + i + half] = x2 * cos + x1 * sin;
        }
      }
    }
  }
}
