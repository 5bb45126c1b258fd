// CLI: GRPO on LoRA adapters of pixelthink-nano over ShapeWorld (method.md §6), resumable (npm run train:grpo -- --help).
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { GenerationCancelledError } from '../src/model/generate';
import {
  DEFAULT_FIRST_SAMPLE,
  DEFAULT_GRPO_SETTINGS,
  GrpoTrainer,
  shapeWorldTask,
} from '../src/model/grpo/index';
import type {
  GrpoCheckpointStore,
  GrpoSettingsInput,
  GrpoStepMetrics,
  ObjectSource,
} from '../src/model/grpo/index';
import { configureTransformersForNode } from '../src/model/hub/transformers-node';
import { loadPixelThinkNano, POLICY_MODEL_ID } from '../src/model/pixelthink-nano/folder';
import { PERCEPTION_FILE, perceptionFromCheckpoint } from '../src/model/pixelthink-nano/perceive';
import type { Perceive } from '../src/model/pixelthink-nano/policy';
import { PROJECTION_NAMES } from '../src/model/transformer/names';
import type { ProjectionName } from '../src/model/transformer/names';
import { DEFAULT_REWARD_PARAMS } from '../src/rl/index';
import type { RewardParams, RewardPreset } from '../src/rl/index';
import { WasmBackend } from '../src/webgpu/backends/wasm';
import {
  UsageError,
  abortOnStopSignal,
  positiveInt,
  progressLine,
  report,
  writeAtomically,
} from './lib/training-cli';

const DEFAULT_CHECKPOINT = 'checkpoints/pixelthink-nano-grpo.safetensors';
const D = DEFAULT_GRPO_SETTINGS;

const USAGE = `npm run train:grpo -- [options]
GRPO (method.md §6) on LoRA adapters of public/models/pixelthink-nano, ShapeWorld train prompts, wasm backend.
  --preset pixelthink|seg-zero  reward preset: soft length factor, or none (default ${D.reward.preset})
  --reward k=v,...     other reward parameters, e.g. tau1=5,lowBudget=96,gamma=0.7,lengthMode=reasoning-tokens
  --steps <n>          total steps of the run (default ${D.steps}); a resumed run keeps its own unless given
  --prompts <n>        prompts per step (default ${D.grpo.promptsPerStep})
  --group <n>          samples per prompt, G (default ${D.grpo.groupSize})
  --max-new-tokens <n> response budget in tokens (default ${D.grpo.maxNewTokens})
  --temperature <t>    rollout temperature (default ${D.grpo.temperature})
  --lr <x>             AdamW learning rate (default ${D.grpo.lr}); --warmup <n> linear warm-up steps (default 0)
  --clip <x> --kl <x> --entropy <x>   PPO clip, k3 KL coefficient, entropy bonus (${D.grpo.clip}, ${D.grpo.klCoef}, ${D.grpo.entropyCoef})
  --rank <n> --alpha <x>  LoRA rank and alpha (${D.lora.rank}, ${D.lora.alpha})
  --targets a,b,...    LoRA projections (default ${D.lora.targets.join(',')})
  --seed <n>           seed of a new run (default ${D.seed})
  --objects perceived|gt  object list from the perception front end on the rendered scene (default) or the truth
  --first-sample <n>   step s trains on train samples first + s·prompts … (default ${DEFAULT_FIRST_SAMPLE})
  --checkpoint <file>  checkpoint to write and resume from (default ${DEFAULT_CHECKPOINT})
  --every <n>          checkpoint every n steps (default ${D.checkpointEvery}); the guard restores the last one
  --resume             continue the run in --checkpoint; --fresh starts over (one is needed when it exists)
  --checkpoint-layers  recompute layers in backward (less memory for long responses, slower)
  --threads <n>        wasm threads (default: all cores)
  --json               JSON lines on stdout: the run, then one per step, then the end
  --export-adapter <file>  when the run stops, also write the adapter file the app imports (Adapters → Import):
                       PEFT tensor names, base model, settings, reward and step; with --resume on a finished
                       run it only exports. --name <text> names it (default: checkpoint name · step n)
Metrics of every step are appended to <checkpoint>.metrics.jsonl. Ctrl-C (or SIGTERM) stops the step, writes the checkpoint, exits.`;

interface Args {
  help: boolean;
  path: string;
  resume: boolean;
  fresh: boolean;
  json: boolean;
  threads: number | undefined;
  objects: ObjectSource;
  firstSample: number;
  exportPath: string | undefined;
  exportName: string | undefined;
  settings: GrpoSettingsInput;
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${value}`);
  return n;
}

function nonNegativeInt(name: string, value: string | undefined): number | undefined {
  const n = number(name, value);
  if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0))
    throw new UsageError(`--${name} must be a non-negative integer, got ${value}`);
  return n;
}

function choice<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got ${value}`);
  return value as T;
}

