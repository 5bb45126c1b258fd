// Unit tests of the value code: which tokens get it, its shape as a function of value differences, the checkpoint edit.
import { describe, expect, it } from 'vitest';
import { EMBED_TOKENS } from '../transformer/names';
import { readSafetensors, decodeEntry, writeSafetensors } from '../../webgpu/safetensors';
import { addValueCode, checkpointWithValueCode, numberTokenValues, valueCode } from './value-code';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe('value code', () => {
  it('codes both forms of a coordinate token alike and nothing else', () => {
    const vocab = ['603', ' 603', ' at', '841', '(', ' 0', '1a', ' 12 '];
    const values = numberTokenValues(vocab.length, (id) => vocab[id] as string);
    expect([...values]).toEqual([
      [0, 603],
      [1, 603],
      [5, 0],
    ]);
  });

  it('is unit norm, and its dot product falls as two values move apart', () => {
    const code = (v: number) => valueCode(v, 96);
    expect(Math.hypot(...code(417))).toBeCloseTo(1, 6);
    const similarity = [0, 8, 32, 128, 512].map((d) => dot(code(300), code(300 + d)));
    for (let i = 1; i < similarity.length; i++)
      expect(similarity[i]).toBeLessThan(similarity[i - 1] as number);
    // A function of the difference only (a shift of both values keeps it), as a query·key comparison needs.
    expect(dot(code(100), code(164))).toBeCloseTo(dot(code(600), code(664)), 5);
    expect(() => valueCode(1, 7)).toThrow(/even dimension/);
  });

  it('adds the code at the mean norm of the number rows, leaving other rows alone', () => {
    const dim = 4;
    const embedding = Float32Array.from([3, 4, 0, 0, 1, 1, 1, 1, 0, 0, 0, 5]);
    addValueCode(
      embedding,
      dim,
      new Map([
        [0, 10],
        [2, 20],
      ]),
      1,
    );
    const expected = valueCode(10, dim).map((c, i) => [3, 4, 0, 0][i]! + 5 * c);
    expect([...embedding.subarray(0, 4)].map((x) => +x.toFixed(5))).toEqual(
      [...expected].map((x) => +x.toFixed(5)),
    );
    expect([...embedding.subarray(4, 8)]).toEqual([1, 1, 1, 1]);
  });

  it('edits a checkpoint once, keeps its other tensors and records itself in the options', () => {
    const bytes = writeSafetensors(
      {
        [EMBED_TOKENS]: { dtype: 'F32', shape: [2, 2], data: [1, 0, 0, 1] },
        'optimizer.m.x': { dtype: 'F32', shape: [1], data: [7] },
      },
      { step: '40', options: JSON.stringify({ seed: 3 }) },
    );
    const edited = checkpointWithValueCode(bytes, new Map([[1, 5]]), 0.5);
    const { entries, metadata } = readSafetensors(edited);
    expect([...decodeEntry(entries.get(EMBED_TOKENS)!)].slice(0, 2)).toEqual([1, 0]);
    expect(decodeEntry(entries.get(EMBED_TOKENS)!)[3]).not.toBe(1);
    expect([...decodeEntry(entries.get('optimizer.m.x')!)]).toEqual([7]);
    expect(JSON.parse(metadata.options!)).toEqual({
      seed: 3,
      valueCode: { step: 40, scale: 0.5, tokens: 1 },
      startStep: 40,
    });
    expect(() => checkpointWithValueCode(edited, new Map([[1, 5]]), 0.5)).toThrow(/since step 40/);
  });
});
