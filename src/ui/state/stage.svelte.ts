// App state for the image stage: the current image, kept in IndexedDB so it survives a reload.
import { ImageInputError, validateImageFile } from '../../data/images';
import {
  getSetting,
  openPlaygroundDb,
  putImage,
  putSetting,
  SETTING_CURRENT_IMAGE,
  StorageError,
  type PlaygroundDb,
  type StoredImage,
} from '../../data/store';

class StageState {
  image = $state<StoredImage | null>(null);
  url = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  private db: Promise<PlaygroundDb> | null = null;

  private database(): Promise<PlaygroundDb> {
    this.db ??= openPlaygroundDb();
    return this.db;
  }

  private show(image: StoredImage | null): void {
    if (this.url) URL.revokeObjectURL(this.url);
    this.image = image;
    this.url = image ? URL.createObjectURL(image.blob) : null;
  }

  /** Restores the image that was on the stage before the reload, if any. */
  async restore(): Promise<void> {
    await this.guard(async () => {
      const db = await this.database();
      const id = await getSetting<string>(db, SETTING_CURRENT_IMAGE);
      const image = id ? await db.get('images', id) : undefined;
      this.show(image ?? null);
    });
  }

  /** Validates a file from the picker, a drop or a paste, stores it, and shows it; errors are shown, nothing lost. */
  async open(file: Blob, name?: string): Promise<void> {
    await this.guard(async () => {
      const valid = await validateImageFile(file, name);
      const db = await this.database();
      const stored: StoredImage = { ...valid, addedAt: Date.now() };
      await putImage(db, stored);
      await putSetting(db, SETTING_CURRENT_IMAGE, stored.id);
      this.show(stored);
    });
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
