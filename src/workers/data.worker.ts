// The data worker: renders ShapeWorld-Reason samples (thumbnails, full images, masks) off the main thread.
import * as Comlink from 'comlink';
import { encodeMaskPng, encodeRgbaPng } from '../data/png';
import { FRAME, objectMask, renderScene, sample, sampleQuery, type Split } from '../data/shapeworld';
import { installErrorTransfer } from './errors';
import type { DataWorkerApi, GalleryItem, LoadedSample } from './protocol';

function galleryItem(split: Split, index: number, thumbnailSize: number): GalleryItem {
  const q = sampleQuery(split, index);
  const rendered = renderScene(q.scene, thumbnailSize);
  const thumbnail = { width: rendered.width, height: rendered.height, rgba: rendered.rgba };
  return { id: q.id, split, index, query: q.query, difficulty: q.difficulty, level: q.level, thumbnail };
}

function loadSample(split: Split, index: number): LoadedSample {
  const s = sample(split, index);
  const rendered = renderScene(s, FRAME);
  return {
    id: s.id,
    query: s.query,
    difficulty: s.difficulty,
    png: encodeRgbaPng(rendered.rgba, rendered.width, rendered.height),
    maskPng: encodeMaskPng(objectMask(rendered, s.target), rendered.width, rendered.height),
    gt: s.gt,
    references: s.references,
  };
}

const api: DataWorkerApi = {
  async galleryItems(split, indices, thumbnailSize) {
    const items = indices.map((i) => galleryItem(split, i, thumbnailSize));
    return Comlink.transfer(
      items,
      items.map((item) => item.thumbnail.rgba.buffer as ArrayBuffer),
    );
  },
  async loadSample(split, index) {
    const loaded = loadSample(split, index);
    return Comlink.transfer(loaded, [loaded.png.buffer as ArrayBuffer, loaded.maskPng.buffer as ArrayBuffer]);
  },
};

installErrorTransfer();
Comlink.expose(api);
