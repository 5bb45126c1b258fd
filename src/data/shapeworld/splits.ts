// The fixed splits: train (an endless seeded stream), val (500) and test (1000), their seeds and sample ids.

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** Bump when generation changes, so that old and new samples never share an id or a seed. */
export const DATASET_VERSION = 'shapeworld-v1';

/** Number of samples per split; train is unbounded (any non-negative safe integer index). */
export const SPLIT_SIZES: Record<Split, number> = {
  train: Number.POSITIVE_INFINITY,
  val: 500,
  test: 1000,
};

export function isSplit(value: string): value is Split {
  return (SPLITS as readonly string[]).includes(value);
}

/** Throws a RangeError naming the valid range when the index is not in the split. */
export function checkIndex(split: Split, index: number): void {
  const size = SPLIT_SIZES[split];
  if (!Number.isSafeInteger(index) || index < 0 || index >= size)
    throw new RangeError(
      `index ${index} is not in split "${split}" (${Number.isFinite(size) ? `0..${size - 1}` : 'any integer ≥ 0'})`,
    );
}

/** The seed string of a sample: each split is its own stream, so test scenes are not train scenes. */
export function seedOf(split: Split, index: number): string {
  return `${DATASET_VERSION}/${split}/${index}`;
}

/** A stable, sortable id such as "sw1-test-000042". */
export function sampleId(split: Split, index: number): string {
  return `sw1-${split}-${String(index).padStart(6, '0')}`;
}
