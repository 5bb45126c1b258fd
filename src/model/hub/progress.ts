// Load progress per file and in total, from transformers.js' progress events and the plan's known sizes.
import type { FileOrigin, LoadPlan } from './plan';

export interface FileProgress {
  path: string;
  loaded: number;
  total: number;
  done: boolean;
  from: FileOrigin;
}

export type LoadPhase = 'planned' | 'downloading' | 'initialising' | 'ready';

export interface LoadProgress {
  modelId: string;
  phase: LoadPhase;
  files: FileProgress[];
  /** Bytes read so far and in all, over every planned file. */
  loaded: number;
  total: number;
  message: string;
}

/** The fields of transformers.js' progress events this tracker reads (initiate, download, progress, done, …). */
interface ProgressInfo {
  status?: string;
  file?: string;
  loaded?: number;
  total?: number;
}

/**
 * Turns transformers.js' per-file events into one snapshot: every planned file with its size known before the
 * download, so the total bar is right from the first byte. Snapshots are emitted at most every `intervalMs`, except
 * that a file finishing and a phase change are always emitted.
 */
export class LoadProgressTracker {
  private readonly files = new Map<string, FileProgress>();
  private phase: LoadPhase = 'planned';
  private lastEmit = -Infinity;

  constructor(
    private readonly plan: Pick<LoadPlan, 'modelId' | 'files'>,
    private readonly emit: (progress: LoadProgress) => void,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const f of plan.files)
      this.files.set(f.path, { path: f.path, loaded: 0, total: f.bytes, done: false, from: f.from });
  }

  snapshot(message?: string): LoadProgress {
    const files = [...this.files.values()].map((f) => ({ ...f }));
    const loaded = files.reduce((sum, f) => sum + (f.done ? f.total : Math.min(f.loaded, f.total)), 0);
    const total = files.reduce((sum, f) => sum + f.total, 0);
    return {
      modelId: this.plan.modelId,
      phase: this.phase,
      files,
      loaded,
      total,
      message: message ?? this.describe(files),
    };
  }

  private describe(files: FileProgress[]): string {
    const done = files.filter((f) => f.done).length;
    if (this.phase === 'initialising') return `starting onnxruntime sessions for ${this.plan.modelId}`;
    if (this.phase === 'ready') return `loaded ${this.plan.modelId}`;
    return `${this.plan.modelId}: ${done}/${files.length} files`;
  }

  private push(force: boolean): void {
    const now = this.now();
    if (!force && now - this.lastEmit < this.intervalMs) return;
    this.lastEmit = now;
    this.emit(this.snapshot());
  }

  setPhase(phase: LoadPhase): void {
    this.phase = phase;
    this.push(true);
  }

  /** Feed every transformers.js progress event here. */
  handle(event: unknown): void {
    const info = (event ?? {}) as ProgressInfo;
    if (!info.file || !info.status) return;
    const file =
      this.files.get(info.file) ??
      // A file the plan did not list (an optional config): track it from its first event.
      this.files
        .set(info.file, { path: info.file, loaded: 0, total: 0, done: false, from: 'hub' })
        .get(info.file)!;
    if (this.phase === 'planned') this.phase = 'downloading';
    if (info.status === 'progress') {
      if (typeof info.total === 'number' && info.total > 0) file.total = Math.max(file.total, info.total);
      if (typeof info.loaded === 'number') file.loaded = Math.max(file.loaded, info.loaded);
      this.push(false);
    } else if (info.status === 'done') {
      file.done = true;
      file.loaded = file.total = Math.max(file.total, file.loaded);
      if ([...this.files.values()].every((f) => f.done)) this.phase = 'initialising';
      this.push(true);
    }
  }
}
