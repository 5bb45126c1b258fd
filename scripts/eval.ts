// CLI: evaluates a policy + segmenter pair on a ShapeWorld split and prints the per-level table (npm run eval -- --help).
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  CliUsageError,
  EvalError,
  defaultPolicies,
  defaultSegmenters,
  evalUsage,
  evaluate,
  formatProgress,
  formatSummaryTable,
  parseEvalArgs,
  resolveCliRewardParams,
} from '../src/eval/index';
import type {
  EvalCliOptions,
  EvalCommand,
  EvalProgress,
  EvalSummary,
  PolicyRunner,
  RunnerRegistry,
  SegmenterRunner,
} from '../src/eval/index';
import { RlError, resolveRewardParams } from '../src/rl/index';
import type { RewardParams } from '../src/rl/index';
import { readSavedAdapter } from '../src/model/grpo/index';
import type { SavedAdapterKind } from '../src/model/grpo/index';
import { POLICY_MODEL_ID } from '../src/model/pixelthink-nano/folder';
import type { Transformer } from '../src/model/transformer';
import { abortOnStopSignal } from './lib/training-cli';
import { createSamSegmenterRunner } from '../src/eval/sam-segmenter-runner';
import {
  createGroundTruthObjectsRunner,
  createPixelThinkNanoRunner,
} from '../src/eval/pixelthink-nano-runner';
import { WasmBackend } from '../src/webgpu/backends/wasm';
import type { Backend } from '../src/webgpu/backend';
import { NANO_EVAL_MAX_NEW_TOKENS } from '../src/eval/nano-policy';
import { configureTransformersForNode } from '../src/model/hub/transformers-node';
import { NANO_SAM_CONFIG } from '../src/model/nano-sam/config';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

class InterruptedError extends EvalError {}

class FileError extends EvalError {}

class AdapterError extends EvalError {}

/** The policies that run on the engine and so can take a LoRA adapter. */
const ADAPTER_POLICIES = ['pixelthink-nano', 'pixelthink-nano-gt-objects'];

/** How the engine-run policies start: threads, and the adapter file, if any. */
interface NanoLaunch {
  threads: number | 'auto';
  adapterPath: string | null;
}

/** What the adapter file held, once a runner has loaded it. */
interface LoadedAdapter {
  path: string;
  kind: SavedAdapterKind;
  step: number | null;
  rewardParams: RewardParams;
}

interface Registries {
  policies: RunnerRegistry<PolicyRunner>;
  segmenters: RunnerRegistry<SegmenterRunner>;
  /** Set when a policy runner has loaded --adapter. */
  adapter: () => LoadedAdapter | null;
}

