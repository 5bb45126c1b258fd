// Timing for whole engine steps: an untimed setup per run (fresh KV cache, batch), warm-ups, the median of the rest.
import { median } from '../harness';

export interface StepTiming<T> {
  /** Untimed preparation of one run (its result is handed to `run` and `cleanup`). */
  setup: () => T | Promise<T>;
  run: (prepared: T) => void | Promise<void>;
  cleanup?: (prepared: T) => void;
  runs: number;
  warmup: number;
}

/** Median milliseconds of `run` over `runs` timed calls after `warmup` untimed ones. */
export async function timeSteps<T>(timing: StepTiming<T>): Promise<number> {
  const samples: number[] = [];
  for (let i = -timing.warmup; i < timing.runs; i++) {
    const prepared = await timing.setup();
    const started = performance.now();
    await timing.run(prepared);
    const elapsed = performance.now() - started;
    timing.cleanup?.(prepared);
    if (i >= 0) samples.push(elapsed);
  }
  return median(samples);
}
