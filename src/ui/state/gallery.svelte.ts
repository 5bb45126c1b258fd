// App state for the ShapeWorld gallery strip: items rendered by the data worker, loading one onto the stage, rendering samples.
import { startDataWorker, type WorkerHandle } from '../../workers/client';
import type { Split } from '../../data/shapeworld';
import type { DataWorkerApi, GalleryItem, LoadedSample } from '../../workers/protocol';
import { stage } from './stage.svelte';

export const GALLERY_SPLIT = 'val';
export const GALLERY_SIZE = 12;
export const THUMBNAIL_SIZE = 96;

class GalleryState {
  items = $state<GalleryItem[]>([]);
  loadingId = $state<string | null>(null);
  error = $state<string | null>(null);
  private worker: WorkerHandle<DataWorkerApi> | null = null;

  private api(): WorkerHandle<DataWorkerApi> {
    this.worker ??= startDataWorker();
    return this.worker;
  }

  async start(): Promise<void> {
    if (this.items.length) return;
    const { api, crashed } = this.api();
    const indices = Array.from({ length: GALLERY_SIZE }, (_, i) => i);
    try {
      this.items = await Promise.race([api.galleryItems(GALLERY_SPLIT, indices, THUMBNAIL_SIZE), crashed]);
    } catch (err) {
      this.error = `The gallery could not be drawn: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** Renders one full-size sample (840 px image, target mask, record) in the data worker. */
  async render(split: Split, index: number): Promise<LoadedSample> {
    const { api, crashed } = this.api();
    return Promise.race([api.loadSample(split, index), crashed]);
  }

  /** Renders the full-size sample in the worker and puts it on the stage with its ground truth. */
  async load(item: GalleryItem): Promise<void> {
    this.loadingId = item.id;
    try {
      await stage.openSample(await this.render(item.split, item.index));
    } catch (err) {
      this.error = `Sample ${item.id} could not be loaded: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.loadingId = null;
    }
  }
}

export const gallery = new GalleryState();
