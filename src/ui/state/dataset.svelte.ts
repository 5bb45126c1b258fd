// App state for the dataset: the stored samples with thumbnails, delete, export (ours and RefCOCOg-840), validated import, ShapeWorld in bulk.
import {
  DatasetImportError,
  deleteSample,
  encodeDatasetZip,
  encodeRefcocoZip,
  importDatasetZip,
  listSamples,
  putSamples,
  shapeWorldSample,
  unusedShapeWorldIndices,
  type SkippedSample,
} from '../../data/dataset';
import { ImageInputError, validateImageFile } from '../../data/images';
import type { Split } from '../../data/shapeworld';
import { StorageError, type StoredImage, type StoredSample } from '../../data/store';
import { downloadBytes } from '../download';
import { database } from './database';
import { gallery } from './gallery.svelte';

export const MAX_SHAPEWORLD_BATCH = 200;

const today = () => new Date().toISOString().slice(0, 10);

function describe(err: unknown): string {
  return err instanceof DatasetImportError || err instanceof StorageError || err instanceof ImageInputError
    ? err.message
    : `Something went wrong: ${err instanceof Error ? err.message : String(err)}`;
}

class DatasetState {
  samples = $state<StoredSample[]>([]);
  loaded = $state(false);
  /** Object URLs of the samples' images, by image id. */
  thumbnails = $state<Record<string, string>>({});
  /** What is running ("exporting…"), or null. */
  busy = $state<string | null>(null);
  error = $state<string | null>(null);
  /** Why the last import was refused (nothing was written). */
  importError = $state<string | null>(null);
  message = $state<string | null>(null);
  shapeWorldSplit = $state<Split>('train');
  shapeWorldCount = $state(10);

  async load(): Promise<void> {
    try {
      const db = await database();
      const samples = await listSamples(db);
      const urls: Record<string, string> = {};
      for (const imageId of new Set(samples.map((s) => s.imageId))) {
        const image = await db.get('images', imageId);
        if (image) urls[imageId] = this.thumbnails[imageId] ?? URL.createObjectURL(image.blob);
      }
      for (const [id, url] of Object.entries(this.thumbnails)) if (urls[id] !== url) URL.revokeObjectURL(url);
      this.thumbnails = urls;
      this.samples = samples;
      this.loaded = true;
    } catch (err) {
      this.error = `The dataset could not be read: ${describe(err)}`;
    }
  }

  async remove(id: string): Promise<void> {
    await this.run('deleting…', async () => {
      await deleteSample(await database(), id);
      await this.load();
    });
  }

  /** Downloads every sample with its image and mask as our zip (importable here). */
  async exportZip(): Promise<void> {
    await this.run('exporting…', async () => {
      const { samples, images } = await this.everything();
      const result = await encodeDatasetZip(samples, images);
      downloadBytes(result.zip, `pixelthink-dataset-${today()}.zip`, 'application/zip');
      this.message = `Exported ${result.samples} samples and ${result.images} images.${this.leftOut(result.skipped)}`;
    });
  }

  /** Downloads the samples in the released trainer's RefCOCOg-840 layout (840×840 PNGs, difficulty file). */
  async exportRefcoco(): Promise<void> {
    await this.run('exporting for the GPU trainer…', async () => {
      const { samples, images } = await this.everything();
      const result = await encodeRefcocoZip(samples, images);
      downloadBytes(result.zip, `pixelthink-refcocog-840-${today()}.zip`, 'application/zip');
      this.message = `Exported ${result.samples} samples for the released trainer.${this.leftOut(result.skipped)}`;
    });
  }

  /** Checks the whole zip before writing it in one transaction; a refused zip says why and changes nothing. */
  async importZip(file: File): Promise<void> {
    this.importError = null;
    await this.run(`importing ${file.name}…`, async () => {
      try {
        const summary = await importDatasetZip(await database(), new Uint8Array(await file.arrayBuffer()));
        this.message =
          `Imported ${summary.samples} samples and ${summary.images} images from ${file.name}` +
          (summary.replaced ? ` (${summary.replaced} replaced stored samples with the same id).` : '.');
      } catch (err) {
        this.importError = `${file.name} was not imported: ${describe(err)}`;
      }
      await this.load();
    });
  }

  /** Renders the next `shapeWorldCount` samples of the split not stored yet and stores them in one transaction. */
  async addShapeWorld(): Promise<void> {
    const count = Math.min(MAX_SHAPEWORLD_BATCH, Math.max(1, Math.round(this.shapeWorldCount)));
    const split = this.shapeWorldSplit;
    await this.run('rendering ShapeWorld samples…', async () => {
      const stored = new Set(this.samples.map((s) => s.id));
      const indices = unusedShapeWorldIndices(split, stored, count);
      const images: StoredImage[] = [];
      const samples: StoredSample[] = [];
      for (const [i, index] of indices.entries()) {
        this.busy = `rendering ShapeWorld ${split} samples: ${i + 1} of ${indices.length}…`;
        const rendered = await gallery.render(split, index);
        const image = await validateImageFile(
          new Blob([rendered.png as BlobPart], { type: 'image/png' }),
          `${rendered.id}.png`,
        );
        images.push({ ...image, addedAt: Date.now() });
        samples.push(shapeWorldSample(rendered, image.id, Date.now()));
      }
      await putSamples(await database(), images, samples);
      this.message = indices.length
        ? `Added ${indices.length} ShapeWorld ${split} samples.`
        : `Every ShapeWorld ${split} sample is stored already.`;
      await this.load();
    });
  }

  private async everything(): Promise<{ samples: StoredSample[]; images: ReadonlyMap<string, StoredImage> }> {
    const db = await database();
    const samples = await listSamples(db);
    const stored = await Promise.all(
      [...new Set(samples.map((s) => s.imageId))].map((id) => db.get('images', id)),
    );
    const images = stored.filter((image): image is StoredImage => image !== undefined);
    return { samples, images: new Map(images.map((image) => [image.id, image])) };
  }

  private leftOut(skipped: readonly SkippedSample[]): string {
    if (!skipped.length) return '';
    return ` Left out ${skipped.length}: ${skipped.map((s) => `${s.id} (${s.reason})`).join('; ')}.`;
  }

  private async run(label: string, work: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = label;
    this.error = null;
    this.message = null;
    try {
      await work();
    } catch (err) {
      this.error = describe(err);
    } finally {
      this.busy = null;
    }
  }
}

export const dataset = new DatasetState();
