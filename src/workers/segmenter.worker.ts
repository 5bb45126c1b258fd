// The segmenter worker: owns its GPU device and (from the model issues on) the promptable segmenter; comlink facade only.
import * as Comlink from 'comlink';
import { installErrorTransfer } from './errors';
import { createModelWorker } from './model-worker';

installErrorTransfer();
Comlink.expose(createModelWorker('segmenter'));
