// Where a GRPO run keeps its checkpoint: injected, so the CLI writes a file and the browser worker IndexedDB.

export interface GrpoCheckpointStore {
  /** The latest checkpoint of the run, or null when there is none yet. */
  load(): Promise<Uint8Array | null>;
  /** Replaces the latest checkpoint (written atomically by the implementation: a torn write must not survive). */
  save(bytes: Uint8Array, step: number): Promise<void>;
}

/** Keeps the checkpoint in memory (tests, and runs that should not persist). */
export class MemoryCheckpointStore implements GrpoCheckpointStore {
  bytes: Uint8Array | null = null;
  /** Steps of every save, in order (tests read it). */
  readonly savedSteps: number[] = [];

  load(): Promise<Uint8Array | null> {
    return Promise.resolve(this.bytes);
  }

  save(bytes: Uint8Array, step: number): Promise<void> {
    this.bytes = bytes.slice();
    this.savedSteps.push(step);
    return Promise.resolve();
  }
}
