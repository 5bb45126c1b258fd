// Unit tests of the IndexedDB schema in Node on fake-indexeddb: stores, indexes, and upgrades that keep data.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DB_VERSION, getSetting, openPlaygroundDb, putImage, putSetting, type StoredImage } from './store';

let dbCounter = 0;
const freshName = () => `test-db-${++dbCounter}`;

const image = (id: string, addedAt: number): StoredImage => ({
  id,
  blob: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }),
  name: `${id}.png`,
  type: 'image/png',
  width: 10,
  height: 20,
  bytes: 3,
  addedAt,
});

describe('openPlaygroundDb', () => {
  it('creates every store and index at the latest version', async () => {
    const db = await openPlaygroundDb({ name: freshName() });
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual([
      'adapters',
      'checkpoints',
      'images',
      'results',
      'runs',
      'samples',
      'settings',
    ]);
    const tx = db.transaction(['images', 'samples', 'results']);
    expect([...tx.objectStore('images').indexNames]).toEqual(['by-added']);
    expect([...tx.objectStore('samples').indexNames]).toEqual(['by-image']);
    expect([...tx.objectStore('results').indexNames].sort()).toEqual(['by-created', 'by-image']);
    db.close();
  });

  it('upgrades a version-1 database step by step and keeps its data', async () => {
    const name = freshName();
    const v1 = await openPlaygroundDb({ name, version: 1 });
    await v1.put('images', image('old', 5));
    await v1.put('settings', 'old', 'stage.currentImageId');
    await v1.add('results', {
      imageId: 'old',
      sampleId: null,
      query: 'the red circle',
      modelId: 'nano',
      response: '<think>x</think><answer>{}</answer>',
      words: 2,
      tokens: 7,
      uncertainty: 0.1,
      difficulty: 3,
      timingsMs: { decode: 12 },
      createdAt: 9,
    });
    v1.close();

    const latest = await openPlaygroundDb({ name });
    expect((await latest.get('images', 'old'))?.name).toBe('old.png');
    expect(await getSetting(latest, 'stage.currentImageId')).toBe('old');
    const byImage = await latest.getAllFromIndex('results', 'by-image', 'old');
    expect(byImage.map((r) => r.query)).toEqual(['the red circle']);
    latest.close();
  });

  it('orders images by the time they were added', async () => {
    const db = await openPlaygroundDb({ name: freshName() });
    await putImage(db, image('b', 20));
    await putImage(db, image('a', 10));
    expect((await db.getAllFromIndex('images', 'by-added')).map((i) => i.id)).toEqual(['a', 'b']);
    await putSetting(db, 'k', { nested: [1, 2] });
    expect(await getSetting(db, 'k')).toEqual({ nested: [1, 2] });
    db.close();
  });

  it('refuses versions it does not know', async () => {
    await expect(openPlaygroundDb({ name: freshName(), version: DB_VERSION + 1 })).rejects.toThrow(
      RangeError,
    );
  });
});
