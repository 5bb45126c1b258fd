// A small deterministic byte-level BPE trainer (GPT-2 style): byte-to-unicode map, regex pre-tokenisation, greedy merges.

/**
 * The GPT-2 pre-tokeniser split, the same regex as transformers.js's ByteLevel pre-tokeniser (use_regex: true), so
 * the words the trainer counts are the words the tokenizer will later see.
 */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * GPT-2's reversible map from bytes to printable characters: printable Latin-1 bytes map to themselves, the rest
 * to U+0100 and up in byte order. Byte-level tokens are strings over these 256 characters, so none holds a space.
 */
export function bytesToUnicode(): string[] {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) table.push(String.fromCharCode(printable(b) ? b : next++));
  return table;
}

/** Splits text into pre-tokens (words, numbers with their leading space, punctuation runs, whitespace). */
export function preTokenize(text: string): string[] {
  return text.match(GPT2_SPLIT) ?? [];
}

/** How often each pre-token occurs across the texts: the trainer only ever looks at these counts. */
export function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of preTokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

export interface BpeModel {
  /** Token strings by id: the 256 byte tokens (id = byte value), then one token per merge, in merge order. */
  vocab: string[];
  /** The merges in rank order, as [left, right] token strings. */
  merges: [string, string][];
}

export interface BpeTrainOptions {
  /** Size of the BPE vocabulary, the 256 byte tokens included; training stops when it is reached. */
  vocabSize: number;
  /** Pairs seen fewer times than this are never merged, so training may stop below vocabSize. */
  minFrequency?: number;
}

interface Word {
  symbols: number[];
  count: number;
}

/** A pair of token ids as one Map key; ids stay far below 2^21, so the key is exact. */
const PAIR_SHIFT = 2 ** 21;
const pairKey = (left: number, right: number) => left * PAIR_SHIFT + right;

interface Candidate {
  count: number;
  left: number;
  right: number;
}

/** The merge order: most frequent first; ties go to the pair of older tokens (smaller left id, then right id). */
function before(a: Candidate, b: Candidate): boolean {
  if (a.count !== b.count) return a.count > b.count;
  if (a.left !== b.left) return a.left < b.left;
  return a.right < b.right;
}

/** A binary heap of merge candidates; stale entries stay in it and are skipped when popped (lazy deletion). */
class CandidateHeap {
  private readonly items: Candidate[] = [];

  push(item: Candidate): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent] as Candidate)) break;
      items[i] = items[parent] as Candidate;
      i = parent;
    }
    items[i] = item;
  }

  pop(): Candidate | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && before(items[right] as Candidate, items[left] as Candidate) ? right : left;
      if (!before(items[child] as Candidate, last)) break;
      items[i] = items[child] as Candidate;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/** Adds count × (each adjacent pair of the word) to the deltas. */
function tallyPairs(symbols: readonly number[], count: number, deltas: Map<number, number>): void {
  for (let i = 0; i + 1 < symbols.length; i++) {
    const key = pairKey(symbols[i] as number, symbols[i + 1] as number);
    deltas.set(key, (deltas.get(key) ?? 0) + count);
  }
}

/** Replaces every (left, right) by merged, left to right, as the BPE model does when it encodes. */
function mergeSymbols(symbols: readonly number[], left: number, right: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === left && symbols[i + 1] === right) {
      out.push(merged);
      i++;
    } else {
      out.push(symbols[i] as number);
    }
  }
  return out;
}

/** The training state: words as id sequences, global pair counts, and which words hold each pair. */
class PairTable {
  readonly counts = new Map<number, number>();
  readonly holders = new Map<number, Set<number>>();
  readonly heap = new CandidateHeap();

  constructor(readonly words: Word[]) {
    const deltas = new Map<number, number>();
    words.forEach((word, index) => {
      tallyPairs(word.symbols, word.count, deltas);
      this.noteHolder(word.symbols, index);
    });
    this.apply(deltas);
  }

  /** The best pair whose recorded count is still current. */
  best(): Candidate | undefined {
    for (let top = this.heap.pop(); top !== undefined; top = this.heap.pop()) {
      if (this.counts.get(pairKey(top.left, top.right)) === top.count) return top;
    }
    return undefined;
  }

  /** Merges the pair in every word that holds it and updates only the counts that change. */
  merge(left: number, right: number, merged: number): void {
    const key = pairKey(left, right);
    const deltas = new Map<number, number>();
    for (const index of this.holders.get(key) ?? []) {
      const word = this.words[index] as Word;
      tallyPairs(word.symbols, -word.count, deltas);
      word.symbols = mergeSymbols(word.symbols, left, right, merged);
      tallyPairs(word.symbols, word.count, deltas);
      this.noteHolder(word.symbols, index);
    }
    this.holders.delete(key);
    this.apply(deltas);
  }

  private noteHolder(symbols: readonly number[], index: number): void {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = pairKey(symbols[i] as number, symbols[i + 1] as number);
      let set = this.holders.get(key);
      if (set === undefined) this.holders.set(key, (set = new Set()));
      set.add(index);
    }
  }

  private apply(deltas: Map<number, number>): void {
    for (const [key, delta] of deltas) {
      if (delta === 0) continue;
      const count = (this.counts.get(key) ?? 0) + delta;
      if (count > 0) {
        this.counts.set(key, count);
        this.heap.push({ count, left: Math.floor(key / PAIR_SHIFT), right: key % PAIR_SHIFT });
      } else {
        this.counts.delete(key);
      }
    }
  }
}

/** Each word as its UTF-8 bytes, which are also the ids of the 256 byte tokens. */
function toWords(wordCounts: ReadonlyMap<string, number>): Word[] {
  const encoder = new TextEncoder();
  return [...wordCounts].map(([text, count]) => ({ symbols: [...encoder.encode(text)], count }));
}

/**
 * Learns merges from pre-token counts. The result does not depend on the order of the map: ties between equally
 * frequent pairs are broken by token ids, which are themselves fixed by the merge order.
 */
export function trainBpe(wordCounts: ReadonlyMap<string, number>, options: BpeTrainOptions): BpeModel {
  const minFrequency = options.minFrequency ?? 2;
  const vocab = bytesToUnicode();
  const merges: [string, string][] = [];
  const table = new PairTable(toWords(wordCounts));
  while (vocab.length < options.vocabSize) {
    const best = table.best();
    if (best === undefined || best.count < minFrequency) break;
    const leftToken = vocab[best.left] as string;
    const rightToken = vocab[best.right] as string;
    table.merge(best.left, best.right, vocab.length);
    merges.push([leftToken, rightToken]);
    vocab.push(leftToken + rightToken);
  }
  return { vocab, merges };
}