/** On a terminal the line is redrawn in place; in a log, about ten lines per run are enough. */
function reportProgress(progress: EvalProgress): void {
  const { done, total } = progress;
  const line = formatProgress(progress);
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}${done === total ? '\n' : ''}`);
  else if (done === total || done % Math.max(1, Math.round(total / 10)) === 0)
    process.stderr.write(`${line}\n`);
}

function describeFailure(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The folder is made before the run, so a bad path fails at once rather than after the whole split. */
function prepareJsonPath(path: string | null): string | null {
  if (path === null) return null;
  const absolute = resolve(path);
  try {
    mkdirSync(dirname(absolute), { recursive: true });
  } catch (error) {
    throw new FileError(`cannot create the folder of ${absolute}: ${describeFailure(error)}`);
  }
  return absolute;
}

function writeJson(path: string, summary: EvalSummary, adapter: LoadedAdapter | null): void {
  const report = {
    generatedAt: new Date().toISOString(),
    adapter: adapter && { path: adapter.path, kind: adapter.kind, step: adapter.step },
    ...summary,
  };
  try {
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    throw new FileError(`cannot write ${path}: ${describeFailure(error)}`);
  }
}

/** Ctrl-C (or SIGTERM) stops the run before the next sample instead of killing it mid-write. */
async function evaluateInterruptibly(options: EvalCliOptions, registries: Registries): Promise<EvalSummary> {
  const policy = await registries.policies.create(options.policy);
  const segmenter = await registries.segmenters.create(options.segmenter);
  const adapter = registries.adapter();
  const rewardParams = adapter
    ? resolveCliRewardParams(options.rewardOverrides, adapter.rewardParams)
    : options.rewardParams;
  const stop = abortOnStopSignal(() => new InterruptedError('interrupted'));
  try {
    return await evaluate(options.split, {
      n: options.n,
      offset: options.offset,
      policy,
      segmenter,
      rewardParams,
      onProgress: reportProgress,
      signal: stop.signal,
    });
  } finally {
    stop.release();
    await policy.dispose?.();
    await segmenter.dispose?.();
  }
}

async function run(options: EvalCliOptions, registries: Registries): Promise<void> {
  const jsonPath = prepareJsonPath(options.json);
  const summary = await evaluateInterruptibly(options, registries);
  console.log(formatSummaryTable(summary));
  if (jsonPath === null) return;
  writeJson(jsonPath, summary, registries.adapter());
  console.log(`\nwrote ${jsonPath}`);
}

async function readAdapterBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(resolve(path)));
  } catch (error) {
    throw new AdapterError(`cannot read --adapter ${path}: ${describeFailure(error)}`);
  }
}

/** The adapter for the loaded decoder, refused with the file's reason (not a stack) when it does not fit. */
function loadAdapter(path: string, bytes: Uint8Array, backend: Backend, decoder: Transformer) {
  let saved;
  try {
    saved = readSavedAdapter(backend, decoder, POLICY_MODEL_ID, bytes);
  } catch (error) {
    throw new AdapterError(`--adapter ${path}: ${describeFailure(error)}`);
  }
  let rewardParams: RewardParams;
  try {
    rewardParams = resolveRewardParams(saved.rewardParams as Partial<RewardParams>);
  } catch (error) {
    saved.adapters.dispose();
    throw new AdapterError(`--adapter ${path}: its recorded reward is invalid (${describeFailure(error)})`);
  }
  const at = saved.step === null ? '' : ` at step ${saved.step}`;
  process.stderr.write(`adapter: ${path} (${saved.kind}${at})\n`);
  return { loaded: { path, kind: saved.kind, step: saved.step, rewardParams }, adapters: saved.adapters };
}

/**
 * pixelthink-nano from public/models, greedy, on the engine's wasm backend, with --adapter when given. `onAdapter`
 * hears what the adapter file held, so the run can take the reward it was trained with.
 */
function withShippedPolicies(
  registry: RunnerRegistry<PolicyRunner>,
  launch: NanoLaunch,
  onAdapter: (adapter: LoadedAdapter) => void,
): RunnerRegistry<PolicyRunner> {
  const options = async () => {
    const modelRoot = resolve('public/models');
    configureTransformersForNode(modelRoot);
    const { adapterPath } = launch;
    const adapterFile =
      adapterPath === null ? null : { path: adapterPath, bytes: await readAdapterBytes(adapterPath) };
    const backend = await WasmBackend.create({ threads: launch.threads });
    return {
      modelRoot,
      backend,
      sampling: { temperature: 0 },
      maxNewTokens: NANO_EVAL_MAX_NEW_TOKENS,
      seed: 0,
      ...(adapterFile
        ? {
            adapter: (decoder: Transformer) => {
              const { loaded, adapters } = loadAdapter(adapterFile.path, adapterFile.bytes, backend, decoder);
              onAdapter(loaded);
              return adapters;
            },
          }
        : {}),
    };
  };
  registry.register({
    id: 'pixelthink-nano',
    description: 'the embedded pixelthink-nano: perception front end + decoder, greedy, engine wasm backend',
    create: async () => createPixelThinkNanoRunner(await options()),
  });
  return registry.register({
    id: 'pixelthink-nano-gt-objects',
    description:
      "pixelthink-nano's decoder reading the true object list (a perfect front end; decoder-only upper bound)",
    create: async () => createGroundTruthObjectsRunner(await options()),
  });
}

/** The models shipped in public/models, run by onnxruntime-node through the app's own SamSegmenter. */
function withShippedSegmenters(registry: RunnerRegistry<SegmenterRunner>): RunnerRegistry<SegmenterRunner> {
  return registry.register({
    id: 'nano-sam',
    description:
      'the embedded nano-sam (public/models/nano-sam) via transformers.js SamModel on onnxruntime-node',
    create: () => {
      configureTransformersForNode(resolve('public/models'));
      return createSamSegmenterRunner({
        modelId: 'nano-sam',
        device: 'cpu',
        renderSize: NANO_SAM_CONFIG.inputSize,
      });
    },
  });
}

function shippedRegistries(launch: NanoLaunch): Registries {
  let adapter: LoadedAdapter | null = null;
  return {
    policies: withShippedPolicies(defaultPolicies(), launch, (loaded) => (adapter = loaded)),
    segmenters: withShippedSegmenters(defaultSegmenters()),
    adapter: () => adapter,
  };
}

/** Returns the exit code: 0 on success, 2 on bad usage, 1 when the run fails, 130 when interrupted. */
async function main(argv: readonly string[]): Promise<number> {
  const known = {
    policies: shippedRegistries({ threads: 'auto', adapterPath: null }).policies.list(),
    segmenters: withShippedSegmenters(defaultSegmenters()).list(),
  };
  let command: EvalCommand;
  try {
    command = parseEvalArgs(argv, known);
    if (
      command.kind === 'run' &&
      command.options.adapter !== null &&
      !ADAPTER_POLICIES.includes(command.options.policy)
    )
      throw new CliUsageError(`--adapter needs an engine-run policy (${ADAPTER_POLICIES.join(', ')})`);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(`eval: ${error.message}\n${evalUsage(known)}`);
    return EXIT_USAGE;
  }
  if (command.kind === 'help') {
    console.log(evalUsage(known));
    return 0;
  }
  const { threads, adapter: adapterPath } = command.options;
  try {
    await run(command.options, shippedRegistries({ threads, adapterPath }));
    return 0;
  } catch (error) {
    if (error instanceof InterruptedError) {
      console.error('\neval: interrupted');
      return EXIT_INTERRUPTED;
    }
    // Errors the harness and the rl core raise on purpose get one clear line; anything else is a bug: full stack.
    if (!(error instanceof EvalError || error instanceof RlError)) throw error;
    console.error(`eval: ${error.message}`);
    return EXIT_FAILURE;
  }
}

process.exitCode = await main(process.argv.slice(2));
