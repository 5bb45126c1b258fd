// App state for the model workers: their handles and the backend each one chose, as Svelte 5 runes.
import {
  startPolicyWorker,
  startSegmenterWorker,
  startTrainerWorker,
  type WorkerHandle,
} from '../../workers/client';
import { backendPreference } from './backend-preference';
import type {
  BackendReport,
  ModelWorkerApi,
  PolicyWorkerApi,
  SegmenterWorkerApi,
  TrainerWorkerApi,
  WorkerKind,
} from '../../workers/protocol';

export type ReportState =
  { status: 'starting' } | { status: 'ready'; report: BackendReport } | { status: 'failed'; message: string };

class WorkersState {
  policy: WorkerHandle<PolicyWorkerApi> | null = null;
  segmenter: WorkerHandle<SegmenterWorkerApi> | null = null;
  trainer: WorkerHandle<TrainerWorkerApi> | null = null;
  reports = $state<Record<WorkerKind, ReportState>>({
    policy: { status: 'starting' },
    segmenter: { status: 'starting' },
    trainer: { status: 'starting' },
  });

  /** Starts the workers and asks each which backend it runs on; idempotent. */
  start(): void {
    if (this.policy) return;
    this.policy = startPolicyWorker();
    this.segmenter = startSegmenterWorker();
    this.trainer = startTrainerWorker();
    void this.probe('policy', this.policy);
    void this.probe('segmenter', this.segmenter);
    void this.probe('trainer', this.trainer);
  }

  private async probe(kind: WorkerKind, handle: WorkerHandle<ModelWorkerApi>): Promise<void> {
    try {
      const preference = backendPreference(globalThis.location?.search ?? '');
      const report = await Promise.race([handle.api.capabilities(preference), handle.crashed]);
      this.reports[kind] = { status: 'ready', report };
    } catch (err) {
      this.reports[kind] = { status: 'failed', message: err instanceof Error ? err.message : String(err) };
    }
  }
}

export const workers = new WorkersState();
