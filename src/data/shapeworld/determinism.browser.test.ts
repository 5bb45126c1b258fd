// Checks in Chromium that samples are generated with exactly the bytes pinned from Node.
import { describe, expect, it } from 'vitest';
import { PINNED_SAMPLES, sampleFingerprints } from './pinned-samples';

describe('ShapeWorld determinism in the browser', { timeout: 60_000 }, () => {
  it.each(PINNED_SAMPLES)(
    '$split/$index at $size px matches the bytes pinned in Node',
    ({ split, index, size, ...pinned }) => {
      expect(sampleFingerprints(split, index, size)).toEqual(pinned);
    },
  );
});
