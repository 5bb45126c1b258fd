// WGSL for layout moves (strided gather / scatter: broadcast, permute, slice, pad, concat) and row indexing.
import type { Kernel } from '../pipelines';
import { perElement, stridedOffsets } from './common.wgsl';

/**
 * Layout params: 0 count, 1 rank, 2 base offset, shape at 8, strides at 16 (rank ≤ 8). Elements move as u32 bits,
 * so one pipeline serves f32 and i32.
 */
export const LAYOUT_SHAPE_AT = 8;
export const LAYOUT_STRIDES_AT = 16;

/** out[i] = x[base + Σ index_d · stride_d] over the output's multi-index: broadcast, permute, slice. */
export const gatherStridedKernel: Kernel = {
  key: 'gather-strided',
  source: () =>
    perElement(
      [
        ['x', 'u32', 'read'],
        ['out', 'u32', 'read_write'],
      ],
      `let flat = i;
  ${stridedOffsets(1, LAYOUT_SHAPE_AT, [LAYOUT_STRIDES_AT])}
  out[i] = x[pu(2u) + off0];`,
    ),
};

/** out[base + Σ index_d · stride_d] = x[i] over the input's multi-index: pad and one part of a concat. */
export const scatterStridedKernel: Kernel = {
  key: 'scatter-strided',
  source: () =>
    perElement(
      [
        ['x', 'u32', 'read'],
        ['out', 'u32', 'read_write'],
      ],
      `let flat = i;
  ${stridedOffsets(1, LAYOUT_SHAPE_AT, [LAYOUT_STRIDES_AT])}
  out[pu(2u) + off0] = x[i];`,
    ),
};

/** Params: 0 count (ids × cols), 1 cols, 2 table rows. An id outside the table gives zeros (no exceptions on GPU). */
export const gatherRowsKernel: Kernel = {
  key: 'gather-rows',
  source: () =>
    perElement(
      [
        ['table', 'u32', 'read'],
        ['ids', 'i32', 'read'],
        ['out', 'u32', 'read_write'],
      ],
      `let cols = pu(1u);
  let id = ids[i / cols];
  var v = 0u;
  if (id >= 0 && u32(id) < pu(2u)) { v = table[u32(id) * cols + i % cols]; }
  out[i] = v;`,
    ),
};

/**
 * Scatter-add without float atomics: each (source row, column) adds into its destination with a compare-exchange
 * loop on the f32 bits. Linear in the source size (a destination-row scan would be rows × ids); summation order
 * between colliding rows is not deterministic. Params: 0 count (ids × cols), 1 cols, 2 destination rows.
 */
export const scatterAddRowsKernel: Kernel = {
  key: 'scatter-add-rows',
  source: () =>
    perElement(
      [
        ['ids', 'i32', 'read'],
        ['src', 'f32', 'read'],
        ['out', 'atomic<u32>', 'read_write'],
      ],
      `let cols = pu(1u);
  let id = ids[i / cols];
  if (id < 0 || u32(id) >= pu(2u)) { return; }
  let dst = u32(id) * cols + i % cols;
  let v = src[i];
  var old = atomicLoad(&out[dst]);
  loop {
    let swapped = atomicCompareExchangeWeak(&out[dst], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (swapped.exchanged) { break; }
    old = swapped.old_value;
  }`,
    ),
};
