// Tests of the Python-compatible helpers (split, int, round) and of the json.loads-compatible decoder.
import { describe, expect, it } from 'vitest';
import { pyJsonLoads } from './pyjson';
import type { PyJsonValue } from './pyjson';
import { pyInt, pyIntFromString, pyIsSpace, pyMax, pyRound, pySplitCount, pyStrip } from './python';

describe('str.split() word count', () => {
  it('splits on runs of Python whitespace only', () => {
    // Python: 'a\x85b\xa0c\u200bd\ufeffe\u2003f\x1cg'.split() -> ['a', 'b', 'c\u200bd\ufeffe', 'f', 'g']
    expect(pySplitCount('a\x85b\xa0c\u200bd\ufeffe\u2003f\x1cg')).toBe(5);
    expect(pySplitCount('  lead and  trail \n')).toBe(3);
    expect(pySplitCount('')).toBe(0);
    expect(pySplitCount(' \t\n\u3000')).toBe(0);
  });

  it('knows which characters are whitespace to Python (unlike JS \\s)', () => {
    for (const char of ['\x1c', '\x1f', '\x85', '\u2028', '\u3000', '\x0b'])
      expect(pyIsSpace(char)).toBe(true);
    for (const char of ['\ufeff', '\u200b', '\u180e', 'a']) expect(pyIsSpace(char)).toBe(false);
  });

  it('strips Python whitespace at both ends', () => {
    expect(pyStrip('\x85 a b \u3000')).toBe('a b');
  });
});

describe('int()', () => {
  it.each([
    [' 12 ', 12],
    ['1_000', 1000],
    ['+5', 5],
    ['-5', -5],
    ['010', 10],
    ['\u0663', 3],
    ['\uff15', 5],
    ['\ud835\udfcf\ud835\udfd0', 12],
    ['\xa012\u2003', 12],
    ['\x855', 5],
  ])('parses %j as %d', (text, value) => expect(pyIntFromString(text)).toBe(value));

  it.each([
    '12.0',
    '1e3',
    '',
    ' ',
    '1__0',
    '_1',
    '1_',
    '- 5',
    '0x10',
    '1\u20032',
    '\x1c5',
    '\u200b5',
    '\ufeff5',
    'x',
  ])('rejects %j', (text) => expect(pyIntFromString(text)).toBeNull());

  it('enforces the 4300-digit limit, underscores not counted', () => {
    expect(pyIntFromString('1'.repeat(4300))).not.toBeNull();
    expect(pyIntFromString('1'.repeat(4301))).toBeNull();
    expect(pyIntFromString('1_'.repeat(2150) + '1')).not.toBeNull();
  });

  it('truncates floats toward zero, maps bools, refuses nan, inf and containers', () => {
    expect(pyInt(2.9)).toBe(2);
    expect(pyInt(-2.7)).toBe(-2);
    expect(Object.is(pyInt(-0.5), 0)).toBe(true);
    expect(pyInt(true)).toBe(1);
    expect(pyInt(NaN)).toBeNull();
    expect(pyInt(Infinity)).toBeNull();
    expect(pyInt([1])).toBeNull();
    expect(pyInt(null)).toBeNull();
  });
});

describe('round()', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-0.5, 0],
    [-1.5, -2],
    [-2.5, -2],
    [2.4999999999999996, 2],
    [2.6, 3],
    [7, 7],
  ])('rounds %d to %d, ties to even', (x, expected) => expect(pyRound(x)).toBe(expected));
});

describe('max() keeps the first argument unless the second is greater', () => {
  it('differs from Math.max on NaN', () => {
    expect(pyMax(3, NaN)).toBe(3);
    expect(pyMax(NaN, 3)).toBeNaN();
  });
});

function loads(text: string, lenient = false): PyJsonValue {
  const result = pyJsonLoads(text, { lenient });
  if (!result.ok) throw new Error(`${result.message} at ${result.position}`);
  return result.value;
}

describe('json.loads', () => {
  it('accepts the NaN and Infinity literals that JSON.parse rejects', () => {
    expect(loads('[NaN, Infinity, -Infinity]')).toEqual([NaN, Infinity, -Infinity]);
  });

  it('lets the last duplicate key win and keeps keys out of any prototype', () => {
    const value = loads('{"a": 1, "__proto__": 2, "a": 3}');
    expect(value).toEqual(
      new Map<string, PyJsonValue>([
        ['a', 3],
        ['__proto__', 2],
      ]),
    );
  });

  it('decodes numbers like Python: big ints, 1e400 as inf, exponents as floats', () => {
    expect(loads('[123456789012345678901234567890, 1e400, 1E2, -0]')).toEqual([
      1.2345678901234568e29,
      Infinity,
      100,
      0,
    ]);
  });

  it('refuses integers over 4300 digits but not long floats', () => {
    expect(pyJsonLoads('1'.repeat(4301)).ok).toBe(false);
    expect(pyJsonLoads('-' + '1'.repeat(4300)).ok).toBe(true);
    expect(loads('1'.repeat(4301) + '.0')).toBe(Infinity);
  });

  it.each([
    "{'a': 1}",
    '{"a": 1,}',
    '[1,]',
    '{"a": 01}',
    '{"a": .5}',
    '{"a": +1}',
    '{"a": 1.}',
    '{"a":"\t"}',
    '{"a": nan}',
    '{"a": True}',
    '{"a": 1} x',
    '{"a"\u00a0: 1}',
    '{"a": "\\x"}',
  ])('rejects %j like Python', (text) => expect(pyJsonLoads(text).ok).toBe(false));

  it('decodes escapes, surrogate pairs included', () => {
    expect(loads('"\\u0041\\n\\/\\ud83d\\ude00"')).toBe('A\n/\u{1f600}');
  });

  it('in lenient mode accepts single quotes, trailing commas and Python literals', () => {
    expect(loads("{'bbox': [1, 2, 3, 4,], 'ok': True, 'none': None,}", true)).toEqual(
      new Map<string, PyJsonValue>([
        ['bbox', [1, 2, 3, 4]],
        ['ok', true],
        ['none', null],
      ]),
    );
  });

  it('fails instead of overflowing the stack on deep nesting', () => {
    expect(pyJsonLoads('['.repeat(5000) + ']'.repeat(5000)).ok).toBe(false);
    expect(pyJsonLoads('['.repeat(100) + ']'.repeat(100)).ok).toBe(true);
  });
});
