// App state for the image stage: the current image, kept in IndexedDB so it survives a reload.
import { shapeWorldSample } from '../../data/dataset/shapeworld';
import { ImageInputError, validateImageFile } from '../../data/images';
import {
  getSetting,
  putImage,
  putSample,
  putSetting,
  SETTING_CURRENT_IMAGE,
  SETTING_CURRENT_SAMPLE,
  StorageError,
  type StoredImage,
  type StoredSample,
} from '../../data/store';
import type { LoadedSample } from '../../workers/protocol';
import { database } from './database';

class StageState {
  image = $state<StoredImage | null>(null);
  /** The labelled sample on the stage (a gallery sample, say), or null for a plain image. */
  sample = $state<StoredSample | null>(null);
  url = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);

  private show(image: StoredImage | null, sample: StoredSample | null = null): void {
    if (this.url) URL.revokeObjectURL(this.url);
    this.image = image;
    this.sample = sample;
    this.url = image ? URL.createObjectURL(image.blob) : null;
  }

  /** Restores the image that was on the stage before the reload, if any. */
  async restore(): Promise<void> {
    await this.guard(async () => {
      const db = await database();
      const id = await getSetting<string>(db, SETTING_CURRENT_IMAGE);
      const image = id ? await db.get('images', id) : undefined;
      const sampleId = await getSetting<string | null>(db, SETTING_CURRENT_SAMPLE);
      const sample = sampleId ? await db.get('samples', sampleId) : undefined;
      this.show(image ?? null, sample?.imageId === id ? sample : null);
    });
  }

  /** Validates a file from the picker, a drop or a paste, stores it, and shows it; errors are shown, nothing lost. */
  async open(file: Blob, name?: string): Promise<void> {
    await this.guard(async () => {
      const stored = await this.storeImage(file, name);
      await putSetting(await database(), SETTING_CURRENT_SAMPLE, null);
      this.show(stored);
    });
  }

  /** Puts a ShapeWorld sample on the stage with its ground truth, through the same checks as any image. */
  async openSample(loaded: LoadedSample): Promise<void> {
    await this.guard(async () => {
      const image = await this.storeImage(
        new Blob([loaded.png as BlobPart], { type: 'image/png' }),
        `${loaded.id}.png`,
      );
      const sample = shapeWorldSample(loaded, image.id, Date.now());
      const db = await database();
      await putSample(db, sample);
      await putSetting(db, SETTING_CURRENT_SAMPLE, sample.id);
      this.show(image, sample);
    });
  }

  /** Puts a stored image (and its sample, if still stored) back on the stage; false when the image is gone. */
  async openStored(imageId: string, sampleId: string | null): Promise<boolean> {
    let shown = false;
    await this.guard(async () => {
      const db = await database();
      const image = await db.get('images', imageId);
      if (!image) throw new StorageError('failed', 'The image of this result is no longer stored.');
      const found = sampleId ? await db.get('samples', sampleId) : undefined;
      const sample = found?.imageId === imageId ? found : null;
      await putSetting(db, SETTING_CURRENT_IMAGE, imageId);
      await putSetting(db, SETTING_CURRENT_SAMPLE, sample?.id ?? null);
      this.show(image, sample);
      shown = true;
    });
    return shown;
  }

  private async storeImage(file: Blob, name?: string): Promise<StoredImage> {
    const valid = await validateImageFile(file, name);
    const db = await database();
    const stored: StoredImage = { ...valid, addedAt: Date.now() };
    await putImage(db, stored);
    await putSetting(db, SETTING_CURRENT_IMAGE, stored.id);
    return stored;
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = null;
    try {
      await work();
    } catch (err) {
      this.error =
        err instanceof ImageInputError || err instanceof StorageError
          ? err.message
          : `Something went wrong: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.busy = false;
    }
  }
}

export const stage = new StageState();
