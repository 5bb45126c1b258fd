// CLI: trains the pixelthink-nano perception detector on ShapeWorld with the wasm backend (resumable), or evaluates it.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PERCEPTION_CONFIG } from '../src/model/pixelthink-nano/perception/config';
import type { DetectionMetrics } from '../src/model/pixelthink-nano/perception/evaluate';
import { DEFAULT_EVALUATE_OPTIONS, evaluateDetector } from '../src/model/pixelthink-nano/perception/evaluate';
import {
  DEFAULT_TRAIN_OPTIONS,
  PerceptionTrainer,
  readPerceptionCheckpoint,
  type StepMetrics,
  type TrainOptions,
} from '../src/model/pixelthink-nano/perception/train';
import { WasmBackend } from '../src/webgpu/backends/wasm';
import { positiveInt, trainingLoop, UsageError } from './lib/training-cli';
import type { Backend } from '../src/webgpu/backend';

const USAGE = `npm run train:perception -- [options]
  --checkpoint <file>  checkpoint to resume from and write (default checkpoints/perception.safetensors)
  --steps <n>          total steps of the run (default ${DEFAULT_TRAIN_OPTIONS.steps}); a resumed run keeps its own unless given
  --seed <n>           seed of a new run (default ${DEFAULT_TRAIN_OPTIONS.seed})
  --batch <n>          scenes per step of a new run (default ${DEFAULT_TRAIN_OPTIONS.batch})
  --lr <x>             peak learning rate of a new run (default ${DEFAULT_TRAIN_OPTIONS.lr})
  --every <n>          write the checkpoint every n steps (default 25)
  --fresh              ignore an existing checkpoint and start over
  --eval              do not train: evaluate the checkpoint on the first val scenes
  --count <n>          scenes of --eval (default ${DEFAULT_EVALUATE_OPTIONS.count})
  --threads <n>        wasm threads (default: all cores)
  --json               print the final metrics (or the evaluation) as JSON on stdout
Metrics of every step are appended to <checkpoint>.metrics.jsonl. Ctrl-C (or SIGTERM) writes the checkpoint and exits.`;

function cliArgs() {
  const { values } = parseArgs({
    options: {
      checkpoint: { type: 'string', default: 'checkpoints/perception.safetensors' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      every: { type: 'string', default: '25' },
      fresh: { type: 'boolean', default: false },
      eval: { type: 'boolean', default: false },
      count: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  return values;
}

function positiveNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!(x > 0)) throw new UsageError(`--${name} must be a positive number, got ${value}`);
  return x;
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

function evaluationTable(m: DetectionMetrics): string {
  const rows: [string, string][] = [
    ['images / objects / detections', `${m.images} / ${m.objects} / ${m.detections}`],
    ['recall', percent(m.recall)],
    ['precision', percent(m.precision)],
    ['colour accuracy', percent(m.colourAccuracy)],
    ['shape accuracy', percent(m.shapeAccuracy)],
    ['size accuracy', percent(m.sizeAccuracy)],
    ['mean box L1 (840 px)', m.meanBoxL1.toFixed(2)],
    ['box L1 < 10', percent(m.boxL1Under10)],
    ['mean point distance (840 px)', m.meanPointDistance.toFixed(2)],
    ['images / s', m.imagesPerSecond.toFixed(1)],
  ];
  return rows.map(([name, value]) => `| ${name.padEnd(30)} | ${value.padStart(16)} |`).join('\n');
}

async function runEvaluation(backend: Backend, path: string, count: number, json: boolean): Promise<void> {
  const { config, params, optimizerState } = readPerceptionCheckpoint(backend, readFileSync(path));
  const step = optimizerState.step;
  const metrics = await evaluateDetector(params, config, backend, { ...DEFAULT_EVALUATE_OPTIONS, count });
  process.stderr.write(`${path} at step ${step}, val scenes 0..${count - 1}\n${evaluationTable(metrics)}\n`);
  if (json) console.log(JSON.stringify({ checkpoint: path, step, ...metrics }));
}

function newRunOptions(args: ReturnType<typeof cliArgs>): TrainOptions {
  const given = {
    steps: positiveInt('steps', args.steps),
    seed: positiveInt('seed', args.seed),
    batch: positiveInt('batch', args.batch),
    lr: positiveNumber('lr', args.lr),
  };
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_TRAIN_OPTIONS, ...set };
}

async function train(backend: Backend, path: string, args: ReturnType<typeof cliArgs>): Promise<void> {
  const steps = positiveInt('steps', args.steps);
  const every = positiveInt('every', args.every) ?? 25;
  const resume = !args.fresh && existsSync(path);
  const trainer = resume
    ? PerceptionTrainer.restore(backend, readFileSync(path), steps ? { steps } : {})
    : PerceptionTrainer.create(backend, PERCEPTION_CONFIG, newRunOptions(args));
  const total = trainer.options.steps;
  process.stderr.write(
    `${resume ? `resuming ${path} at step ${trainer.step}` : `new run → ${path}`}; ${total} steps, ` +
      `batch ${trainer.options.batch}, lr ${trainer.options.lr}, seed ${trainer.options.seed}\n`,
  );
  const details = (m: StepMetrics) =>
    `loss ${m.loss.toFixed(4)} (heat ${m.heatmap.toFixed(3)} box ${m.box.toFixed(3)}) lr ${m.lr.toExponential(2)}`;
  const { last } = await trainingLoop(trainer, { path, total, every, details });
  if (args.json) console.log(JSON.stringify({ step: trainer.step, total, last }));
}

async function main(): Promise<void> {
  const args = cliArgs();
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const path = resolve(args.checkpoint);
  const threads = positiveInt('threads', args.threads);
  const count = positiveInt('count', args.count) ?? DEFAULT_EVALUATE_OPTIONS.count;
  const backend = await WasmBackend.create({ threads: threads ?? 'auto' });
  try {
    if (args.eval) await runEvaluation(backend, path, count, args.json);
    else await train(backend, path, args);
  } finally {
    backend.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (error instanceof UsageError) console.error(USAGE);
  process.exit(error instanceof UsageError ? 2 : 1);
});
