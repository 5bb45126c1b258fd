// Sampling on host logits rows: top-k selection, nucleus cut, frequencies follow the tempered softmax, bad options.
import { describe, expect, it } from 'vitest';
import { Random } from '../../webgpu';
import { GenerationOptionError, argmax, sampleToken, validateSampling } from '.';

const row = (values: number[]) => ({ logits: Float32Array.from(values), offset: 0, size: values.length });

describe('sampling', () => {
  it('keeps exactly the top-k ids (ties to the lower id) in a long row', () => {
    const rng = new Random(1);
    const values = Array.from({ length: 500 }, () => rng.normal());
    values[17] = 9;
    values[300] = 9;
    values[42] = 8;
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) seen.add(sampleToken(row(values), { topK: 3 }, rng).token);
    expect([...seen].sort((a, b) => a - b)).toEqual([17, 42, 300]);
    expect(sampleToken(row(values), { topK: 1, temperature: 5 }, rng).token).toBe(argmax(row(values)));
    expect(argmax(row(values))).toBe(17);
  });

  it('cuts the nucleus at p and reports the renormalised log-prob', () => {
    const rng = new Random(2);
    const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
    const drawn = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const { token, samplingLogProb } = sampleToken(row(logits), { topP: 0.8 }, rng);
      drawn.set(token, (drawn.get(token) ?? 0) + 1);
      expect(samplingLogProb).toBeCloseTo(Math.log(token === 0 ? 0.5 / 0.8 : 0.3 / 0.8), 6);
    }
    expect([...drawn.keys()].sort()).toEqual([0, 1]);
    expect((drawn.get(0) ?? 0) / 2000).toBeCloseTo(0.625, 1);
  });

  it('draws with the frequencies of softmax(logits / T) over a vocabulary larger than any spread limit', () => {
    const rng = new Random(3);
    const logits = new Float32Array(150_000).fill(-Infinity);
    logits[5] = 0;
    logits[149_999] = Math.log(3);
    let last = 0;
    for (let i = 0; i < 400; i++)
      if (sampleToken({ logits, offset: 0, size: logits.length }, { temperature: 2 }, rng).token === 149_999)
        last++;
    // At T = 2 the odds are √3 : 1, so P(last) = √3 / (1 + √3) ≈ 0.634.
    expect(last / 400).toBeCloseTo(Math.sqrt(3) / (1 + Math.sqrt(3)), 1);
  });

  it('rejects options out of their domain', () => {
    expect(() => validateSampling({ temperature: -1 })).toThrow(GenerationOptionError);
    expect(() => validateSampling({ topK: 0 })).toThrow(GenerationOptionError);
    expect(() => validateSampling({ topP: 1.5 })).toThrow(GenerationOptionError);
  });
});
