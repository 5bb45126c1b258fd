// Copy targets: each copied response token points at its unique source in the prompt, other tokens at nothing.
import { describe, expect, it } from 'vitest';
import { NO_SOURCE, copySources } from './copy-targets';

describe('copySources', () => {
  it('aligns copied runs to their source, skips short and ambiguous matches', () => {
    // prompt: 0..9, response from 10.
    const prompt = [5, 1, 2, 3, 9, 5, 1, 4, 3, 8];
    const response = [7, 1, 2, 3, 6, 5, 1, 7, 9];
    const ids = [...prompt, ...response];
    const targets = copySources(ids, prompt.length, prompt.length - 1);
    // Row t predicts ids[t + 1]; rows start at t = 9.
    const byToken = (r: number) => targets[r - (prompt.length - 1) - 1];
    expect(byToken(11)).toBe(1); // 1 2 3 is a run of three at 1..3
    expect(byToken(12)).toBe(2);
    expect(byToken(13)).toBe(3);
    expect(byToken(10)).toBe(NO_SOURCE); // 7 is not in the prompt
    expect(byToken(14)).toBe(NO_SOURCE);
    // 5 1 appears twice in the prompt with the same run length: ambiguous.
    expect(byToken(15)).toBe(NO_SOURCE);
    expect(targets).toHaveLength(ids.length - prompt.length);
  });
});
