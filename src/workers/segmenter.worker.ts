// The segmenter worker: owns its GPU device and the promptable segmenter; comlink facade only.
import * as Comlink from 'comlink';
import { callbacksFirst } from './callbacks-first';
import { installErrorTransfer } from './errors';
import { createSegmenterWorker } from './segmenter-service';

installErrorTransfer();
Comlink.expose(callbacksFirst(createSegmenterWorker()));
