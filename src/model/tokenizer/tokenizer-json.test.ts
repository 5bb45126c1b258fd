// Tests of the tokenizer.json / tokenizer_config.json writer on a toy BPE model.
import { describe, expect, it } from 'vitest';
import { trainBpe } from './bpe-train';
import { ADDED_TOKENS, tokenizerConfig, tokenizerJson, tokenizerVocabSize } from './tokenizer-json';

const model = trainBpe(new Map([['hug', 3]]), { vocabSize: 1000 });

describe('tokenizerJson', () => {
  it('writes the vocabulary by id, the merges as pairs, and the added tokens after the vocabulary', () => {
    const json = tokenizerJson(model) as {
      model: { vocab: Record<string, number>; merges: string[][] };
      added_tokens: { id: number; content: string; special: boolean }[];
    };
    expect(json.model.vocab['hug']).toBe(257);
    expect(json.model.merges).toEqual([
      ['h', 'u'],
      ['hu', 'g'],
    ]);
    expect(json.added_tokens.map((t) => [t.id, t.content])).toEqual(ADDED_TOKENS.map((t, i) => [258 + i, t]));
    expect(json.added_tokens.filter((t) => !t.special).map((t) => t.content)).toEqual([
      '<think>',
      '</think>',
      '<answer>',
      '</answer>',
    ]);
    expect(tokenizerVocabSize(model)).toBe(258 + ADDED_TOKENS.length);
  });

  it('refuses a vocabulary that repeats a token, which would shift the ids after it', () => {
    const broken = { vocab: [...model.vocab, 'hug'], merges: model.merges };
    expect(() => tokenizerJson(broken)).toThrow(/repeats/);
  });
});

describe('tokenizerConfig', () => {
  it('turns off decode-time space clean-up and names eos, pad and no bos', () => {
    expect(tokenizerConfig(model)).toMatchObject({
      clean_up_tokenization_spaces: false,
      eos_token: '<|im_end|>',
      pad_token: '<|endoftext|>',
      bos_token: null,
    });
  });
});
