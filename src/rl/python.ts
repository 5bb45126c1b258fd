// Python semantics the released reward relies on: str.isspace()/split()/strip(), int(), round(), max()/min().

/**
 * The code points for which Python's str.isspace() is true; Python's `re` `\s` matches the same set.
 * Unlike JS `\s` it includes U+001C..U+001F and U+0085 and excludes U+FEFF.
 */
const PY_SPACE_CHARS = String.raw`\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;

/** Regex source of one Python whitespace character, for building patterns that must behave like Python's. */
export const PY_WHITESPACE = `[${PY_SPACE_CHARS}]`;

const WORD_RUN = new RegExp(`[^${PY_SPACE_CHARS}]+`, 'g');
const EDGE_SPACE = new RegExp(`^${PY_WHITESPACE}+|${PY_WHITESPACE}+$`, 'g');
const ONE_SPACE = new RegExp(`^${PY_WHITESPACE}$`);

/** CPython's default cap on the digits of an int parsed from text (json.loads and int() both enforce it). */
export const PY_INT_MAX_STR_DIGITS = 4300;

export function pyIsSpace(char: string): boolean {
  return ONE_SPACE.test(char);
}

/** len(text.split()): the number of maximal runs of non-whitespace. */
export function pySplitCount(text: string): number {
  let count = 0;
  WORD_RUN.lastIndex = 0;
  while (WORD_RUN.exec(text) !== null) count++;
  return count;
}

/** text.strip() with no argument. */
export function pyStrip(text: string): string {
  return text.replace(EDGE_SPACE, '');
}

/** Python indexes strings by code point, not by UTF-16 unit. */
export function pyCodePoints(text: string): string[] {
  return Array.from(text);
}

const DECIMAL_DIGIT = /^\p{Nd}$/u;
const ASCII_SPACE = /^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g;
const PY_INT_LITERAL = /^[+-]?[0-9](?:_?[0-9])*$/;

/**
 * Value of a Unicode decimal digit (category Nd). Unicode encodes every Nd digit in runs of ten, 0 to 9,
 * so the value is the distance from the start of the contiguous Nd run, modulo 10.
 */
function decimalDigitValue(codePoint: number): number {
  let start = codePoint;
  while (start > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (codePoint - start) % 10;
}

/**
 * CPython first rewrites int()'s argument: ASCII stays, other whitespace becomes ' ', other decimal digits
 * become ASCII digits, anything else makes the literal invalid (returned as null).
 */
function asciiIntText(text: string): string | null {
  let out = '';
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint < 127) out += char;
    else if (pyIsSpace(char)) out += ' ';
    else if (DECIMAL_DIGIT.test(char)) out += String(decimalDigitValue(codePoint));
    else return null;
  }
  return out;
}

/** int(text) in base 10, or null where Python raises ValueError. */
export function pyIntFromString(text: string): number | null {
  const ascii = asciiIntText(text);
  if (ascii === null) return null;
  // Only ASCII whitespace is stripped at this point: U+001C..U+001F are not, though str.isspace() says so.
  const literal = ascii.replace(ASCII_SPACE, '');
  if (!PY_INT_LITERAL.test(literal)) return null;
  const digits = literal.replace(/[+_-]/g, '');
  if (digits.length > PY_INT_MAX_STR_DIGITS) return null;
  const value = Number(digits);
  return (literal.startsWith('-') ? -value : value) + 0;
}

/**
 * int(value) for what json.loads can produce: floats truncate toward zero (nan and inf raise), bools are
 * 0 and 1, strings parse as base-10 literals. Returns null where Python raises.
 */
export function pyInt(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) + 0 : null;
  if (typeof value === 'string') return pyIntFromString(value);
  return null;
}

/** The numeric value Python arithmetic sees (bool is an int subclass), or null where it raises TypeError. */
export function pyNumber(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  return null;
}

/** max(a, b): Python keeps the first argument unless the second compares greater (matters for NaN). */
export function pyMax(a: number, b: number): number {
  return b > a ? b : a;
}

/** min(a, b): Python keeps the first argument unless the second compares smaller. */
export function pyMin(a: number, b: number): number {
  return b < a ? b : a;
}

/** a / b, or null where Python raises ZeroDivisionError (JS would return ±Infinity or NaN). */
export function pyTrueDivide(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** round(x) for a finite float: to the nearest integer, ties to even (2.5 → 2, 3.5 → 4). */
export function pyRound(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor; // exact for doubles
  if (fraction < 0.5) return floor + 0;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor + 0 : floor + 1;
}
