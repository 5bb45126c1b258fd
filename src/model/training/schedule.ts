// The learning-rate schedule of the trainers: linear warm-up, then cosine down to a fraction of the peak.

export interface ScheduleOptions {
  lr: number;
  steps: number;
  warmupSteps: number;
  /** The cosine ends at lr · finalLrRatio. */
  finalLrRatio: number;
}

export function learningRate(options: ScheduleOptions, step: number): number {
  const { lr, warmupSteps, steps, finalLrRatio } = options;
  if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, steps - warmupSteps));
  return lr * (finalLrRatio + (1 - finalLrRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
