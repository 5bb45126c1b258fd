// Shared benchmark plumbing: suite contract, interleaved timing with medians, option parsing, tables and JSON output.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchSuite {
  run(options: string[]): Promise<void>;
}

export interface BenchOptions {
  quick: boolean;
  /** Timed runs per implementation (after warm-up). */
  runs: number;
}

export function parseOptions(options: string[], defaultRuns: number): BenchOptions {
  const quick = options.includes('--quick');
  const runsFlag = options.indexOf('--runs');
  const runs = runsFlag >= 0 ? Number(options[runsFlag + 1]) : quick ? 3 : defaultRuns;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs needs a positive integer`);
  return { quick, runs };
}

/** Something timed: one call of `run` is one measured operation. */
export interface Contender {
  name: string;
  run: () => void | Promise<void>;
  /** Long-running peers (the JS loop) get fewer timed runs. */
  maxRuns?: number;
}

/**
 * Median milliseconds per contender. Contenders alternate within each round so background load on the shared
 * machine hits them alike; two untimed warm-up rounds come first (JIT, page faults, prepacking).
 */
export async function timeInterleaved(contenders: Contender[], runs: number): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let round = -2; round < runs; round++) {
    for (const contender of contenders) {
      const limit = Math.min(runs, contender.maxRuns ?? runs);
      if (round >= limit) continue;
      const started = performance.now();
      await contender.run();
      const elapsed = performance.now() - started;
      if (round >= 0) samples.get(contender.name)?.push(elapsed);
    }
  }
  return new Map([...samples].map(([name, times]) => [name, median(times)]));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? NaN)
    : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

export function gflops(flops: number, milliseconds: number): number {
  return flops / milliseconds / 1e6;
}

export function machineDescription(): Record<string, string | number> {
  const cpu = cpus()[0];
  return {
    cpu: cpu?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    os: `${osType()} ${release()}`,
    date: new Date().toISOString(),
  };
}

/** A fixed-width text table: header row, separator, rows; numbers are pre-formatted strings. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

export function writeResults(suite: string, results: unknown): string {
  const file = join(repoRoot, 'bench/results', `${suite}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
