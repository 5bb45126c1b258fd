// The trainer worker: owns its compute backend, a copy of the policy, and the GRPO runs; comlink facade only.
import * as Comlink from 'comlink';
import { callbacksFirst } from './callbacks-first';
import { installErrorTransfer } from './errors';
import { createTrainerWorker } from './trainer-service';

installErrorTransfer();
Comlink.expose(callbacksFirst(createTrainerWorker()));
