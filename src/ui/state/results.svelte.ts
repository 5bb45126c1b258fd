// App state for stored query results: the list (newest first) with thumbnails, the one open on the stage, delete and clear.
import {
  clearResults,
  deleteResult,
  listResults,
  type ResultList,
  type ResultRecord,
} from '../../data/results';
import { database } from './database';
import { stage } from './stage.svelte';

class ResultsState {
  /** Readable results, newest first. */
  records = $state<ResultRecord[]>([]);
  invalid = $state<ResultList['invalid']>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** Object URLs of the results' images, by image id. */
  thumbnails = $state<Record<string, string>>({});
  openId = $state<number | null>(null);
  readonly opened = $derived(this.records.find((r) => r.id === this.openId) ?? null);

  async load(): Promise<void> {
    await this.guard(async () => {
      const db = await database();
      const list = await listResults(db);
      const urls: Record<string, string> = {};
      for (const imageId of new Set(list.records.map((r) => r.imageId))) {
        const image = await db.get('images', imageId);
        if (image) urls[imageId] = URL.createObjectURL(image.blob);
      }
      Object.values(this.thumbnails).forEach((url) => URL.revokeObjectURL(url));
      this.thumbnails = urls;
      this.records = list.records;
      this.invalid = list.invalid;
      this.loaded = true;
    });
  }

  /** Puts the result's image (and sample) on the stage and the result beside it. */
  async open(id: number): Promise<void> {
    const record = this.records.find((r) => r.id === id);
    if (!record) return;
    this.error = null;
    if (await stage.openStored(record.imageId, record.sampleId)) this.openId = id;
    else this.error = stage.error;
  }

  close(): void {
    this.openId = null;
  }

  async remove(id: number): Promise<void> {
    await this.guard(async () => {
      await deleteResult(await database(), id);
      if (this.openId === id) this.openId = null;
      await this.load();
    });
  }

  async clear(): Promise<void> {
    await this.guard(async () => {
      await clearResults(await database());
      this.openId = null;
      await this.load();
    });
  }

  /** Another image on the stage closes the open result. */
  forget(imageId: string | null): void {
    if (this.opened && this.opened.imageId !== imageId) this.close();
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    this.error = null;
    try {
      await work();
    } catch (err) {
      this.error = `Stored results: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
}

export const results = new ResultsState();
