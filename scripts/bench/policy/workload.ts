// The policy suite's workload and timing, shared by its Node and browser halves: pixelthink-nano runs on test scenes.
import { renderScene, sample, sampleQuery, type RenderedScene } from '../../../src/data/shapeworld/index';
import { NANO_EVAL_MAX_NEW_TOKENS, NANO_RENDER_SIZE } from '../../../src/eval/nano-policy';
import type { PixelThinkNano } from '../../../src/model/pixelthink-nano/policy';

export interface PolicyScene {
  index: number;
  image: RenderedScene;
  query: string;
}

export function policyScenes(count: number): PolicyScene[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    image: renderScene(sample('test', index), NANO_RENDER_SIZE),
    query: sampleQuery('test', index).query,
  }));
}

/** Every timed run of one contender: stage milliseconds and generated tokens, one entry per (pass, scene). */
export interface PolicySamples {
  perceive: number[];
  prefill: number[];
  decode: number[];
  tokens: number[];
  /** The response per scene (last pass): every contender must write the same greedy chain. */
  responses: string[];
}

export type PolicyResults = Record<string, PolicySamples>;

export interface PolicyContender {
  name: string;
  policy: PixelThinkNano;
}

/** What the browser page hands back. */
export interface PolicyPageResult {
  adapter: string;
  results: PolicyResults;
  /** Contenders that could not load, with the reason. */
  errors: Record<string, string>;
}

/**
 * Contenders alternate scene by scene, so background load hits them alike; one untimed run of the first scene per
 * contender comes first (JIT, kernel compilation, WebGPU pipelines).
 */
export async function timePolicies(
  contenders: PolicyContender[],
  scenes: PolicyScene[],
  passes: number,
): Promise<PolicyResults> {
  const results: PolicyResults = Object.fromEntries(
    contenders.map((c) => [c.name, { perceive: [], prefill: [], decode: [], tokens: [], responses: [] }]),
  );
  for (const { policy } of contenders) await runScene(policy, scenes[0] as PolicyScene);
  for (let pass = 0; pass < passes; pass++) {
    for (const scene of scenes) {
      for (const { name, policy } of contenders) {
        const run = await runScene(policy, scene);
        const samples = results[name] as PolicySamples;
        samples.perceive.push(run.timingsMs.perceive);
        samples.prefill.push(run.timingsMs.prefill);
        samples.decode.push(run.timingsMs.decode);
        samples.tokens.push(run.sequence.tokens.length);
        samples.responses[scene.index] = run.response;
      }
    }
  }
  return results;
}

function runScene(policy: PixelThinkNano, scene: PolicyScene) {
  return policy.run(scene.image, scene.query, {
    maxNewTokens: NANO_EVAL_MAX_NEW_TOKENS,
    sampling: { temperature: 0 },
    seed: 0,
  });
}
