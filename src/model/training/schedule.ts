// The learning-rate schedule of the trainers: linear warm-up, then cosine down to a fraction of the peak.

export interface ScheduleOptions {
  lr: number;
  steps: number;
  warmupSteps: number;
  /** The cosine ends at lr · finalLrRatio. */
  finalLrRatio: number;
  /**
   * Step at which this schedule's warm-up begins (default 0): a run resumed with a new architecture part restarts
   * its warm-up and cosine there instead of continuing at the old cosine's floor.
   */
  startStep?: number;
}

export function learningRate(options: ScheduleOptions, step: number): number {
  const { lr, warmupSteps, finalLrRatio } = options;
  const start = options.startStep ?? 0;
  const [local, steps] = [Math.max(0, step - start), options.steps - start];
  if (local < warmupSteps) return (lr * (local + 1)) / warmupSteps;
  const progress = Math.min(1, (local - warmupSteps) / Math.max(1, steps - warmupSteps));
  return lr * (finalLrRatio + (1 - finalLrRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
