// The policy worker: owns its compute backend and the reasoning policy (pixelthink-nano); comlink facade only.
import * as Comlink from 'comlink';
import { callbacksFirst } from './callbacks-first';
import { installErrorTransfer } from './errors';
import { createPolicyWorker } from './policy-service';

installErrorTransfer();
Comlink.expose(callbacksFirst(createPolicyWorker()));
