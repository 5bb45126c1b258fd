// Wall-clock timing of pipeline stages with the clock Node, browsers and workers all have.

export interface Timed<T> {
  value: T;
  ms: number;
}

/** Runs `work` (sync or async) and measures its wall time in milliseconds. */
export async function timed<T>(work: () => T | Promise<T>): Promise<Timed<T>> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

/**
 * A loop of already-resolved promises never lets the event loop run, so neither the page nor an abort
 * button would respond; this hands control back at most every `intervalMs`.
 */
export class EventLoopYielder {
  private last = performance.now();

  constructor(private readonly intervalMs = 50) {}

  async maybeYield(): Promise<void> {
    if (performance.now() - this.last < this.intervalMs) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.last = performance.now();
  }
}

/** Stage names the harness itself times; runners may report more (e.g. 'encode'). */
export const STAGES = {
  /** ShapeWorld sample generation and rasterisation. */
  render: 'render',
  /** The policy's answer() call; tokens/s divides by this stage. */
  generate: 'generate',
  /** The segmenter's segment() call. */
  segment: 'segment',
} as const;
