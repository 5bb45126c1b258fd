// The sequences of a decoding group still running: which batch row is which sequence, sampling a step, dropping finished ones.
import type { LogitsRow, SamplingOptions } from './sampling';
import { SequenceState } from './sequence-state';
import type { GeneratedSequence } from './sequence-state';
import type { TokenStats } from './token-stats';

export interface TokenEvent extends TokenStats {
  /** Index of the sequence in the group. */
  sequence: number;
  /** 0 for the first generated token. */
  step: number;
}

export class ActiveGroup {
  private readonly states: SequenceState[];
  /** active[r] = the sequence in batch row r. */
  private active: number[];

  constructor(size: number, seed: number, sampling: SamplingOptions, stopTokens: ReadonlySet<number>) {
    // Sequence i owns Random(seed + i), so its draws do not depend on the group around it.
    this.states = Array.from({ length: size }, (_, i) => new SequenceState(seed + i, sampling, stopTokens));
    this.active = this.states.map((_, i) => i);
  }

  get running(): number {
    return this.active.length;
  }

  /**
   * Samples one token per running sequence from its row of `logits` ([running, vocab]); after the prefill every
   * sequence reads the single shared row instead.
   */
  sampleStep(
    logits: Float32Array,
    sharedRow: boolean,
    step: number,
    maxNewTokens: number,
    onToken?: (event: TokenEvent) => void,
  ): void {
    const vocab = logits.length / (sharedRow ? 1 : this.active.length);
    this.active.forEach((sequence, r) => {
      const row: LogitsRow = { logits, offset: sharedRow ? 0 : r * vocab, size: vocab };
      const stats = this.state(sequence).step(row, maxNewTokens);
      onToken?.({ ...stats, sequence, step });
    });
  }

  /** Forgets finished sequences; returns the batch rows that keep running (for KvCache.selectRows). */
  dropFinished(): number[] {
    const rows = this.active.flatMap((sequence, r) => (this.state(sequence).finished ? [] : [r]));
    this.active = rows.map((r) => this.active[r] as number);
    return rows;
  }

  /** The last token of each running sequence, in batch-row order: the next decode step's input. */
  lastTokens(): number[] {
    return this.active.map((sequence) => this.state(sequence).tokens.at(-1) as number);
  }

  results(): GeneratedSequence[] {
    return this.states.map((state) => state.result());
  }

  private state(sequence: number): SequenceState {
    return this.states[sequence] as SequenceState;
  }
}
