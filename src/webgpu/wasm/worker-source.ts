// The kernel worker's code as a plain-JS string: it runs as-is in a Node worker_thread (eval) and a browser Blob worker.
// It is a string, not a module, so no bundler or TS loader has to handle a worker entry in both environments.

/**
 * Protocol: the host posts { module, memory, control, thread, kernels, spinIterations } once; the worker instantiates
 * the module on the shared memory, replies 'ready', then sleeps on the control block (`control`, a SharedArrayBuffer
 * of Int32 words apart from the wasm memory, see thread-pool.ts for the layout). Per job it claims chunks with Atomics.add until none are left, calling
 * kernels[kernel](...chunkArgs, its own scratch pointer), then decrements the running count.
 */
export const KERNEL_WORKER_SOURCE = String.raw`
'use strict';
const isNode = typeof process !== 'undefined' && process.versions != null && process.versions.node != null;
const port = isNode ? require('node:worker_threads').parentPort : self;
const listen = (handler) =>
  isNode ? port.once('message', handler) : port.addEventListener('message', (event) => handler(event.data), { once: true });

const GENERATION = 0, RUNNING = 1, STOP = 2, NEXT_CHUNK = 3, CHUNKS = 4, KERNEL = 5, ARGC = 6, TABLE = 7,
  SCRATCH = 8, SCRATCH_STRIDE = 9, FAILED = 10, DONE = 11, CONTROL_WORDS = 12;

listen((init) => {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const kernels = init.kernels.map((name) => instance.exports[name]);
  const control = new Int32Array(init.control, 0, CONTROL_WORDS);
  // Read the generation before saying ready: the host may start a job the moment 'ready' arrives, and a worker
  // that read the generation after that bump would sleep through its first job (and the host would wait forever).
  let seen = Atomics.load(control, GENERATION);
  port.postMessage('ready');
  for (;;) {
    // A short spin catches back-to-back jobs without a futex round trip; then sleep until the generation moves.
    for (let spin = 0; spin < init.spinIterations && Atomics.load(control, GENERATION) === seen; spin++);
    // Loop, not a single wait: a wake-up with the generation unchanged (seen under load) would otherwise re-run the
    // last job while the host publishes the next one, decrement RUNNING twice and leave the host waiting forever.
    while (Atomics.load(control, GENERATION) === seen) Atomics.wait(control, GENERATION, seen);
    seen = Atomics.load(control, GENERATION);
    if (Atomics.load(control, STOP) !== 0) return;
    // A trapping kernel must still check in: the host is blocked until RUNNING reaches 0, and it reports FAILED.
    try {
      runChunks(control, kernels, init);
    } catch (error) {
      Atomics.store(control, FAILED, init.thread);
      console.error('wasm kernel worker ' + init.thread + ': ' + (error && error.message ? error.message : error));
    }
    if (Atomics.sub(control, RUNNING, 1) === 1) Atomics.notify(control, RUNNING);
  }
});

function runChunks(control, kernels, init) {
  const kernel = kernels[control[KERNEL]];
  const argc = control[ARGC];
  const chunks = control[CHUNKS];
  // The memory may have grown since the last job: take a fresh view of the current buffer.
  const table = new Float64Array(init.memory.buffer, control[TABLE], chunks * argc);
  const scratch = control[SCRATCH] + init.thread * control[SCRATCH_STRIDE];
  for (;;) {
    const chunk = Atomics.add(control, NEXT_CHUNK, 1);
    if (chunk >= chunks) return;
    kernel(...table.subarray(chunk * argc, (chunk + 1) * argc), scratch);
    Atomics.add(control, DONE, 1);
  }
}
`;