/** "tau1=5,lengthMode=words": numbers where the default is a number, strings otherwise. */
function rewardPairs(text: string | undefined): Partial<RewardParams> {
  if (text === undefined) return {};
  const out: Record<string, number | string> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const [key, value] = pair.split('=');
    if (!key || value === undefined || !(key in DEFAULT_REWARD_PARAMS))
      throw new UsageError(`--reward: "${pair}" is not key=value with a reward parameter as key`);
    const numeric = typeof DEFAULT_REWARD_PARAMS[key as keyof RewardParams] === 'number';
    out[key] = numeric ? (number(`reward ${key}`, value) as number) : value;
  }
  return out as Partial<RewardParams>;
}

function targets(text: string | undefined): ProjectionName[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').filter(Boolean);
  const unknown = list.find((t) => !(PROJECTION_NAMES as readonly string[]).includes(t));
  if (unknown !== undefined || list.length === 0)
    throw new UsageError(`--targets: projections from ${PROJECTION_NAMES.join(', ')}, got ${text}`);
  return list as ProjectionName[];
}

function parse(): Args {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string' },
      reward: { type: 'string' },
      steps: { type: 'string' },
      prompts: { type: 'string' },
      group: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      temperature: { type: 'string' },
      lr: { type: 'string' },
      warmup: { type: 'string' },
      clip: { type: 'string' },
      kl: { type: 'string' },
      entropy: { type: 'string' },
      rank: { type: 'string' },
      alpha: { type: 'string' },
      targets: { type: 'string' },
      seed: { type: 'string' },
      objects: { type: 'string', default: 'perceived' },
      'first-sample': { type: 'string' },
      checkpoint: { type: 'string', default: DEFAULT_CHECKPOINT },
      every: { type: 'string' },
      resume: { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      threads: { type: 'string' },
      json: { type: 'boolean', default: false },
      'checkpoint-layers': { type: 'boolean' },
      'export-adapter': { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.resume && values.fresh) throw new UsageError('--resume and --fresh exclude each other');
  const preset = choice<RewardPreset>('preset', values.preset, ['pixelthink', 'seg-zero']);
  return {
    help: values.help,
    path: resolve(values.checkpoint),
    resume: values.resume,
    fresh: values.fresh,
    json: values.json,
    threads: positiveInt('threads', values.threads),
    objects: choice<ObjectSource>('objects', values.objects, ['perceived', 'gt']) ?? 'perceived',
    firstSample: nonNegativeInt('first-sample', values['first-sample']) ?? DEFAULT_FIRST_SAMPLE,
    exportPath: values['export-adapter'] === undefined ? undefined : resolve(values['export-adapter']),
    exportName: values.name,
    settings: {
      seed: nonNegativeInt('seed', values.seed),
      steps: positiveInt('steps', values.steps),
      warmupSteps: nonNegativeInt('warmup', values.warmup),
      checkpointEvery: positiveInt('every', values.every),
      checkpointLayers: values['checkpoint-layers'],
      grpo: {
        promptsPerStep: positiveInt('prompts', values.prompts),
        groupSize: positiveInt('group', values.group),
        maxNewTokens: positiveInt('max-new-tokens', values['max-new-tokens']),
        temperature: number('temperature', values.temperature),
        lr: number('lr', values.lr),
        clip: number('clip', values.clip),
        klCoef: number('kl', values.kl),
        entropyCoef: number('entropy', values.entropy),
      },
      lora: {
        rank: positiveInt('rank', values.rank),
        alpha: number('alpha', values.alpha),
        targets: targets(values.targets),
      },
      reward: { ...rewardPairs(values.reward), ...(preset ? { preset } : {}) },
    },
  };
}

/** The checkpoint file: written atomically, read back when resuming. */
function fileStore(path: string): GrpoCheckpointStore {
  return {
    load: async () => (existsSync(path) ? new Uint8Array(readFileSync(path)) : null),
    save: async (bytes) => writeAtomically(path, bytes),
  };
}

function folderReader(root: string) {
  return async (path: string): Promise<Uint8Array | null> => {
    try {
      return new Uint8Array(await readFile(join(root, POLICY_MODEL_ID, path)));
    } catch {
      return null;
    }
  };
}

/** Dotted names of the settings given on the command line. */
function given(settings: GrpoSettingsInput): string[] {
  return Object.entries(settings).flatMap(([key, value]) => {
    if (value === undefined) return [];
    if (typeof value !== 'object' || Array.isArray(value)) return [key];
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => `${key}.${k}`);
  });
}

const fixed = (value: number | null, digits: number) => (value === null ? '–' : value.toFixed(digits));

function details(m: GrpoStepMetrics): string {
  if (m.guard) return `RESTORED step ${m.guard.restoredToStep} (${m.guard.reason}: ${m.guard.detail})`;
  return (
    `reward ${fixed(m.rewardMean, 3)} acc ${fixed(m.overall.accuracy, 2)} words ${fixed(m.overall.words, 0)} ` +
    `tok ${fixed(m.overall.tokens, 0)} kl ${fixed(m.kl, 4)} clip ${fixed(m.clipFraction, 3)} ` +
    `loss ${m.loss.toFixed(4)} |g| ${m.gradNorm.toFixed(3)} ${m.tokensPerSecond.toFixed(0)} tok/s`
  );
}

