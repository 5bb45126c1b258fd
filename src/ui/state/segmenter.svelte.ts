// App state for the segmenter: the embedded nano-sam (or a SAM-class folder the user opened), the image it encoded, the last mask.
import { decodeToRgba } from '../../data/images';
import { modelFolderFiles } from '../../model/hub/model-fetch';
import { isCancellation } from '../../workers/errors';
import { newJobId } from '../../workers/client';
import type { LoadedSegmenter, SegmentPrompt, SegmentResult } from '../../workers/protocol';
import * as Comlink from 'comlink';
import { stage } from './stage.svelte';
import { workers } from './workers.svelte';

type Status = 'none' | 'loading' | 'ready' | 'segmenting' | 'failed';

/** The segmenter shipped in public/models, loaded when the app opens. */
export const DEFAULT_SEGMENTER = 'nano-sam';

function modelIdFor(folder: string): string {
  return `opened/${folder.replace(/[^\w.-]+/g, '-').replace(/^[.-]+/, '') || 'model'}`;
}

class SegmenterState {
  status = $state<Status>('none');
  message = $state('');
  error = $state<string | null>(null);
  loaded = $state<LoadedSegmenter | null>(null);
  result = $state<SegmentResult | null>(null);
  prompt = $state<SegmentPrompt | null>(null);
  /** How strongly the mask tints the image, 0..1. */
  opacity = $state(0.5);
  private encodedImageId: string | null = null;

  private get api() {
    const handle = workers.segmenter;
    if (!handle) throw new Error('The segmenter worker has not started.');
    return handle.api;
  }

  /** Loads a SAM-layout folder (config.json, preprocessor_config.json, onnx/…) the user picked. */
  async openFolder(fileList: ArrayLike<File>): Promise<void> {
    const { folder, files } = modelFolderFiles(fileList);
    if (!files.has('config.json')) {
      this.fail(`"${folder || 'The folder'}" has no config.json: pick the model's top folder.`);
      return;
    }
    const id = modelIdFor(folder);
    try {
      await this.api.openModelFolder(id, files);
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err));
      return;
    }
    await this.load(id, folder);
  }

  /** Loads the embedded segmenter; the app calls this once the workers have started. */
  loadDefault(): Promise<void> {
    return this.load(DEFAULT_SEGMENTER, `${DEFAULT_SEGMENTER} (embedded)`);
  }

  private async load(id: string, label: string): Promise<void> {
    this.status = 'loading';
    this.error = null;
    this.message = `loading ${label}…`;
    try {
      const onProgress = Comlink.proxy((p: { message: string }) => (this.message = p.message));
      this.loaded = await this.api.loadModel(newJobId('load'), id, onProgress);
      this.encodedImageId = null;
      this.result = null;
      this.status = 'ready';
      this.message = `${label} on ${this.loaded.device}, loaded in ${Math.round(this.loaded.loadMs)} ms`;
    } catch (err) {
      // A load superseded by a later one (the user opened a folder while the default loaded) is not an error.
      if (isCancellation(err)) return;
      this.fail(err instanceof Error ? err.message : String(err));
    }
  }

  /** Takes over a segmenter loaded elsewhere (a hub model from the model picker): the image is encoded anew. */
  adopt(loaded: LoadedSegmenter, label: string): void {
    this.loaded = loaded;
    this.encodedImageId = null;
    this.result = null;
    this.error = null;
    this.status = 'ready';
    this.message = `${label} on ${loaded.device}, loaded in ${Math.round(loaded.loadMs)} ms`;
  }

  /** Segments a prompt on the current stage image, encoding the image first when it changed. */
  async segment(prompt: SegmentPrompt): Promise<void> {
    const image = stage.image;
    if (!image || !this.loaded) return;
    this.status = 'segmenting';
    this.error = null;
    this.prompt = prompt;
    try {
      if (this.encodedImageId !== image.id) {
        const pixels = await decodeToRgba(image.blob);
        await this.api.encodeImage(Comlink.transfer(pixels, [pixels.rgba.buffer as ArrayBuffer]));
        this.encodedImageId = image.id;
      }
      this.result = await this.api.segment(prompt);
      this.status = 'ready';
      this.message = `mask score ${this.result.score.toFixed(3)} · decode ${Math.round(this.result.timingsMs.decode)} ms`;
    } catch (err) {
      if (isCancellation(err)) return;
      this.fail(err instanceof Error ? err.message : String(err));
    }
  }

  /** Drops the last mask (a new query is on its way, say). */
  clear(): void {
    this.result = null;
    this.prompt = null;
  }

  /** A new image on the stage makes the last mask meaningless. */
  forget(imageId: string | null): void {
    if (this.result && imageId !== this.encodedImageId) this.clear();
  }

  private fail(message: string): void {
    this.status = this.loaded ? 'ready' : 'failed';
    this.error = message;
  }
}

export const segmenter = new SegmenterState();
