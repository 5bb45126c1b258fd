// The app's one IndexedDB database: a versioned schema (images, samples, results, runs, adapters, settings) on idb.
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Rle } from './rle';

export const DB_NAME = 'pixelthink-playground';

export type Box = [number, number, number, number];
export type Point = [number, number];

/** An image the user opened, keyed by the SHA-256 of its bytes so the same file is stored once. */
export interface StoredImage {
  id: string;
  blob: Blob;
  name: string;
  type: string;
  width: number;
  height: number;
  bytes: number;
  addedAt: number;
}

export type DifficultySource = 'shapeworld' | 'user' | 'estimated';

/** A labelled sample: ground truth in the 840 frame, difficulty and where it came from. */
export interface StoredSample {
  id: string;
  imageId: string;
  query: string;
  gt: { bbox: Box; points: [Point, Point]; mask?: Blob };
  difficulty: number | null;
  difficultySource: DifficultySource | null;
  /** Reference reasoning chains, when the sample comes with them (ShapeWorld: a long and a short one). */
  references?: { long: string; short: string };
  createdAt: number;
}

/** Ground truth kept with a result, in the model frame (as StoredSample.gt), with the target mask as COCO RLE. */
export interface ResultGroundTruth {
  bbox: Box;
  points: [Point, Point];
  mask?: Rle;
}

/**
 * One query run: the raw response and what was measured; rewards are recomputed from it, never stored.
 * Fields marked optional came after the first results were written: older records lack them.
 */
export interface StoredResult {
  id?: number;
  imageId: string;
  sampleId: string | null;
  query: string;
  /** The policy that answered. */
  modelId: string;
  /** The segmenter that drew the mask, if one ran. */
  segmenterId?: string | null;
  /** The whole response: `<think>…</think><answer>…</answer>` as generated, possibly malformed. */
  response: string;
  /** Whitespace words of the whole response (the reward's default length). */
  words: number;
  /** Tokenizer tokens inside <think> (the reward's 'reasoning-tokens' length). */
  tokens: number;
  /** Margin uncertainty u of the response, 0..1 (method.md §4). */
  uncertainty: number | null;
  /** Mean entropy of the generated positions, in nats; shown as such, never used by the reward. */
  entropy?: number | null;
  difficulty: number | null;
  difficultySource?: DifficultySource | null;
  /** Inline ground truth; without it, the sample's (sampleId) when there is one. */
  groundTruth?: ResultGroundTruth | null;
  /** Mask IoU against the ground-truth mask, when both exist. */
  iou?: number | null;
  timingsMs: Record<string, number>;
  createdAt: number;
}

export type RunStatus = 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

/** A reward change during a run: it applies from `step` on (the next step after it was made). */
export interface RewardChange {
  step: number;
  params: Record<string, unknown>;
  at: number;
}

/**
 * A GRPO run (config + metric series) or a stored comparison. Fields marked optional came with the browser trainer
 * (schema v3); a v1/v2 record lacks them.
 */
export interface StoredRun {
  id: string;
  name: string;
  config: Record<string, unknown>;
  /** One record per step (GrpoStepMetrics as plain JSON), in order. */
  metrics: Record<string, unknown>[];
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  /** 'grpo' for a training run, 'comparison' for an A/B comparison of an adapter without a run of its own. */
  kind?: 'grpo' | 'comparison';
  /** The optimizer step of the checkpoint in the 'checkpoints' store (0: none yet). */
  checkpointStep?: number;
  /** Reward changes made while it ran, in order. */
  rewardChanges?: RewardChange[];
  /** The adapter saved from this run, once there is one. */
  adapterId?: string | null;
  /** The A/B comparisons made of this run's adapter, newest last. */
  comparisons?: Record<string, unknown>[];
  /** Why it stopped, when it failed or the guard said something the UI should keep showing. */
  message?: string | null;
}

/** A run's latest checkpoint (LoRA + AdamW + step, the trainer's safetensors bytes), one per run. */
export interface StoredCheckpoint {
  runId: string;
  step: number;
  bytes: ArrayBuffer;
  savedAt: number;
}

/**
 * A LoRA adapter: the safetensors file as exported (PEFT tensor names, __metadata__ naming the base model and the
 * settings). Nothing wrote adapters before schema v3, so the v1 type (separate tensors) never held data.
 */
export interface StoredAdapter {
  id: string;
  name: string;
  baseModelId: string;
  /** The safetensors bytes of `saveLora` with the extra metadata of docs/grpo.md. */
  bytes: ArrayBuffer;
  rank: number;
  alpha: number;
  targets: string[];
  /** The run's GRPO settings (or what the imported file says). */
  settings: Record<string, unknown>;
  rewardParams: Record<string, unknown>;
  /** The training run it came from; null when imported. */
  runId: string | null;
  /** Optimizer step the adapter was taken at, when known. */
  step: number | null;
  source: 'trained' | 'imported';
  createdAt: number;
}

