// Configures transformers.js in Node (CLIs, unit tests): models from a local folder only, read from disk, no hub.
import { env } from '@huggingface/transformers';

/** `modelRoot`: absolute folder holding `<model id>/` folders (the app's public/models). */
export function configureTransformersForNode(modelRoot: string): void {
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  env.localModelPath = modelRoot.endsWith('/') ? modelRoot : `${modelRoot}/`;
}
