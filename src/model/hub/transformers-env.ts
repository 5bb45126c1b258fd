// Configures transformers.js for this app: local models under /models/, no hub unless a host is configured, our fetch.
import { env } from '@huggingface/transformers';
import { configureOnnxRuntime, ort } from '../ort-env';
import { createHubFileCache } from './cache';
import { createModelFetch } from './model-fetch';
import { installOrtGuard, type SessionClass } from './ort-guard';

export const LOCAL_MODEL_PATH = '/models/';
export const HUGGING_FACE_HOST = 'https://huggingface.co';

export interface TransformersOptions {
  /** Extra origins that may serve model files; the hub tier adds the Hugging Face host here. */
  allowedHosts?: string[];
  /** Threads for onnxruntime-web's wasm backend. */
  threads?: number;
  /** Where requests to allowed hosts go (default the network; tests pass a fake hub). */
  network?: typeof fetch;
  /** The hub's address (default Hugging Face); a mirror must be among allowedHosts. */
  remoteHost?: string;
}

let loadSignal: AbortSignal | null = null;

/**
 * Runs `body` with model downloads tied to `signal`: when it fires, every request transformers.js makes (and the
 * downloads in flight) fail with an AbortError. One load at a time per realm, as the workers run them.
 */
export async function withLoadSignal<T>(signal: AbortSignal, body: () => Promise<T>): Promise<T> {
  const previous = loadSignal;
  loadSignal = signal;
  try {
    return await body();
  } finally {
    loadSignal = previous;
  }
}

/** Call once per realm (page or worker) before loading any model; call again to change the hosts. */
export function configureTransformers(options: TransformersOptions = {}): void {
  const allowedHosts = options.allowedHosts ?? [];
  const remoteHost = options.remoteHost ?? HUGGING_FACE_HOST;
  configureOnnxRuntime({ threads: options.threads });
  installOrtGuard(ort.InferenceSession as unknown as SessionClass);
  env.allowLocalModels = true;
  env.localModelPath = LOCAL_MODEL_PATH;
  env.allowRemoteModels = allowedHosts.includes(new URL(remoteHost).origin);
  env.remoteHost = `${remoteHost.replace(/\/$/, '')}/`;
  env.fetch = createModelFetch(
    {
      localModelPath: LOCAL_MODEL_PATH,
      allowedHosts,
      origin: globalThis.location.origin,
      signal: () => loadSignal,
    },
    options.network,
  );
  // Downloaded hub files stay in the browser cache (remote files only: see cache.ts); offline loads read them too.
  if (typeof caches !== 'undefined') {
    env.useBrowserCache = false;
    env.useCustomCache = true;
    env.customCache = createHubFileCache(globalThis.location.origin);
  }
}
