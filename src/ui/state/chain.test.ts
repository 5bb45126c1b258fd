// Unit tests of the chain reader: tags go with their part, unclosed and stray text stay visible; reasoning tokens.
import { describe, expect, it } from 'vitest';
import { chainParts, thinkTokenCount } from './chain';

describe('chainParts', () => {
  it('sets the think and answer parts apart, tags included', () => {
    expect(chainParts('<think>a b</think> <answer>{}</answer>')).toEqual([
      { kind: 'think', text: '<think>a b</think>' },
      { kind: 'other', text: ' ' },
      { kind: 'answer', text: '<answer>{}</answer>' },
    ]);
  });

  it('keeps a partial chain and stray text as they are', () => {
    const text = 'x<think>still going';
    expect(chainParts(text)).toEqual([
      { kind: 'other', text: 'x' },
      { kind: 'think', text: '<think>still going' },
    ]);
    expect(chainParts('').length).toBe(0);
  });
});

describe('thinkTokenCount', () => {
  it('counts the tokens that start inside <think>…</think>, or to the end when it is never closed', () => {
    expect(thinkTokenCount(['<think>', 'a', ' b', '</think>', '<answer>', '{}', '</answer>'])).toBe(2);
    expect(thinkTokenCount(['<think>', 'a', ' b'])).toBe(2);
    expect(thinkTokenCount(['no', ' tags'])).toBe(0);
  });
});
