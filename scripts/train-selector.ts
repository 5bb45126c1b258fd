// CLI: trains pixelthink-nano's selector (which perceived object the query means) on ShapeWorld with the wasm backend (resumable), or evaluates it.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configureTransformersForNode } from '../src/model/hub/transformers-node';
import { defaultSelectorConfig } from '../src/model/pixelthink-nano/selector/config';
import { evaluateSelector, type SelectorAccuracy } from '../src/model/pixelthink-nano/selector/evaluate';
import {
  DEFAULT_SELECTOR_TRAIN_OPTIONS,
  SelectorTrainer,
  readSelectorCheckpoint,
  type SelectorStepMetrics,
} from '../src/model/pixelthink-nano/selector/train';
import { PolicyTokenizer } from '../src/model/pixelthink-nano/tokens';
import { WasmBackend } from '../src/webgpu/backends/wasm';
import { UsageError, positiveInt, trainerArgs, trainingLoop } from './lib/training-cli';

const USAGE = `npm run train:selector -- [options]
  --checkpoint <file>  checkpoint to resume from and write (default checkpoints/selector.safetensors)
  --steps <n>          total steps of the run (default ${DEFAULT_SELECTOR_TRAIN_OPTIONS.steps}); a resumed run keeps its own unless given
  --seed <n>           seed of a new run (default ${DEFAULT_SELECTOR_TRAIN_OPTIONS.seed})
  --every <n>          write the checkpoint every n steps (default 25)
  --fresh              ignore an existing checkpoint and start over
  --threads <n>        wasm threads (default: all cores)
  --json               print the final metrics (or the evaluation) as JSON on stdout
  --eval <n>           no training: the checkpoint's accuracy on val samples 0..n-1 (ground-truth object lists)
Metrics of every step are appended to <checkpoint>.metrics.jsonl. Ctrl-C (or SIGTERM) writes the checkpoint and exits.`;

function accuracyTable(accuracy: SelectorAccuracy): string {
  return Object.entries(accuracy)
    .map(([group, { correct, total }]) => {
      const share = ((100 * correct) / total).toFixed(1);
      return `| ${group.padEnd(12)} | ${`${correct} / ${total}`.padStart(11)} | ${`${share}%`.padStart(6)} |`;
    })
    .join('\n');
}

const details = (m: SelectorStepMetrics) =>
  `loss ${m.loss.toFixed(4)} acc ${(100 * m.accuracy).toFixed(0)}% lr ${m.lr.toExponential(2)}`;

async function main(): Promise<void> {
  const args = trainerArgs('checkpoints/selector.safetensors', ['eval']);
  if (args.help) {
    console.log(USAGE);
    return;
  }
  configureTransformersForNode(resolve('public/models'));
  const tokenizer = await PolicyTokenizer.load('pixelthink-nano');
  const encode = (query: string) => tokenizer.encode(query);
  const backend = await WasmBackend.create({ threads: args.threads ?? 'auto' });
  try {
    const count = positiveInt('eval', args.extra.eval);
    if (count) {
      const { config, params, optimizerState } = readSelectorCheckpoint(backend, readFileSync(args.path));
      const accuracy = await evaluateSelector(params, config, encode, { split: 'val', first: 0, count });
      process.stderr.write(
        `${args.path} at step ${optimizerState.step}, val 0..${count - 1}\n${accuracyTable(accuracy)}\n`,
      );
      if (args.json) console.log(JSON.stringify({ step: optimizerState.step, accuracy }));
      return;
    }
    const resume = !args.fresh && existsSync(args.path);
    const trainer = resume
      ? SelectorTrainer.restore(backend, readFileSync(args.path), args.steps ? { steps: args.steps } : {})
      : SelectorTrainer.create(backend, defaultSelectorConfig(tokenizer.vocabSize), {
          ...DEFAULT_SELECTOR_TRAIN_OPTIONS,
          ...(args.steps ? { steps: args.steps } : {}),
          ...(args.seed ? { seed: args.seed } : {}),
        });
    const total = trainer.options.steps;
    process.stderr.write(
      `${resume ? `resuming ${args.path} at step ${trainer.step}` : `new run → ${args.path}`}; ${total} steps, ` +
        `batch ${trainer.options.batch}, seed ${trainer.options.seed}\n`,
    );
    const loop = {
      get step() {
        return trainer.step;
      },
      trainStep: () => trainer.trainStep(encode),
      checkpoint: () => trainer.checkpoint(),
    };
    const { last } = await trainingLoop(loop, { path: args.path, total, every: args.every, details });
    if (args.json) console.log(JSON.stringify({ step: trainer.step, total, last }));
  } finally {
    backend.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (error instanceof UsageError) console.error(USAGE);
  process.exit(error instanceof UsageError ? 2 : 1);
});
