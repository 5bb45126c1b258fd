// Per-stage timing shared by the Node and browser halves of the sam suite: encode each scene, decode its prompt, per pass.
import type { BenchScene } from './scenes';

/** Milliseconds of one prompt's decode, as the contender measures it, and the candidates' predicted IoUs. */
export interface DecodeTiming {
  /** The model's prompt encoder + mask decoder, outputs on the CPU. */
  decode: number;
  /** SAM's mask post-processing (upsampling to the image, threshold), where the contender has one. */
  postprocess?: number;
  scores: number[];
}

/** One way of running nano-sam: encode an image (resolving once the embeddings exist), decode against the last one. */
export interface SamContender {
  name: string;
  /** Returns the encode time in ms (image preprocessing included). */
  encode(scene: BenchScene): Promise<number>;
  decode(scene: BenchScene): Promise<DecodeTiming>;
}

/** Every timed sample of one contender, and its IoU scores per scene (from the last pass). */
export interface StageSamples {
  encode: number[];
  decode: number[];
  postprocess: number[];
  scores: number[][];
}

export type StageResults = Record<string, StageSamples>;

/** What the browser page hands back. */
export interface SamPageResult {
  adapter: string;
  /** onnxruntime-web's wasm threads in the page. */
  wasmThreads: number;
  results: StageResults;
  /** Contenders that could not load, with the reason. */
  errors: Record<string, string>;
}

const WARMUP = 2;

/**
 * Contenders alternate scene by scene, so background load on the shared machine hits them alike; `WARMUP` untimed
 * encode + decode calls on the first scene come first (session creation, JIT, WebGPU pipeline compilation).
 */
export async function timeStages(
  contenders: SamContender[],
  scenes: BenchScene[],
  passes: number,
): Promise<StageResults> {
  const results: StageResults = Object.fromEntries(
    contenders.map((c) => [c.name, { encode: [], decode: [], postprocess: [], scores: [] }]),
  );
  for (const contender of contenders) {
    for (let i = 0; i < WARMUP; i++) await runScene(contender, scenes[0] as BenchScene);
  }
  for (let pass = 0; pass < passes; pass++) {
    for (const scene of scenes) {
      for (const contender of contenders) {
        const { encode, timing } = await runScene(contender, scene);
        const samples = results[contender.name] as StageSamples;
        samples.encode.push(encode);
        samples.decode.push(timing.decode);
        if (timing.postprocess !== undefined) samples.postprocess.push(timing.postprocess);
        samples.scores[scene.index] = timing.scores;
      }
    }
  }
  return results;
}

async function runScene(
  contender: SamContender,
  scene: BenchScene,
): Promise<{ encode: number; timing: DecodeTiming }> {
  const encode = await contender.encode(scene);
  return { encode, timing: await contender.decode(scene) };
}
