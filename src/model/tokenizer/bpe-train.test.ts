// Tests of the byte-level BPE trainer on toy corpora whose merges can be worked out by hand.
import { describe, expect, it } from 'vitest';
import { bytesToUnicode, countWords, preTokenize, trainBpe } from './bpe-train';

const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('bytesToUnicode', () => {
  it('maps the 256 bytes to 256 distinct printable characters, keeping printable ASCII', () => {
    const table = bytesToUnicode();
    expect(new Set(table).size).toBe(256);
    expect(table[0x41]).toBe('A');
    expect(table[0x20]).toBe('Ġ');
    expect(table[0x0a]).toBe('Ċ');
    expect(table.every((c) => !/\s/.test(c))).toBe(true);
  });
});

describe('preTokenize', () => {
  it('keeps the leading space with words and numbers, and numbers whole', () => {
    expect(preTokenize('the red star at (120, 340).')).toEqual([
      'the',
      ' red',
      ' star',
      ' at',
      ' (',
      '120',
      ',',
      ' 340',
      ').',
    ]);
    expect(preTokenize('[7,840]  x')).toEqual(['[', '7', ',', '840', ']', ' ', ' x']);
  });
});

describe('trainBpe', () => {
  it('merges the most frequent pair first, counting pairs over word counts', () => {
    // u g: 10 + 5 + 5 = 20, then u n: 12 + 4 = 16, then h ug: 10 + 5 = 15, then p un: 12. Then three pairs of 5
    // and 4: (p, ug) and (hug, s) tie at 5 and go to the older left token, p; then (b, un) at 4.
    const model = trainBpe(counts({ hug: 10, pug: 5, pun: 12, bun: 4, hugs: 5 }), { vocabSize: 1000 });
    expect(model.merges).toEqual([
      ['u', 'g'],
      ['u', 'n'],
      ['h', 'ug'],
      ['p', 'un'],
      ['p', 'ug'],
      ['hug', 's'],
      ['b', 'un'],
    ]);
    expect(model.vocab.slice(256)).toEqual(['ug', 'un', 'hug', 'pun', 'pug', 'hugs', 'bun']);
  });

  it('stops at vocabSize and below minFrequency', () => {
    const words = counts({ hug: 10, pug: 5, pun: 12, bun: 4, hugs: 5 });
    expect(trainBpe(words, { vocabSize: 258 }).merges).toEqual([
      ['u', 'g'],
      ['u', 'n'],
    ]);
    expect(trainBpe(words, { vocabSize: 1000, minFrequency: 5 }).merges).toHaveLength(6);
  });

  it('merges overlapping pairs left to right, as the BPE model encodes them', () => {
    // "aaa" holds (a, a) twice, but after the first merge only "aa a" remains: (aa, a) is the next pair.
    const model = trainBpe(counts({ aaa: 3 }), { vocabSize: 1000, minFrequency: 1 });
    expect(model.merges).toEqual([
      ['a', 'a'],
      ['aa', 'a'],
    ]);
  });

  it('works on UTF-8 bytes through the byte-to-unicode map', () => {
    const model = trainBpe(countWords(['é é é']), { vocabSize: 1000 });
    // "é" is C3 A9 (Ã ©); " é" is 20 C3 A9 (Ġ Ã ©).
    expect(model.merges[0]).toEqual(['Ã', '©']);
    expect(model.merges[1]).toEqual(['Ġ', 'Ã©']);
    expect(model.vocab.slice(256)).toEqual(['Ã©', 'ĠÃ©']);
  });

  it('does not depend on the order of the word counts', () => {
    const entries = Object.entries({ low: 5, lower: 2, newest: 6, widest: 3, new: 4 });
    const forward = trainBpe(new Map(entries), { vocabSize: 300 });
    const backward = trainBpe(new Map(entries.reverse()), { vocabSize: 300 });
    expect(backward).toEqual(forward);
  });
});
