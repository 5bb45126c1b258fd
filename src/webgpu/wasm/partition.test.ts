// Work splitting for threaded matmul: parts cover C exactly once, on tile boundaries, and prefer the cheaper split.
import { describe, expect, it } from 'vitest';
import {
  partitionMatmul,
  planMatmulChunks,
  splitRange,
  TILE_COLS,
  TILE_ROWS,
  type MatmulPart,
} from './partition';

describe('splitRange', () => {
  it('covers [0, total) with unit-aligned, non-empty pieces', () => {
    for (const [total, pieces, unit] of [
      [1, 2, 4],
      [9, 2, 4],
      [100, 3, 8],
      [7, 8, 1],
      [1024, 2, 8],
    ] as const) {
      const parts = splitRange(total, pieces, unit);
      expect(parts.length).toBeLessThanOrEqual(pieces);
      let next = 0;
      for (const [start, count] of parts) {
        expect(start).toBe(next);
        expect(start % unit).toBe(0);
        expect(count).toBeGreaterThan(0);
        next = start + count;
      }
      expect(next).toBe(total);
    }
  });
});

describe('partitionMatmul', () => {
  it('splits rows when m ≥ n, columns otherwise, and batches that divide evenly', () => {
    expect(partitionMatmul(1, 512, 512, 2).map((p) => [p.rowStart, p.rows])).toEqual([
      [0, 256],
      [256, 256],
    ]);
    const byColumns = partitionMatmul(1, 64, 768, 2);
    expect(byColumns.map((p) => [p.colStart, p.cols, p.rows])).toEqual([
      [0, 384, 64],
      [384, 384, 64],
    ]);
    expect(partitionMatmul(4, 10, 10, 2).map((p) => [p.batchStart, p.batchCount])).toEqual([
      [0, 2],
      [2, 2],
    ]);
    expect(partitionMatmul(3, 10, 20, 2).every((p) => p.batchCount === 3)).toBe(true);
  });

  it('keeps every split on microkernel tile boundaries and never returns empty parts', () => {
    for (const part of partitionMatmul(1, 13, 5, 4)) expect(part.rowStart % TILE_ROWS).toBe(0);
    for (const part of partitionMatmul(1, 3, 50, 4)) expect(part.colStart % TILE_COLS).toBe(0);
    expect(partitionMatmul(1, 1, 1, 4)).toHaveLength(1);
  });
});

/** Total C elements the parts cover, counting overlaps twice. */
function coveredElements(parts: MatmulPart[]): number {
  return parts.reduce((sum, p) => sum + p.batchCount * p.rows * p.cols, 0);
}

describe('planMatmulChunks', () => {
  it('makes several chunks per thread for big matrices and covers C exactly', () => {
    const parts = planMatmulChunks(1, 512, 512, 2);
    expect(parts.length).toBe(4);
    expect(coveredElements(parts)).toBe(512 * 512);
  });

  it('keeps chunks at least 64 rows / 64 columns unless a thread would idle', () => {
    expect(planMatmulChunks(1, 64, 768, 2).every((p) => p.cols >= 64)).toBe(true);
    expect(planMatmulChunks(1, 40, 20, 2)).toHaveLength(2);
    expect(planMatmulChunks(1, 100, 100, 1)).toHaveLength(1);
  });

  it('splits batches into chunks, even uneven ones', () => {
    const parts = planMatmulChunks(5, 9, 9, 2);
    expect(parts).toHaveLength(4);
    expect(parts.every((p) => p.rows === 9 && p.cols === 9 && p.batchCount >= 1)).toBe(true);
    expect(coveredElements(parts)).toBe(5 * 81);
  });
});
