// Browser tests of the schema on Chromium's real IndexedDB: blobs survive, upgrades keep data, reopening works.
import { describe, expect, it } from 'vitest';
import { DB_VERSION, openPlaygroundDb, putImage, type StoredImage } from './store';

const name = () => `browser-test-${crypto.randomUUID()}`;

const image = (id: string): StoredImage => ({
  id,
  blob: new Blob([new Uint8Array([137, 80, 78, 71, 1, 2, 3])], { type: 'image/png' }),
  name: `${id}.png`,
  type: 'image/png',
  width: 3,
  height: 4,
  bytes: 7,
  addedAt: Date.now(),
});

describe('IndexedDB in Chromium', () => {
  it('stores image blobs byte for byte', async () => {
    const db = await openPlaygroundDb({ name: name() });
    await putImage(db, image('a'));
    const back = await db.get('images', 'a');
    expect(back?.blob).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await back!.blob.arrayBuffer())]).toEqual([137, 80, 78, 71, 1, 2, 3]);
    db.close();
  });

  it('upgrades from version 1 to the latest and keeps the data', async () => {
    const dbName = name();
    const v1 = await openPlaygroundDb({ name: dbName, version: 1 });
    await v1.put('images', image('kept'));
    await v1.put('runs', {
      id: 'r1',
      name: 'run',
      config: { lr: 1e-4 },
      metrics: [{ reward: 1 }],
      status: 'paused',
      createdAt: 1,
      updatedAt: 2,
    });
    v1.close();
    const latest = await openPlaygroundDb({ name: dbName });
    expect(latest.version).toBe(DB_VERSION);
    expect((await latest.get('images', 'kept'))?.name).toBe('kept.png');
    expect((await latest.get('runs', 'r1'))?.config).toEqual({ lr: 1e-4 });
    expect(await latest.getAllFromIndex('images', 'by-added')).toHaveLength(1);
    latest.close();
  });

  it('a second open of the latest version sees what the first wrote', async () => {
    const dbName = name();
    const first = await openPlaygroundDb({ name: dbName });
    await first.put('settings', 42, 'answer');
    first.close();
    const second = await openPlaygroundDb({ name: dbName });
    expect(await second.get('settings', 'answer')).toBe(42);
    second.close();
  });
});
