// App state for labelling the stage image: the draft box and two points (840 frame), query, difficulty, and saving it as a sample.
import {
  boxToFrame,
  estimateDifficulty,
  LabelError,
  labelFromMask,
  toFrame,
  validateLabel,
  type DifficultyEstimate,
} from '../../data/dataset';
import { encodeMaskPng } from '../../data/png';
import {
  putSample,
  StorageError,
  type Box,
  type DifficultySource,
  type Point,
  type StoredSample,
} from '../../data/store';
import { DEFAULT_DIFFICULTY } from '../../rl';
import type { Corners } from '../components/stage-pointer';
import { database } from './database';
import { dataset } from './dataset.svelte';
import { results } from './results.svelte';
import { segmenter } from './segmenter.svelte';
import { stage } from './stage.svelte';

/** What a pointer on the stage does: segment (none), draw the label's box, or click its two points. */
export type LabelMode = 'none' | 'box' | 'points';

class LabelsState {
  mode = $state<LabelMode>('none');
  /** The image the draft belongs to. */
  imageId = $state<string | null>(null);
  /** Box and points in the 840 frame. */
  bbox = $state<Box | null>(null);
  points = $state<Point[]>([]);
  query = $state('');
  difficulty = $state(DEFAULT_DIFFICULTY);
  /** Off: the sample has no difficulty, and the reward counts it as 3.0. */
  hasDifficulty = $state(true);
  difficultySource = $state<DifficultySource>('user');
  /** The sample being edited, or null for a new one. */
  editing = $state<StoredSample | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  saving = $state(false);
  /** The ground-truth mask to save with the label: the one it was taken from, or the edited sample's. */
  private mask: Blob | null = null;

  /** A ShapeWorld sample's score, or 1 + 9u from the newest policy result on this image. */
  readonly estimate: DifficultyEstimate | null = $derived(
    estimateDifficulty({
      shapeworld: stage.sample?.difficultySource === 'shapeworld' ? stage.sample.difficulty : null,
      uncertainty:
        results.records.find((r) => r.imageId === stage.image?.id && r.uncertainty !== null)?.uncertainty ??
        null,
    }),
  );

  /** True when the stage shows a mask of this image to take the label from. */
  readonly maskAvailable = $derived(
    segmenter.result !== null &&
      stage.image !== null &&
      segmenter.result.width === stage.image.width &&
      segmenter.result.height === stage.image.height,
  );

  toggleMode(mode: Exclude<LabelMode, 'none'>): void {
    this.mode = this.mode === mode ? 'none' : mode;
    this.error = null;
  }

  /** A box dragged on the stage, in image pixels. */
  setBox(corners: Corners): void {
    const image = this.own();
    if (!image) return;
    this.bbox = boxToFrame(corners, image);
    // A new box is a new outline: a mask taken earlier no longer describes it.
    this.mask = null;
    this.error = null;
  }

  /** A click on the stage, in image pixels; a third click starts the pair again. */
  addPoint(point: [number, number]): void {
    const image = this.own();
    if (!image) return;
    const framed = toFrame(point, image);
    this.points = this.points.length >= 2 ? [framed] : [...this.points, framed];
    this.error = null;
  }

  /** Box and two inscribed-circle points from the mask on the stage (the accepted prediction). */
  fromMask(): void {
    const image = this.own();
    const result = segmenter.result;
    if (!image || !result || !this.maskAvailable) return;
    try {
      const label = labelFromMask(result.mask, image);
      this.bbox = label.bbox;
      this.points = label.points;
      this.mask = new Blob([encodeMaskPng(result.mask, result.width, result.height) as BlobPart], {
        type: 'image/png',
      });
      this.mode = 'none';
      this.error = null;
    } catch (err) {
      this.error = err instanceof LabelError ? err.message : String(err);
    }
  }

  setDifficulty(value: number): void {
    this.difficulty = value;
    this.hasDifficulty = true;
    this.difficultySource = 'user';
  }

  takeEstimate(): void {
    const estimate = this.estimate;
    if (!estimate) return;
    this.difficulty = estimate.value;
    this.hasDifficulty = true;
    this.difficultySource = estimate.source;
  }

  /** Puts a stored sample's image on the stage and its label in the form. */
  async edit(sample: StoredSample): Promise<void> {
    if (!(await stage.openStored(sample.imageId, sample.id))) {
      this.error = stage.error;
      return;
    }
    this.clear();
    this.editing = sample;
    this.imageId = sample.imageId;
    this.bbox = [...sample.gt.bbox];
    this.points = sample.gt.points.map((p): Point => [...p]);
    this.query = sample.query;
    this.hasDifficulty = sample.difficulty !== null;
    this.difficulty = sample.difficulty ?? DEFAULT_DIFFICULTY;
    this.difficultySource = sample.difficultySource ?? 'user';
    this.mask = sample.gt.mask ?? null;
  }

  /** Validates the draft and stores it as a sample (a new one, or the edited one replaced). */
  async save(): Promise<void> {
    const image = stage.image;
    if (!image || this.saving) return;
    this.error = null;
    this.message = null;
    this.saving = true;
    try {
      const label = validateLabel({
        bbox: this.imageId === image.id ? this.bbox : null,
        points: this.imageId === image.id ? this.points : [],
        query: this.query,
        difficulty: this.hasDifficulty ? this.difficulty : null,
        difficultySource: this.difficultySource,
      });
      const editing = this.editing;
      const sample: StoredSample = {
        id: editing?.id ?? `label-${crypto.randomUUID()}`,
        imageId: image.id,
        query: label.query,
        gt: { bbox: label.bbox, points: label.points, ...(this.mask ? { mask: this.mask } : {}) },
        difficulty: label.difficulty,
        difficultySource: label.difficultySource,
        // Reference chains speak of the query they were written for.
        ...(editing?.references && editing.query === label.query ? { references: editing.references } : {}),
        createdAt: editing?.createdAt ?? Date.now(),
      };
      await putSample(await database(), $state.snapshot(sample) as StoredSample);
      if (stage.sample?.id === sample.id) stage.sample = sample;
      this.clear();
      this.message = `Saved "${sample.query}".`;
      await dataset.load();
    } catch (err) {
      this.error =
        err instanceof LabelError || err instanceof StorageError
          ? err.message
          : `Could not save: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.saving = false;
    }
  }

  /** Empties the draft (and leaves editing). */
  clear(): void {
    this.mode = 'none';
    this.imageId = null;
    this.bbox = null;
    this.points = [];
    this.query = '';
    this.hasDifficulty = true;
    this.difficulty = DEFAULT_DIFFICULTY;
    this.difficultySource = 'user';
    this.editing = null;
    this.error = null;
    this.mask = null;
  }

  /** Another image on the stage: a draft of the previous one no longer applies. */
  forget(imageId: string | null): void {
    if (this.imageId !== null && this.imageId !== imageId) this.clear();
  }

  /** The stage image, after making the draft belong to it (a draft of another image is dropped first). */
  private own() {
    const image = stage.image;
    if (!image) return null;
    if (this.imageId !== image.id) {
      this.bbox = null;
      this.points = [];
      this.mask = null;
      this.editing = null;
      this.imageId = image.id;
    }
    return image;
  }
}

export const labels = new LabelsState();
