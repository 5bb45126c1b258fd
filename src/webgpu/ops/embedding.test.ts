// scatterRows: repeated ids add up, its gradient is the gather of the output gradient, shapes are checked.
import { describe, expect, it } from 'vitest';
import { ReferenceBackend } from '../backends/reference';
import { fromArray } from '../creation';
import { ShapeError } from '../errors';
import { gradcheck } from '../testing/gradcheck';
import { scatterRows } from './embedding';

describe('scatterRows', () => {
  it('adds source rows into the rows their ids name, repeated ids summing', async () => {
    const backend = new ReferenceBackend();
    const ids = fromArray([2, 0, 2], [3], { backend, dtype: 'i32' });
    const src = fromArray([1, 2, 3, 4, 5, 6], [3, 2], { backend });
    expect([...(await scatterRows(ids, src, 4).data())]).toEqual([3, 4, 0, 0, 6, 8, 0, 0]);
    expect(() => scatterRows(ids, fromArray([1, 2], [2, 1], { backend }), 4)).toThrow(ShapeError);
  });

  it('has the gather of the output gradient as its gradient', () => {
    const backend = new ReferenceBackend({ precision: 'f64' });
    const ids = fromArray([1, 3, 1, 0, 3], [5], { backend, dtype: 'i32' });
    const { maxRelativeError, worst } = gradcheck(
      backend,
      (src) => scatterRows(ids, src, 4),
      [{ shape: [5, 3] }],
      {
        seed: 2,
      },
    );
    expect(maxRelativeError, worst).toBeLessThan(1e-8);
  });
});
