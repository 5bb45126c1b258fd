// `npm run bench -- <suite> [options]`: runs one benchmark suite from scripts/bench/ (each suite is one file).
import type { BenchSuite } from './bench/harness';

/** Suites load lazily so one suite's heavy imports (onnxruntime, the engine) never slow another. */
const SUITES: Record<string, () => Promise<BenchSuite>> = {
  kernels: async () => (await import('./bench/kernels')).kernelsSuite,
  engine: async () => (await import('./bench/engine')).engineSuite,
  sam: async () => (await import('./bench/sam')).samSuite,
  policy: async () => (await import('./bench/policy')).policySuite,
};

async function main(): Promise<void> {
  const [name, ...options] = process.argv.slice(2);
  const load = name ? SUITES[name] : undefined;
  if (!load) {
    console.error(`usage: npm run bench -- <${Object.keys(SUITES).join('|')}> [--quick] [--runs N]`);
    process.exit(1);
  }
  const suite = await load();
  await suite.run(options);
}

await main();
