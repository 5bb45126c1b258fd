// Checks the fixed splits: sizes and index errors, distinct ids and scenes, and the level shares of val and test.
import { describe, expect, it } from 'vitest';
import { levelOf, TAU_HARD, TAU_MEDIUM, type Level } from './difficulty';
import { sampleQuery, type ShapeWorldQuery } from './sample';
import { SPLIT_SIZES, checkIndex, sampleId, type Split } from './splits';

function levelShares(queries: readonly ShapeWorldQuery[]): Record<Level, number> {
  const counts: Record<Level, number> = { easy: 0, medium: 0, hard: 0 };
  for (const q of queries) counts[q.level]++;
  return {
    easy: counts.easy / queries.length,
    medium: counts.medium / queries.length,
    hard: counts.hard / queries.length,
  };
}

function wholeSplit(split: Split): ShapeWorldQuery[] {
  return Array.from({ length: SPLIT_SIZES[split] }, (_, i) => sampleQuery(split, i));
}

describe('splits', { timeout: 30_000 }, () => {
  it('have the documented sizes and reject indices outside them', () => {
    expect(SPLIT_SIZES.val).toBe(500);
    expect(SPLIT_SIZES.test).toBe(1000);
    expect(() => checkIndex('test', 1000)).toThrow(RangeError);
    expect(() => checkIndex('val', -1)).toThrow(RangeError);
    expect(() => checkIndex('val', 1.5)).toThrow(RangeError);
    expect(() => sampleQuery('test', 1000)).toThrow(/0\.\.999/);
    expect(() => checkIndex('train', 10_000_000)).not.toThrow();
  });

  it('give sortable, unique ids', () => {
    expect(sampleId('test', 42)).toBe('sw1-test-000042');
    expect(sampleId('val', 7) < sampleId('val', 10)).toBe(true);
  });

  it.each(['test', 'val'] as const)('%s has each level between 20% and 45%', (split) => {
    const queries = wholeSplit(split);
    const shares = levelShares(queries);
    for (const share of Object.values(shares)) {
      expect(share).toBeGreaterThanOrEqual(0.2);
      expect(share).toBeLessThanOrEqual(0.45);
    }
    for (const q of queries) {
      expect(q.difficulty).toBeGreaterThanOrEqual(1);
      expect(q.difficulty).toBeLessThanOrEqual(10);
      expect(Math.round(q.difficulty * 10) / 10).toBe(q.difficulty);
      expect(q.level).toBe(levelOf(q.difficulty));
    }
  });

  it('puts the level boundaries at the method thresholds', () => {
    expect([
      levelOf(TAU_MEDIUM - 0.1),
      levelOf(TAU_MEDIUM),
      levelOf(TAU_HARD - 0.1),
      levelOf(TAU_HARD),
    ]).toEqual(['easy', 'medium', 'medium', 'hard']);
  });

  it('do not share scenes between val, test and the start of train', () => {
    const layout = (q: ShapeWorldQuery) => JSON.stringify(q.scene.objects);
    const seen = new Set<string>();
    for (const split of ['val', 'test', 'train'] as const)
      for (let i = 0; i < 200; i++) {
        const key = layout(sampleQuery(split, i));
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
  });
});
