// Position ids for RoPE: consecutive positions from a start, laid out [sections, batch, seq] as the rope op wants.
import { fromArray } from '../../webgpu';
import type { Backend, Tensor } from '../../webgpu';

/** start, start+1, ... for every batch row, repeated for every RoPE section (text tokens in M-RoPE). */
export function consecutivePositions(
  start: number,
  batch: number,
  seq: number,
  sections: number,
  backend: Backend,
): Tensor {
  const ids = new Int32Array(sections * batch * seq);
  for (let row = 0; row < sections * batch; row++) {
    for (let t = 0; t < seq; t++) ids[row * seq + t] = start + t;
  }
  return fromArray(ids, [sections, batch, seq], { backend, dtype: 'i32' });
}
