// writeSlice: the in-place write of a tensor into one axis of another, its validation and its refusal under a tape.
import { describe, expect, it } from 'vitest';
import { Tape } from '../autograd';
import { ReferenceBackend } from '../backends/reference';
import { fromArray, parameter } from '../creation';
import { AutogradError, BackendMismatchError, DTypeError, ShapeError } from '../errors';
import type { Tensor } from '../tensor';
import { mul } from './elementwise';
import { reshape, writeSlice } from './shape';

const backend = new ReferenceBackend({ poison: true });
const values = (t: Tensor): number[] => Array.from(backend.peek(t.storage));
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
const tensor = (data: number[], shape: number[]): Tensor => fromArray(data, shape, { backend });

/** target[o, offset + r, i] = source[o, r, i], everything else kept: the definition, as a loop. */
function expectedWrite(target: number[], source: number[], dims: [number, number, number, number]): number[] {
  const [outer, rows, inner, offset] = dims;
  const count = source.length / (outer * inner);
  const out = [...target];
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < count; r++) {
      for (let i = 0; i < inner; i++) {
        out[(o * rows + offset + r) * inner + i] = source[(o * count + r) * inner + i] as number;
      }
    }
  }
  return out;
}

interface WriteCase {
  axis: number;
  shape: number[];
  sourceShape: number[];
  offset: number;
  /** [outer, rows, inner, offset] of the expected write. */
  dims: [number, number, number, number];
}

describe('writeSlice', () => {
  it.each<WriteCase>([
    { axis: 0, shape: [5, 2, 3], sourceShape: [2, 2, 3], offset: 3, dims: [1, 5, 6, 3] },
    { axis: 1, shape: [2, 5, 3], sourceShape: [2, 2, 3], offset: 1, dims: [2, 5, 3, 1] },
    { axis: -1, shape: [2, 3, 5], sourceShape: [2, 3, 1], offset: 4, dims: [6, 5, 1, 4] },
  ] as const)(
    'writes along axis $axis in place and keeps the rest',
    ({ axis, shape, sourceShape, offset, dims }) => {
      const before = range(30);
      const target = tensor(before, shape);
      const view = reshape(target, [-1]);
      const sourceValues = range(
        sourceShape.reduce((n, d) => n * d, 1),
        100,
      );
      const source = tensor(sourceValues, sourceShape);
      const live = backend.liveStorageCount();
      writeSlice(target, source, axis, offset);
      const expected = expectedWrite(before, sourceValues, dims);
      expect(values(target)).toEqual(expected);
      expect(values(view)).toEqual(expected);
      expect(backend.liveStorageCount()).toBe(live);
    },
  );

  it('writes i32 tensors', () => {
    const target = fromArray([0, 0, 0, 0], [4], { backend, dtype: 'i32' });
    writeSlice(target, fromArray([7, 8], [2], { backend, dtype: 'i32' }), 0, 2);
    expect(values(target)).toEqual([0, 0, 7, 8]);
  });

  it('rejects sources that do not fit, other dtypes, shared storage and other backends', () => {
    const target = tensor(range(12), [2, 3, 2]);
    expect(() => writeSlice(target, tensor(range(4), [2, 1, 2]), 1, 3)).toThrow(ShapeError);
    expect(() => writeSlice(target, tensor(range(4), [2, 1, 2]), 1, -1)).toThrow(ShapeError);
    expect(() => writeSlice(target, tensor(range(4), [2, 1, 2]), 1, 0.5)).toThrow(ShapeError);
    expect(() => writeSlice(target, tensor(range(6), [2, 1, 3]), 1, 0)).toThrow(ShapeError);
    expect(() => writeSlice(target, tensor(range(4), [4, 1]), 1, 0)).toThrow(ShapeError);
    const ints = fromArray(range(4), [2, 1, 2], { backend, dtype: 'i32' });
    expect(() => writeSlice(target, ints, 1, 0)).toThrow(DTypeError);
    expect(() => writeSlice(target, reshape(target, [2, 3, 2]), 1, 0)).toThrow(ShapeError);
    const elsewhere = fromArray(range(4), [2, 1, 2], { backend: new ReferenceBackend() });
    expect(() => writeSlice(target, elsewhere, 1, 0)).toThrow(BackendMismatchError);
    expect(values(target)).toEqual(range(12));
  });

  it('throws AutogradError when a recording tape tracks the target or the source, not otherwise', () => {
    const weight = parameter(tensor(range(4), [4]));
    const plain = tensor([9], [1]);
    const tape = new Tape();
    tape.record(() => {
      expect(() => writeSlice(weight, plain, 0, 0)).toThrow(AutogradError);
      expect(() => writeSlice(tensor(range(4), [4]), mul(weight, 2), 0, 0)).toThrow(AutogradError);
      writeSlice(tensor(range(4), [4]), plain, 0, 0);
    });
    tape.dispose();
    writeSlice(weight, plain, 0, 3);
    expect(values(weight)).toEqual([0, 1, 2, 9]);
  });
});
