// Reads a (possibly partial or malformed) chain: its <think>, <answer> and other parts for display, its reasoning tokens.

export type ChainPartKind = 'think' | 'answer' | 'other';

export interface ChainPart {
  kind: ChainPartKind;
  text: string;
}

const TAG = /<\/?(think|answer)>/g;

/** Every character lands in exactly one part, tags included, so the joined parts are the chain itself. */
export function chainParts(text: string): ChainPart[] {
  const parts: ChainPart[] = [];
  let kind: ChainPartKind = 'other';
  let at = 0;
  const push = (end: number, partKind: ChainPartKind) => {
    if (end > at) parts.push({ kind: partKind, text: text.slice(at, end) });
    at = end;
  };
  for (const match of text.matchAll(TAG)) {
    const closing = match[0].startsWith('</');
    const tag = match[1] as 'think' | 'answer';
    if (closing) {
      push(match.index + match[0].length, kind);
      kind = 'other';
    } else {
      push(match.index, kind);
      kind = tag;
    }
  }
  push(text.length, kind);
  return parts;
}

/** Tokens of a stream that start inside <think>…</think> (the reward's reasoning-tokens length). */
export function thinkTokenCount(texts: readonly string[]): number {
  const text = texts.join('');
  const open = text.indexOf('<think>');
  if (open < 0) return 0;
  const start = open + '<think>'.length;
  const close = text.indexOf('</think>', start);
  const end = close < 0 ? text.length : close;
  let at = 0;
  let count = 0;
  for (const piece of texts) {
    if (at >= start && at < end) count++;
    at += piece.length;
  }
  return count;
}
