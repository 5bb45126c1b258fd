// onnxruntime peers: onnxruntime-web's wasm backend running in Node (one thread) and onnxruntime-node's native CPU EP.
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';

export type OrtFlavour = 'web' | 'node';

/** A session that runs one fixed input: what the benchmark times is run(). */
export interface OrtRunner {
  run(): Promise<void>;
  output(): Promise<Float32Array>;
}

let webConfigured = false;

/**
 * Under Node, `onnxruntime-web` resolves to dist/ort.node.min.mjs, the wasm backend with a Node loader; pointing
 * wasmPaths at dist/ makes it load ort-wasm-simd-threaded.wasm from disk. One thread, like our single-thread column.
 */
function configureWeb(): void {
  if (webConfigured) return;
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.wasmPaths = new URL('../../../node_modules/onnxruntime-web/dist/', import.meta.url).href;
  webConfigured = true;
}

export async function createOrtRunner(
  flavour: OrtFlavour,
  model: Uint8Array,
  input: { data: Float32Array; dims: number[] },
  threads = 1,
): Promise<OrtRunner> {
  if (flavour === 'web') configureWeb();
  const ort = (flavour === 'web' ? ortWeb : ortNode) as typeof ortWeb;
  const options: ortWeb.InferenceSession.SessionOptions =
    flavour === 'web'
      ? { executionProviders: ['wasm'] }
      : {
          executionProviders: ['cpu'],
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          // ORT's pool threads spin after each run by default; in an interleaved benchmark that steals the core
          // the next contender (ours) needs. Our workers sleep after ~20 µs, so this keeps the comparison fair.
          extra: { session: { intra_op: { allow_spinning: '0' } } },
        };
  const session = await ort.InferenceSession.create(model, options);
  const feeds = { a: new ort.Tensor('float32', input.data, input.dims) };
  const outputName = session.outputNames[0] ?? 'y';
  return {
    run: async () => {
      await session.run(feeds);
    },
    output: async () => {
      const result = await session.run(feeds);
      return result[outputName]?.data as Float32Array;
    },
  };
}
