// Streams generated text token by token without splitting characters: a token that ends inside a UTF-8 sequence
// (byte-level BPE cuts CJK characters and emoji in pieces) waits for the tokens that complete it.

/** Decodes token ids to text (skipping special tokens). */
export type DecodeTokens = (ids: readonly number[]) => string;

const REPLACEMENT = '\uFFFD';
/** A UTF-8 character has at most 4 bytes, so at most 4 byte-level tokens can be pending. */
const MAX_PENDING = 4;

export class TokenTextStream {
  private pending: number[] = [];

  constructor(private readonly decode: DecodeTokens) {}

  /**
   * The text this token completes ('' while a character is unfinished). `last` flushes whatever is pending. The
   * concatenation of every returned piece is the decode of all tokens pushed.
   */
  push(token: number, last = false): string {
    this.pending.push(token);
    const text = this.decode(this.pending);
    if (!last && text.endsWith(REPLACEMENT) && this.pending.length < MAX_PENDING) return '';
    this.pending = [];
    return text;
  }
}
