// Measures the WebGPU matmul at 256³ on this adapter against the reference backend in the same browser (logged).
import { expect, it } from 'vitest';
import type { Backend, MatmulSpec } from '../backend';
import { acquireDevice } from '../device';
import { Random } from '../random';
import { ReferenceBackend } from './reference';
import { WebGpuBackend } from './webgpu';

const N = 256;
const SPEC: MatmulSpec = {
  batch: [],
  batchA: [],
  batchB: [],
  m: N,
  k: N,
  n: N,
  transA: false,
  transB: false,
};

/** Median GFLOP/s of `runs` matmuls, each timed from enqueue to the read resolving. */
async function gflops(backend: Backend, runs: number): Promise<number> {
  const rng = new Random(1);
  const a = backend.upload(rng.normals(N * N), 'f32');
  const b = backend.upload(rng.normals(N * N), 'f32');
  backend.free(backend.matmul(a, b, SPEC)); // warm-up: pipeline compile
  await backend.read(a);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const c = backend.matmul(a, b, SPEC);
    await backend.read(c);
    times.push(performance.now() - start);
    backend.free(c);
  }
  const median = [...times].sort((x, y) => x - y)[Math.floor(runs / 2)] as number;
  return (2 * N ** 3) / (median / 1000) / 1e9;
}

it('matmul 256³ throughput (WebGPU kernel layouts vs reference)', async () => {
  const { device } = await acquireDevice();
  const report: string[] = [];
  for (const matmulLayout of ['blocked', 'tiled'] as const) {
    const gpu = await WebGpuBackend.create(device, { matmulLayout });
    report.push(`${matmulLayout} ${(await gflops(gpu, 3)).toFixed(2)}`);
    gpu.dispose();
  }
  const auto = await WebGpuBackend.create(device);
  const onGpu = await gflops(auto, 3);
  const onReference = await gflops(new ReferenceBackend(), 3);
  console.info(
    `matmul 256³ GFLOP/s: webgpu ${onGpu.toFixed(2)} (${report.join(', ')}), reference ${onReference.toFixed(2)}`,
  );
  expect(onGpu).toBeGreaterThan(0);
  auto.dispose();
  device.destroy();
});
