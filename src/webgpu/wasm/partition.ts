// Splits a (batched) matmul into blocks of C along batch, rows or columns, in whole microkernel tiles, for the thread pool.

/** The microkernel's tile: splits on these multiples keep every thread's edge tiles at the matrix edge. */
export const TILE_ROWS = 4;
export const TILE_COLS = 8;

/**
 * Chunks per thread for dynamic scheduling: enough to rebalance when one thread stalls. Every chunk re-packs the
 * operand it shares with the others; measured at 512³ on one thread, 2/4/6 chunks cost +5/+10/+13 % over one.
 */
const CHUNKS_PER_THREAD = 2;
/** Thinnest chunk worth its own packing pass (rows of A / columns of B). */
const MIN_CHUNK_ROWS = 64;
const MIN_CHUNK_COLS = 64;

export interface MatmulPart {
  batchStart: number;
  batchCount: number;
  rowStart: number;
  rows: number;
  colStart: number;
  cols: number;
}

/**
 * Parts for `threads` threads that claim them dynamically: about CHUNKS_PER_THREAD each, never thinner than
 * MIN_CHUNK_ROWS/COLS unless that leaves a thread idle. One thread gets the whole matrix.
 */
export function planMatmulChunks(batch: number, m: number, n: number, threads: number): MatmulPart[] {
  if (threads <= 1) return partitionMatmul(batch, m, n, 1);
  const target = threads * CHUNKS_PER_THREAD;
  if (batch >= threads) return partitionMatmul(batch, m, n, Math.min(batch, target), true);
  const [extent, minChunk, unit] = m >= n ? [m, MIN_CHUNK_ROWS, TILE_ROWS] : [n, MIN_CHUNK_COLS, TILE_COLS];
  const pieces = Math.max(
    Math.min(target, Math.floor(extent / minChunk)),
    Math.min(threads, Math.ceil(extent / unit)),
  );
  return partitionMatmul(batch, m, n, pieces);
}

/**
 * At most `pieces` parts covering batch × m × n. Batches split when they divide evenly (or always, with
 * splitUnevenBatches); otherwise the larger of m and n is split, so the operand each part packs in full (A when
 * splitting n, B when splitting m) is the smaller.
 */
export function partitionMatmul(
  batch: number,
  m: number,
  n: number,
  pieces: number,
  splitUnevenBatches = false,
): MatmulPart[] {
  const whole: MatmulPart = { batchStart: 0, batchCount: batch, rowStart: 0, rows: m, colStart: 0, cols: n };
  if (pieces <= 1) return [whole];
  if (batch >= pieces && (splitUnevenBatches || batch % pieces === 0)) {
    return splitRange(batch, pieces, 1).map(([start, count]) => ({
      ...whole,
      batchStart: start,
      batchCount: count,
    }));
  }
  if (m >= n) {
    return splitRange(m, pieces, TILE_ROWS).map(([start, count]) => ({
      ...whole,
      rowStart: start,
      rows: count,
    }));
  }
  return splitRange(n, pieces, TILE_COLS).map(([start, count]) => ({
    ...whole,
    colStart: start,
    cols: count,
  }));
}

/** Near-equal [start, count] pieces of [0, total) in multiples of `unit` (the last takes the remainder); no empty pieces. */
export function splitRange(total: number, pieces: number, unit: number): [number, number][] {
  const units = Math.ceil(total / unit);
  const used = Math.min(pieces, units);
  const result: [number, number][] = [];
  let start = 0;
  for (let piece = 0; piece < used; piece++) {
    const end = Math.min(total, Math.round((units * (piece + 1)) / used) * unit);
    if (end > start) result.push([start, end - start]);
    start = end;
  }
  return result;
}
