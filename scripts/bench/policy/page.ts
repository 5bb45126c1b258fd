// Browser side of the policy suite: the shipped pixelthink-nano, loaded as the policy worker loads it, on the engine's wasm and WebGPU backends.
import { configureTransformers } from '../../../src/model/hub/transformers-env';
import { POLICY_MODEL_ID } from '../../../src/model/pixelthink-nano/folder';
import type { Backend } from '../../../src/webgpu/backend';
import { WasmBackend } from '../../../src/webgpu/backends/wasm';
import { WebGpuBackend } from '../../../src/webgpu/backends/webgpu';
import { loadPolicyModel } from '../../../src/workers/policy-loader';
import { policyScenes, timePolicies, type PolicyContender, type PolicyPageResult } from './workload';

declare global {
  interface Window {
    policyBench?: PolicyPageResult;
  }
}

const ENGINES: Record<string, () => Promise<Backend>> = {
  'engine wasm': () => WasmBackend.create({ threads: 'auto' }),
  'engine webgpu': () => WebGpuBackend.create(),
};

async function adapterName(): Promise<string> {
  const info = (await navigator.gpu?.requestAdapter())?.info;
  return info ? `${info.vendor} ${info.architecture} ${info.description}`.trim() : 'none';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<PolicyPageResult> {
  const query = new URLSearchParams(location.search);
  const scenes = policyScenes(Number(query.get('scenes')));
  configureTransformers();
  const errors: Record<string, string> = {};
  const contenders: PolicyContender[] = [];
  for (const [name, engine] of Object.entries(ENGINES)) {
    try {
      contenders.push({ name, policy: await loadPolicyModel(POLICY_MODEL_ID, engine, () => {}, name) });
    } catch (error) {
      errors[name] = message(error);
    }
  }
  const results = await timePolicies(contenders, scenes, Number(query.get('passes')));
  return { adapter: await adapterName(), results, errors };
}

main()
  .then((result) => (window.policyBench = result))
  .catch(
    (error: unknown) =>
      (window.policyBench = { adapter: 'none', results: {}, errors: { page: message(error) } }),
  );
