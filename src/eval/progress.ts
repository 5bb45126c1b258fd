// The one-line progress report of a running evaluation (the CLI prints it on stderr; the app can show it).
import { fixed, percent, seconds } from './format-numbers';
import type { EvalProgress } from './types';

export function formatProgress(progress: EvalProgress): string {
  const { done, total, elapsedMs, overall } = progress;
  const rate = elapsedMs > 0 ? (1000 * done) / elapsedMs : 0;
  const remainingMs = rate > 0 ? ((total - done) / rate) * 1000 : 0;
  return (
    `${done}/${total} samples · gIoU ${percent(overall.gIoU)} · cIoU ${percent(overall.cIoU)} · ` +
    `reward ${fixed(overall.meanReward, 3)} · ${rate.toFixed(1)}/s · ${seconds(elapsedMs)} s, ~${seconds(remainingMs)} s left`
  );
}
