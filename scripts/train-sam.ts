// CLI: trains nano-sam on ShapeWorld with the engine's wasm backend; resumable (npm run train:sam -- --help).
import { existsSync, readFileSync } from 'node:fs';
import { NANO_SAM_CONFIG } from '../src/model/nano-sam/config';
import { DEFAULT_TRAIN_OPTIONS, NanoSamTrainer, type StepMetrics } from '../src/model/nano-sam/train';
import { WasmBackend } from '../src/webgpu/backends/wasm';
import { trainerArgs, trainingLoop } from './lib/training-cli';

const USAGE = `npm run train:sam -- [options]
  --checkpoint <file>  checkpoint to resume from and write (default checkpoints/nano-sam.safetensors)
  --steps <n>          total steps of the run (default ${DEFAULT_TRAIN_OPTIONS.steps}); a resumed run keeps its own unless given
  --seed <n>           seed of a new run (default ${DEFAULT_TRAIN_OPTIONS.seed})
  --every <n>          write the checkpoint every n steps (default 25)
  --fresh              ignore an existing checkpoint and start over
  --threads <n>        wasm threads (default: all cores)
  --json               print the final metrics as JSON on stdout
Metrics of every step are appended to <checkpoint>.metrics.jsonl. Ctrl-C (or SIGTERM) writes the checkpoint and exits.`;

function details(m: StepMetrics): string {
  return `loss ${m.loss.toFixed(4)} iou ${(100 * m.bestIou).toFixed(1)}% lr ${m.lr.toExponential(2)}`;
}

async function main(): Promise<void> {
  const args = trainerArgs('checkpoints/nano-sam.safetensors');
  const { path, steps, seed, every, threads } = args;
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const backend = await WasmBackend.create({ threads: threads ?? 'auto' });
  const resume = !args.fresh && existsSync(path);
  const trainer = resume
    ? NanoSamTrainer.restore(backend, readFileSync(path), steps ? { steps } : {})
    : NanoSamTrainer.create(backend, NANO_SAM_CONFIG, {
        ...DEFAULT_TRAIN_OPTIONS,
        ...(steps ? { steps } : {}),
        ...(seed ? { seed } : {}),
      });
  const total = trainer.options.steps;
  process.stderr.write(
    `${resume ? `resuming ${path} at step ${trainer.step}` : `new run → ${path}`}; ${total} steps, ` +
      `batch ${trainer.options.scenesPerStep * trainer.options.objectsPerScene}, seed ${trainer.options.seed}\n`,
  );
  const { last } = await trainingLoop(trainer, { path, total, every, details });
  if (args.json) console.log(JSON.stringify({ step: trainer.step, total, last }));
  backend.dispose();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
