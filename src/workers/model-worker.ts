// The shared body of the model workers: backend choice, job registry and the echo job, behind ModelWorkerApi.
import { BackendOwner } from './backend';
import { WorkerError } from './errors';
import { cancellableDelay, JobRegistry, throwIfCancelled } from './jobs';
import type { EchoRequest, EchoResult, ModelWorkerApi, ProgressCallback, WorkerKind } from './protocol';

const MAX_ECHO_STEPS = 10_000;

function validateEcho(request: EchoRequest): void {
  const { steps, stepMs } = request;
  if (!Number.isInteger(steps) || steps < 1 || steps > MAX_ECHO_STEPS)
    throw new WorkerError('bad-request', `steps must be an integer in 1..${MAX_ECHO_STEPS}, got ${steps}.`);
  if (!Number.isFinite(stepMs) || stepMs < 0)
    throw new WorkerError('bad-request', `stepMs must be a finite number ≥ 0, got ${stepMs}.`);
}

/**
 * `gpu` null forces the wasm path (tests, or a browser without WebGPU). Workers with jobs of their own pass their
 * registry and backend owner, so that cancel() reaches those jobs and their engine uses the chosen device.
 */
export function createModelWorker(
  kind: WorkerKind,
  gpu: GPU | null = globalThis.navigator?.gpu ?? null,
  jobs: JobRegistry = new JobRegistry(),
  backend: BackendOwner = new BackendOwner(kind, gpu),
): ModelWorkerApi {
  return {
    capabilities: (preference) => backend.capabilities(preference),

    echo(jobId: string, request: EchoRequest, onProgress: ProgressCallback): Promise<EchoResult> {
      validateEcho(request);
      return jobs.run(jobId, async (signal) => {
        for (let step = 1; step <= request.steps; step++) {
          await cancellableDelay(request.stepMs, signal, jobId);
          throwIfCancelled(signal, jobId);
          onProgress({ jobId, done: step, total: request.steps, message: `${kind}: step ${step}` });
        }
        return { payload: request.payload, steps: request.steps, worker: kind };
      });
    },

    cancel: (jobId: string) => jobs.cancel(jobId),
  };
}
