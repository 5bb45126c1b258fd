// What the training CLIs share: atomic checkpoint writes, a progress line with ETA, and Ctrl-C handling.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Written to a temporary file first so a crash mid-write never leaves a torn checkpoint. */
export function writeAtomically(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}

export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`--${name} must be a positive integer, got ${value}`);
  return n;
}

/** "[####....] 12/400 <details> 1.20 s/step ETA 466 s", from the run's own average step time. */
export function progressLine(
  done: number,
  total: number,
  details: string,
  stepMs: number,
  averageMs: number,
): string {
  const width = 24;
  const filled = Math.round((width * done) / total);
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  const eta = Math.round(((total - done) * averageMs) / 1000);
  return `[${bar}] ${done}/${total} ${details} ${(stepMs / 1000).toFixed(2)} s/step ETA ${eta} s`;
}

/** On a terminal the line is redrawn in place; in a log, one line per step. */
export function report(line: string): void {
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
}

/** A flag Ctrl-C sets, so the loop stops after the current step and writes its checkpoint. */
export function interruptFlag(): { readonly interrupted: boolean } {
  const flag = { interrupted: false };
  process.on('SIGINT', () => (flag.interrupted = true));
  return flag;
}