/** The app's adapter file of the run as it stands, named after the checkpoint unless --name says otherwise. */
async function exportAdapter(args: Args, trainer: GrpoTrainer, exportPath: string): Promise<void> {
  const name = args.exportName?.trim() || `${basename(args.path, extname(args.path))} · step ${trainer.step}`;
  writeAtomically(exportPath, await trainer.exportAdapter(name));
  process.stderr.write(`adapter "${name}" → ${exportPath}\n`);
}

function emit(args: Args, record: Record<string, unknown>): void {
  const line = JSON.stringify(record);
  appendFileSync(`${args.path}.metrics.jsonl`, `${line}\n`);
  if (args.json) console.log(line);
}

async function train(args: Args): Promise<void> {
  const modelRoot = resolve('public/models');
  configureTransformersForNode(modelRoot);
  const read = folderReader(modelRoot);
  const backend = await WasmBackend.create({ threads: args.threads ?? 'auto' });
  let perceive: Perceive | undefined;
  if (args.objects === 'perceived') {
    const weights = await read(PERCEPTION_FILE);
    if (!weights) throw new Error(`${POLICY_MODEL_ID}: ${PERCEPTION_FILE} is missing`);
    perceive = perceptionFromCheckpoint(backend, weights);
  }
  const noPerception: Perceive = () => Promise.reject(new Error('no perception in --objects gt'));
  const policy = await loadPixelThinkNano(POLICY_MODEL_ID, read, backend, perceive ?? noPerception);
  const task = shapeWorldTask({ policy, objects: args.objects, firstSample: args.firstSample });
  const store = fileStore(args.path);
  if (existsSync(args.path) && !args.resume && !args.fresh)
    throw new UsageError(`${args.path} exists: pass --resume to continue it or --fresh to start over`);
  mkdirSync(dirname(args.path), { recursive: true });
  const options = { model: policy.decoder, task, store, baseModelId: POLICY_MODEL_ID };
  const { trainer, resumed } = args.resume
    ? await GrpoTrainer.resumeOrCreate(options, args.settings)
    : { trainer: await GrpoTrainer.create(options, args.settings), resumed: false };
  const { settings } = trainer;
  if (resumed && trainer.done && args.exportPath) {
    await exportAdapter(args, trainer, args.exportPath);
    trainer.dispose();
    backend.dispose();
    return;
  }
  const ignored = resumed && given(args.settings).filter((k) => k !== 'steps' && k !== 'checkpointEvery');
  if (ignored && ignored.length > 0)
    process.stderr.write(`note: a resumed run keeps its settings; ignoring ${ignored.join(', ')}\n`);
  process.stderr.write(
    `${resumed ? `resuming ${args.path} at step ${trainer.step}` : `new run → ${args.path}`}; ${settings.steps} steps, ` +
      `${settings.grpo.promptsPerStep} prompts × ${settings.grpo.groupSize}, ≤ ${settings.grpo.maxNewTokens} new tokens, ` +
      `preset ${settings.reward.preset}, objects ${args.objects}, lr ${settings.grpo.lr}, ` +
      `LoRA r ${settings.lora.rank} on ${settings.lora.targets.join(',')}, wasm ${backend.threads} thread(s)\n`,
  );
  emit(args, {
    kind: 'run',
    at: new Date().toISOString(),
    resumedAtStep: resumed ? trainer.step : null,
    backend: `wasm (${backend.threads} threads)`,
    ...trainer.runState,
  });

  const stop = abortOnStopSignal(() => new Error('interrupted'));
  const started = performance.now();
  const firstStep = trainer.step;
  let steps = 0;
  try {
    while (!trainer.done && !stop.signal.aborted) {
      let metrics: GrpoStepMetrics;
      try {
        metrics = await trainer.trainStep(stop.signal);
      } catch (error) {
        // An interrupted step changed nothing: the state is the one after the last finished step.
        if (!(error instanceof GenerationCancelledError)) throw error;
        break;
      }
      steps++;
      emit(args, { kind: 'step', ...metrics });
      const average = (performance.now() - started) / steps;
      report(progressLine(trainer.step, settings.steps, details(metrics), metrics.ms, average));
    }
  } finally {
    stop.release();
  }
  const interrupted = stop.signal.aborted;
  await trainer.saveCheckpoint();
  const minutes = (performance.now() - started) / 60_000;
  emit(args, { kind: 'end', step: trainer.step, interrupted, steps: trainer.step - firstStep, minutes });
  process.stderr.write(
    `\n${interrupted ? 'interrupted' : 'done'}: step ${trainer.step}/${settings.steps} in ${minutes.toFixed(1)} min, checkpoint ${args.path}\n`,
  );
  if (args.exportPath) await exportAdapter(args, trainer, args.exportPath);
  trainer.dispose();
  backend.dispose();
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parse();
  } catch (error) {
    if (!(error instanceof UsageError || (error instanceof TypeError && 'code' in error))) throw error;
    console.error(`train:grpo: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    await train(args);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`train:grpo: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main();
