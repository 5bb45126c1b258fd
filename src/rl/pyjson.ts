// json.loads as CPython does it (NaN/Infinity literals, last duplicate key wins, 4300-digit int cap), plus a lenient mode.
import { PY_INT_MAX_STR_DIGITS } from './python';

/** A decoded value. Objects are Maps so they cannot be confused with arrays or collide with prototype keys. */
export type PyJsonValue = number | boolean | null | string | PyJsonValue[] | PyJsonObject;
export type PyJsonObject = Map<string, PyJsonValue>;

export interface PyJsonOptions {
  /** Also accept single-quoted strings, trailing commas and True/False/None, as models often write. */
  lenient?: boolean;
}

export type PyJsonResult =
  { ok: true; value: PyJsonValue } | { ok: false; message: string; position: number };

/**
 * Deep nesting makes CPython raise RecursionError near its recursion limit (1000 frames minus the caller's);
 * the exact depth depends on the call stack, so this only approximates it and keeps the JS stack safe.
 */
const MAX_NESTING = 990;

const JSON_SPACE = /[ \t\n\r]*/y;
const NUMBER = /(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** The keywords json.loads knows (it accepts NaN and ±Infinity, which JSON.parse rejects). */
const JSON_LITERALS: readonly (readonly [string, PyJsonValue])[] = [
  ['null', null],
  ['true', true],
  ['false', false],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];

/** Python's own spellings, which models copy from the single-quoted example in the prompt. */
const LENIENT_LITERALS: readonly (readonly [string, PyJsonValue])[] = [
  ...JSON_LITERALS,
  ['None', null],
  ['True', true],
  ['False', false],
];

class JsonFailure {
  constructor(
    readonly message: string,
    readonly position: number,
  ) {}
}

class Decoder {
  private position = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly lenient: boolean,
  ) {}

  decode(): PyJsonValue {
    const value = this.value();
    this.skipSpace();
    if (this.position !== this.text.length) this.fail('Extra data');
    return value;
  }

  private fail(message: string, position = this.position): never {
    throw new JsonFailure(message, position);
  }

  private skipSpace(): void {
    JSON_SPACE.lastIndex = this.position;
    JSON_SPACE.exec(this.text);
    this.position = JSON_SPACE.lastIndex;
  }

  private startsWithHere(word: string): boolean {
    return this.text.startsWith(word, this.position);
  }

  private value(): PyJsonValue {
    this.skipSpace();
    const char = this.text[this.position];
    if (char === '{' || char === '[') return this.nested(char);
    if (char === '"' || (char === "'" && this.lenient)) return this.string();
    const literal = this.literal();
    if (literal !== undefined) return literal;
    return this.number();
  }

  private nested(opener: '{' | '['): PyJsonValue {
    if (++this.depth > MAX_NESTING) this.fail('maximum recursion depth exceeded');
    const value = opener === '{' ? this.object() : this.array();
    this.depth--;
    return value;
  }

  private literal(): PyJsonValue | undefined {
    for (const [word, value] of this.lenient ? LENIENT_LITERALS : JSON_LITERALS) {
      if (this.startsWithHere(word)) {
        this.position += word.length;
        return value;
      }
    }
    return undefined;
  }

  private number(): number {
    NUMBER.lastIndex = this.position;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail('Expecting value');
    const [whole, integer = '', fraction, exponent] = match;
    const isInteger = fraction === undefined && exponent === undefined;
    const digitCount = integer.length - (integer.startsWith('-') ? 1 : 0);
    if (isInteger && digitCount > PY_INT_MAX_STR_DIGITS) {
      this.fail(`Exceeds the limit (${PY_INT_MAX_STR_DIGITS} digits) for integer string conversion`);
    }
    this.position += whole.length;
    return Number(whole) + 0;
  }

  private string(): string {
    const quote = this.text[this.position];
    const start = this.position++;
    let out = '';
    for (;;) {
      const char = this.text[this.position];
      if (char === undefined) this.fail('Unterminated string starting at', start);
      if (char === quote) break;
      if (char < ' ') this.fail('Invalid control character at');
      if (char === '\\') out += this.escape();
      else {
        out += char;
        this.position++;
      }
    }
    this.position++;
    return out;
  }

  private escape(): string {
    const code = this.text[this.position + 1];
    if (code === 'u') {
      const hex = this.text.slice(this.position + 2, this.position + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\uXXXX escape');
      this.position += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    const simple = code === undefined ? undefined : SIMPLE_ESCAPES[code];
    if (simple === undefined || (code === "'" && !this.lenient)) this.fail('Invalid \\escape');
    this.position += 2;
    return simple;
  }

  /** True when the container closes here; in lenient mode a comma right before the closer is allowed. */
  private closes(closer: string, afterComma: boolean): boolean {
    this.skipSpace();
    if (this.text[this.position] !== closer) return false;
    if (afterComma && !this.lenient) this.fail('Illegal trailing comma before end of container');
    this.position++;
    return true;
  }

  private expectSeparator(closer: string): boolean {
    this.skipSpace();
    const char = this.text[this.position];
    if (char === ',') {
      this.position++;
      return true;
    }
    if (char === closer) {
      this.position++;
      return false;
    }
    return this.fail("Expecting ',' delimiter");
  }

  private array(): PyJsonValue[] {
    this.position++;
    const items: PyJsonValue[] = [];
    if (this.closes(']', false)) return items;
    for (;;) {
      items.push(this.value());
      if (!this.expectSeparator(']')) return items;
      if (this.closes(']', true)) return items;
    }
  }

  private object(): PyJsonObject {
    this.position++;
    const entries: PyJsonObject = new Map();
    if (this.closes('}', false)) return entries;
    for (;;) {
      const key = this.key();
      this.skipSpace();
      if (this.text[this.position] !== ':') this.fail("Expecting ':' delimiter");
      this.position++;
      entries.set(key, this.value()); // a repeated key overwrites, as in Python's dict
      if (!this.expectSeparator('}')) return entries;
      if (this.closes('}', true)) return entries;
    }
  }

  private key(): string {
    this.skipSpace();
    const char = this.text[this.position];
    if (char === '"' || (char === "'" && this.lenient)) return this.string();
    return this.fail('Expecting property name enclosed in double quotes');
  }
}

/** Decode `text` like Python's json.loads (or more leniently); never throws. */
export function pyJsonLoads(text: string, options: PyJsonOptions = {}): PyJsonResult {
  try {
    return { ok: true, value: new Decoder(text, options.lenient ?? false).decode() };
  } catch (error) {
    if (error instanceof JsonFailure) return { ok: false, message: error.message, position: error.position };
    throw error;
  }
}

export function isPyJsonObject(value: PyJsonValue | undefined): value is PyJsonObject {
  return value instanceof Map;
}
