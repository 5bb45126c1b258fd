// What the training CLIs share: atomic checkpoint writes, a progress line with ETA, and stop-signal handling.
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Written to a temporary file first so a crash mid-write never leaves a torn checkpoint. */
export function writeAtomically(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}

/** A bad command line: the CLIs print it with the usage and exit with 2. */
export class UsageError extends Error {}

export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer, got ${value}`);
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

/**
 * Calls `stop` on Ctrl-C (SIGINT) or `kill` (SIGTERM: a job started in the background by a non-interactive shell
 * ignores SIGINT, so without it such a run could only be killed, losing its last steps); returns the unsubscribe.
 */
export function onStopSignal(stop: () => void): () => void {
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };
}

/** A signal that a stop signal aborts with `reason()`, for runs that take an AbortSignal; `release` unsubscribes. */
export function abortOnStopSignal(reason: () => Error): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const release = onStopSignal(() => controller.abort(reason()));
  return { signal: controller.signal, release };
}

/** A flag a stop signal sets, so the loop stops after the current step and writes its checkpoint. */
export function interruptFlag(): { readonly interrupted: boolean } {
  const flag = { interrupted: false };
  onStopSignal(() => (flag.interrupted = true));
  return flag;
}

/** What the loop needs of a trainer; each trainer's metrics carry at least these. */
export interface LoopTrainer<M extends { step: number; loss: number; ms: number }> {
  readonly step: number;
  trainStep(): Promise<M>;
  checkpoint(): Promise<Uint8Array>;
}

export interface LoopResult<M> {
  last: M | null;
  interrupted: boolean;
  minutes: number;
}

/**
 * Steps until `total` (or Ctrl-C), appending each step's metrics to `<path>.metrics.jsonl`, drawing the progress line,
 * and writing the checkpoint every `every` steps and at the end. A non-finite loss stops the run with the last
 * checkpoint kept.
 */
export async function trainingLoop<M extends { step: number; loss: number; ms: number }>(
  trainer: LoopTrainer<M>,
  options: { path: string; total: number; every: number; details: (m: M) => string },
): Promise<LoopResult<M>> {
  const { path, total, every, details } = options;
  const stop = interruptFlag();
  const started = performance.now();
  const firstStep = trainer.step;
  let last: M | null = null;
  while (trainer.step < total && !stop.interrupted) {
    last = await trainer.trainStep();
    if (!Number.isFinite(last.loss))
      throw new Error(`step ${last.step}: loss is ${last.loss}; checkpoint kept`);
    appendFileSync(`${path}.metrics.jsonl`, `${JSON.stringify(last)}\n`);
    const average = (performance.now() - started) / (trainer.step - firstStep);
    report(progressLine(trainer.step, total, details(last), last.ms, average));
    if (trainer.step % every === 0 || trainer.step === total)
      writeAtomically(path, await trainer.checkpoint());
  }
  writeAtomically(path, await trainer.checkpoint());
  const minutes = (performance.now() - started) / 60_000;
  process.stderr.write(
    `\n${stop.interrupted ? 'interrupted' : 'done'}: step ${trainer.step}/${total} in ${minutes.toFixed(1)} min, checkpoint ${path}\n`,
  );
  return { last, interrupted: stop.interrupted, minutes };
}

/** The command line the model trainers share (train:sam, train:sft), parsed and checked. */
export interface TrainerArgs {
  help: boolean;
  path: string;
  steps: number | undefined;
  seed: number | undefined;
  every: number;
  fresh: boolean;
  threads: number | undefined;
  json: boolean;
  /** Values of the trainer's own string options (`extra`), by name. */
  extra: Record<string, string | undefined>;
  /** The trainer's own boolean flags (`extraFlags`), by name. */
  flags: Record<string, boolean>;
}

export function trainerArgs(
  defaultCheckpoint: string,
  extra: readonly string[] = [],
  extraFlags: readonly string[] = [],
): TrainerArgs {
  const { values } = parseArgs({
    options: {
      checkpoint: { type: 'string', default: defaultCheckpoint },
      steps: { type: 'string' },
      seed: { type: 'string' },
      every: { type: 'string', default: '25' },
      fresh: { type: 'boolean', default: false },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      ...Object.fromEntries(extra.map((name) => [name, { type: 'string' as const }])),
      ...Object.fromEntries(extraFlags.map((name) => [name, { type: 'boolean' as const, default: false }])),
    },
  });
  const own = values as Record<string, unknown>;
  return {
    help: values.help,
    path: resolve(values.checkpoint),
    steps: positiveInt('steps', values.steps),
    seed: positiveInt('seed', values.seed),
    every: positiveInt('every', values.every) ?? 25,
    fresh: values.fresh,
    threads: positiveInt('threads', values.threads),
    json: values.json,
    extra: Object.fromEntries(extra.map((name) => [name, own[name] as string | undefined])),
    flags: Object.fromEntries(extraFlags.map((name) => [name, own[name] === true])),
  };
}
