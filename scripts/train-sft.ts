// CLI: supervised training of pixelthink-nano's decoder on ShapeWorld with the engine's wasm backend; resumable (npm run train:sft -- --help).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configureTransformersForNode } from '../src/model/hub/transformers-node';
import { nanoDecoderConfig } from '../src/model/pixelthink-nano/config';
import { DEFAULT_SFT_OPTIONS, SftTrainer, type SftMetrics } from '../src/model/pixelthink-nano/sft';
import { firstWrongSentence, probeDecoder } from '../src/model/pixelthink-nano/probe';
import { selectorFromWeights } from '../src/model/pixelthink-nano/selector/select';
import { PolicyTokenizer } from '../src/model/pixelthink-nano/tokens';
import { WasmBackend } from '../src/webgpu/backends/wasm';
import { UsageError, positiveInt, trainerArgs, trainingLoop } from './lib/training-cli';

const USAGE = `npm run train:sft -- [options]
  --checkpoint <file>  checkpoint to resume from and write (default checkpoints/pixelthink-nano-sft.safetensors)
  --steps <n>          total steps of the run (default ${DEFAULT_SFT_OPTIONS.steps}); a resumed run keeps its own unless given
  --seed <n>           seed of a new run (default ${DEFAULT_SFT_OPTIONS.seed})
  --every <n>          write the checkpoint every n steps (default 25)
  --fresh              ignore an existing checkpoint and start over
  --threads <n>        wasm threads (default: all cores)
  --json               print the final metrics as JSON on stdout
  --copy-loss <w>      weight of the copy-head loss (default ${DEFAULT_SFT_OPTIONS.copyLossWeight}); 0 turns it off; applies to a resumed run too
  --add-pointer        resume adding the pointer decoding of the nano config (a fresh gate, zero moments); the
                       warm-up and cosine restart at the checkpoint's step and run to --steps (no-op when it has one)
  --kv-heads <n>       resume with n key/value heads (a multiple of the checkpoint's): each new head starts as a copy
                       of the one its query heads read, so the model is unchanged; the schedule restarts as above
  --restart-schedule   resume with the warm-up and cosine restarted at the checkpoint's step (to --steps): for new
                       training data on a checkpoint whose cosine has ended (another chain format)
  --lr <x>             peak learning rate (default ${DEFAULT_SFT_OPTIONS.lr}); applies to a resumed run too
  --probe <n>          no training: greedy chains of the checkpoint on val samples 0..n-1 with their true object
                       lists and the selector's pick as the target line; prints the pilot metrics (formatted, attributes listed right, target picked per level)
                       and, for every miss, its first sentence that differs from the reference
  --probe-first <i>    the first val sample of the probe (default 0): two probes of one checkpoint on two cores
  --selector <file>    the selector checkpoint the probe picks with (default checkpoints/selector.safetensors)
Metrics of every step are appended to <checkpoint>.metrics.jsonl. Ctrl-C (or SIGTERM) writes the checkpoint and exits.`;

function nonNegative(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} must be a non-negative number, got ${value}`);
  return n;
}

function details(m: SftMetrics): string {
  return `loss ${m.loss.toFixed(4)} copy ${m.copyLoss.toFixed(3)} long ${(100 * m.longShare).toFixed(0)}% lr ${m.lr.toExponential(2)} ${m.tokens} tok`;
}

function probeFirst(value: string | undefined): number {
  if (value === undefined) return 0;
  const first = nonNegative('probe-first', value);
  if (!Number.isInteger(first)) throw new UsageError(`--probe-first must be an integer, got ${value}`);
  return first;
}

async function main(): Promise<void> {
  const args = trainerArgs(
    'checkpoints/pixelthink-nano-sft.safetensors',
    ['probe', 'probe-first', 'copy-loss', 'lr', 'kv-heads', 'selector'],
    ['add-pointer', 'restart-schedule'],
  );
  const { path, steps, seed, every, threads } = args;
  if (args.help) {
    console.log(USAGE);
    return;
  }
  configureTransformersForNode(resolve('public/models'));
  const tokenizer = await PolicyTokenizer.load('pixelthink-nano');
  const backend = await WasmBackend.create({ threads: threads ?? 'auto' });
  const probe = positiveInt('probe', args.extra.probe);
  if (probe) {
    const trained = SftTrainer.restore(backend, readFileSync(path));
    const selectorPath = resolve(args.extra.selector ?? 'checkpoints/selector.safetensors');
    const select = selectorFromWeights(backend, readFileSync(selectorPath), (query) =>
      tokenizer.encode(query),
    );
    const summary = await probeDecoder(trained.model, tokenizer, {
      select,
      split: 'val',
      first: probeFirst(args.extra['probe-first']),
      count: probe,
      maxNewTokens: 600,
      onResponse: (index, response, item, reference) => {
        if (index < 3) process.stderr.write(`val ${index} (${item.level}): ${response}\n`);
        const wrong = item.picked ? null : firstWrongSentence(response, reference);
        if (wrong)
          process.stderr.write(`  val ${index} missed; first wrong: "${wrong.got}" for "${wrong.want}"\n`);
      },
    });
    console.log(JSON.stringify({ step: trained.step, ...summary }));
    backend.dispose();
    return;
  }
  const copyWeight = args.extra['copy-loss'];
  const copyLoss = copyWeight === undefined ? {} : { copyLossWeight: nonNegative('copy-loss', copyWeight) };
  const lr = args.extra.lr === undefined ? {} : { lr: nonNegative('lr', args.extra.lr) };
  const kvHeads = positiveInt('kv-heads', args.extra['kv-heads']);
  const resume = !args.fresh && existsSync(path);
  const trainer = resume
    ? SftTrainer.restore(
        backend,
        readFileSync(path),
        { ...(steps ? { steps } : {}), ...copyLoss, ...lr },
        {
          ...(args.flags['add-pointer'] ? { pointer: nanoDecoderConfig(tokenizer.vocabSize).pointer } : {}),
          ...(kvHeads ? { kvHeads } : {}),
        },
        args.flags['restart-schedule'] === true,
      )
    : SftTrainer.create(backend, nanoDecoderConfig(tokenizer.vocabSize), {
        ...DEFAULT_SFT_OPTIONS,
        ...(steps ? { steps } : {}),
        ...(seed ? { seed } : {}),
        ...copyLoss,
        ...lr,
      });
  const total = trainer.options.steps;
  process.stderr.write(
    `${resume ? `resuming ${path} at step ${trainer.step}` : `new run → ${path}`}; ${total} steps, ` +
      `batch ${trainer.options.batch}, seed ${trainer.options.seed}\n`,
  );
  const { last } = await trainingLoop(
    {
      get step() {
        return trainer.step;
      },
      trainStep: () => trainer.trainStep(tokenizer),
      checkpoint: () => trainer.checkpoint(),
    },
    { path, total, every, details },
  );
  if (args.json) console.log(JSON.stringify({ step: trainer.step, total, last }));
  backend.dispose();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