export interface PlaygroundSchema extends DBSchema {
  images: { key: string; value: StoredImage; indexes: { 'by-added': number } };
  samples: { key: string; value: StoredSample; indexes: { 'by-image': string } };
  results: { key: number; value: StoredResult; indexes: { 'by-image': string; 'by-created': number } };
  runs: { key: string; value: StoredRun; indexes: { 'by-status': string } };
  checkpoints: { key: string; value: StoredCheckpoint };
  adapters: { key: string; value: StoredAdapter; indexes: { 'by-created': number } };
  settings: { key: string; value: unknown };
}

type UpgradeTx = IDBPTransaction<PlaygroundSchema, StoreNames<PlaygroundSchema>[], 'versionchange'>;
type Migration = (db: IDBPDatabase<PlaygroundSchema>, tx: UpgradeTx) => void;

/**
 * Migration i takes the database from version i to i + 1. Never edit one that has shipped: append a new one,
 * so that a browser holding any older version upgrades step by step and keeps its data.
 */
const MIGRATIONS: Migration[] = [
  // v1: the stores.
  (db) => {
    db.createObjectStore('images', { keyPath: 'id' });
    db.createObjectStore('samples', { keyPath: 'id' });
    db.createObjectStore('results', { keyPath: 'id', autoIncrement: true });
    db.createObjectStore('runs', { keyPath: 'id' });
    db.createObjectStore('adapters', { keyPath: 'id' });
    db.createObjectStore('settings');
  },
  // v2: look-ups by image (the stage lists an image's samples and results) and the newest images first.
  (_db, tx) => {
    tx.objectStore('images').createIndex('by-added', 'addedAt');
    tx.objectStore('samples').createIndex('by-image', 'imageId');
    tx.objectStore('results').createIndex('by-image', 'imageId');
    tx.objectStore('results').createIndex('by-created', 'createdAt');
  },
  // v3: the browser trainer: one checkpoint per run (written with the run in one transaction), unfinished runs found
  // by status, adapters listed by age.
  (db, tx) => {
    db.createObjectStore('checkpoints', { keyPath: 'runId' });
    tx.objectStore('runs').createIndex('by-status', 'status');
    tx.objectStore('adapters').createIndex('by-created', 'createdAt');
  },
];

export const DB_VERSION = MIGRATIONS.length;

export type PlaygroundDb = IDBPDatabase<PlaygroundSchema>;

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: 'quota-exceeded' | 'blocked' | 'unavailable' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

/** Opens (creating or upgrading) the database; `version` below the latest is for upgrade tests only. */
export async function openPlaygroundDb(
  options: { name?: string; version?: number } = {},
): Promise<PlaygroundDb> {
  const version = options.version ?? DB_VERSION;
  if (!Number.isInteger(version) || version < 1 || version > DB_VERSION)
    throw new RangeError(`version must be 1..${DB_VERSION}`);
  if (typeof indexedDB === 'undefined')
    throw new StorageError('unavailable', 'This browser offers no IndexedDB (private mode may disable it).');
  try {
    const db = await openDB<PlaygroundSchema>(options.name ?? DB_NAME, version, {
      upgrade(db, oldVersion, _newVersion, tx) {
        for (let v = oldVersion; v < version; v++) MIGRATIONS[v]?.(db, tx);
      },
      // A newer tab wants to upgrade: step aside rather than block it; this tab reopens on its next reload.
      blocking() {
        db.close();
      },
    });
    return db;
  } catch (err) {
    throw toStorageError(err);
  }
}

/** Maps the DOMExceptions IndexedDB throws to StorageError so the UI can say what happened. */
export function toStorageError(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  if (err instanceof DOMException && err.name === 'QuotaExceededError')
    return new StorageError(
      'quota-exceeded',
      'The browser storage quota is full: delete old images or runs.',
    );
  return new StorageError('failed', `Storage failed: ${err instanceof Error ? err.message : String(err)}`);
}

export const SETTING_CURRENT_IMAGE = 'stage.currentImageId';
export const SETTING_CURRENT_SAMPLE = 'stage.currentSampleId';

/** Runs a write and turns a full quota or any other IndexedDB failure into a StorageError. */
async function write(work: Promise<unknown>): Promise<void> {
  try {
    await work;
  } catch (err) {
    throw toStorageError(err);
  }
}

export function putImage(db: PlaygroundDb, image: StoredImage): Promise<void> {
  return write(db.put('images', image));
}

export function putSample(db: PlaygroundDb, sample: StoredSample): Promise<void> {
  return write(db.put('samples', sample));
}

export function putSetting(db: PlaygroundDb, key: string, value: unknown): Promise<void> {
  return write(db.put('settings', value, key));
}

export async function getSetting<T>(db: PlaygroundDb, key: string): Promise<T | undefined> {
  return (await db.get('settings', key)) as T | undefined;
}
