// One sequence of a decoding group: its generator, chosen tokens, per-token log-probs and the uncertainty accumulator.
import { Random } from '../../webgpu';
import { UncertaintyAccumulator } from '../../rl';
import type { UncertaintySummary } from '../../rl';
import type { LogitsRow, SamplingOptions } from './sampling';
import { sampleToken, temperedLogProb } from './sampling';
import type { TokenStats } from './token-stats';
import { tokenStats } from './token-stats';

export type FinishReason = 'stop' | 'length';

export interface GeneratedSequence {
  /** Generated ids, the stop token included when one ended the sequence. */
  tokens: number[];
  /** log π(token) at temperature 1, the full softmax (what sequenceLogProbs gives with temperature 1). */
  logProbs: number[];
  /** log softmax(logits / T)[token] at the sampling temperature T: GRPO's old log-prob (verl's convention). */
  oldLogProbs: number[];
  /** log-prob under the distribution actually sampled from (after top-k / top-p truncation). */
  samplingLogProbs: number[];
  finishReason: FinishReason;
  /** Margin uncertainty (method.md §4) and mean entropy over the generated positions, at temperature 1. */
  uncertainty: UncertaintySummary;
}

export class SequenceState {
  readonly tokens: number[] = [];
  readonly logProbs: number[] = [];
  readonly oldLogProbs: number[] = [];
  readonly samplingLogProbs: number[] = [];
  private readonly accumulator = new UncertaintyAccumulator();
  private readonly rng: Random;
  finishReason: FinishReason | null = null;

  constructor(
    seed: number,
    private readonly sampling: SamplingOptions,
    private readonly stopTokens: ReadonlySet<number>,
  ) {
    this.rng = new Random(seed);
  }

  get finished(): boolean {
    return this.finishReason !== null;
  }

  /** Samples and records the next token from this sequence's logits row; returns its temperature-1 statistics. */
  step(row: LogitsRow, maxNewTokens: number): TokenStats {
    const { token, samplingLogProb } = sampleToken(row, this.sampling, this.rng);
    const stats = tokenStats(row, token);
    const temperature = this.sampling.temperature ?? 1;
    this.tokens.push(token);
    this.logProbs.push(stats.logProb);
    this.oldLogProbs.push(
      temperature > 0 && temperature !== 1 ? temperedLogProb(row, token, temperature) : stats.logProb,
    );
    this.samplingLogProbs.push(samplingLogProb);
    this.accumulator.push(stats.p1, stats.p2, stats.entropy);
    if (this.stopTokens.has(token)) this.finishReason = 'stop';
    else if (this.tokens.length >= maxNewTokens) this.finishReason = 'length';
    return stats;
  }

  /** Ends a sequence that ran out of room (max positions) before a stop token. */
  truncate(): void {
    this.finishReason ??= 'length';
  }

  result(): GeneratedSequence {
    return {
      tokens: [...this.tokens],
      logProbs: [...this.logProbs],
      oldLogProbs: [...this.oldLogProbs],
      samplingLogProbs: [...this.samplingLogProbs],
      finishReason: this.finishReason ?? 'length',
      uncertainty: this.accumulator.summary(),
    };
  }
}
