// Measures how much of a second core this process actually gets right now: a pure-JS busy loop on 1 vs 2 workers.
import { Worker } from 'node:worker_threads';

const BUSY_LOOP = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (iterations) => {
  let x = 0;
  for (let i = 0; i < iterations; i++) x += Math.sqrt(i);
  parentPort.postMessage(x);
});`;

function runOn(worker: Worker, iterations: number): Promise<unknown> {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(iterations);
  });
}

/**
 * Two-worker throughput over one-worker throughput for the same busy loop (2.0 = two free cores). Other processes
 * on a shared machine pull it down, and any 2-thread result measured alongside should be read against it.
 */
export async function measureParallelEfficiency(iterations = 5e7): Promise<number> {
  const workers = [new Worker(BUSY_LOOP, { eval: true }), new Worker(BUSY_LOOP, { eval: true })];
  try {
    await Promise.all(workers.map((worker) => runOn(worker, 1e5)));
    let started = performance.now();
    await runOn(workers[0] as Worker, iterations);
    const one = performance.now() - started;
    started = performance.now();
    await Promise.all(workers.map((worker) => runOn(worker, iterations)));
    const two = performance.now() - started;
    return (2 * one) / two;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
