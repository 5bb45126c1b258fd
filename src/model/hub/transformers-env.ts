// Configures transformers.js for this app: local models under /models/, no hub unless a host is configured, our fetch.
import { env } from '@huggingface/transformers';
import { configureOnnxRuntime } from '../ort-env';
import { createModelFetch } from './model-fetch';

export const LOCAL_MODEL_PATH = '/models/';
export const HUGGING_FACE_HOST = 'https://huggingface.co';

export interface TransformersOptions {
  /** Extra origins that may serve model files; the hub tier adds the Hugging Face host here. */
  allowedHosts?: string[];
  /** Threads for onnxruntime-web's wasm backend. */
  threads?: number;
}

/** Call once per realm (page or worker) before loading any model. */
export function configureTransformers(options: TransformersOptions = {}): void {
  const allowedHosts = options.allowedHosts ?? [];
  configureOnnxRuntime({ threads: options.threads });
  env.allowLocalModels = true;
  env.localModelPath = LOCAL_MODEL_PATH;
  env.allowRemoteModels = allowedHosts.includes(HUGGING_FACE_HOST);
  env.remoteHost = `${HUGGING_FACE_HOST}/`;
  env.fetch = createModelFetch({
    localModelPath: LOCAL_MODEL_PATH,
    allowedHosts,
    origin: globalThis.location.origin,
  });
}
