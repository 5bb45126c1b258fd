// Per-token statistics at temperature 1 (log-prob of the chosen token, top-1/top-2 probabilities, entropy) via src/rl.
import { stepStatsFromLogits } from '../../rl';
import type { StepStats } from '../../rl';
import type { LogitsRow } from './sampling';
import { argmax } from './sampling';

export interface TokenStats extends StepStats {
  token: number;
  /** log softmax(logits)[token] at temperature 1. */
  logProb: number;
}

/**
 * p1, p2 and the entropy come from rl/uncertainty (the method's one implementation); the token's log-prob reuses
 * its partition: p1 = 1/Z with Z = Σ exp(l − l_max), so log p(token) = (l_token − l_max) + log p1.
 */
export function tokenStats(row: LogitsRow, token: number): TokenStats {
  const stats = stepStatsFromLogits(row.logits, row.offset, row.size);
  const top = row.logits[row.offset + argmax(row)] ?? 0;
  const logit = row.logits[row.offset + token] ?? -Infinity;
  return { ...stats, token, logProb: logit - top + Math.log(stats.p1) };
}
