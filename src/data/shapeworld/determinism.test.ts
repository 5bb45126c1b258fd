// Checks in Node that samples are generated bit-identically: pinned fingerprints, repeatability, distinct seeds.
import { describe, expect, it } from 'vitest';
import { PINNED_SAMPLES, sampleFingerprints } from './pinned-samples';

describe('ShapeWorld determinism', { timeout: 30_000 }, () => {
  it.each(PINNED_SAMPLES)(
    '$split/$index at $size px matches its pinned bytes',
    ({ split, index, size, ...pinned }) => {
      expect(sampleFingerprints(split, index, size)).toEqual(pinned);
    },
  );

  it('gives the same bytes when generated twice', () => {
    expect(sampleFingerprints('train', 99, 96)).toEqual(sampleFingerprints('train', 99, 96));
  });

  it('gives different scenes for different indices and splits', () => {
    const first = sampleFingerprints('train', 1, 96).image;
    expect(sampleFingerprints('train', 2, 96).image).not.toBe(first);
    expect(sampleFingerprints('val', 1, 96).image).not.toBe(first);
  });
});
