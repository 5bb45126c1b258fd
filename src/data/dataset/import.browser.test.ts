// Browser tests of the import on Chromium's real IndexedDB and image decoder: all written in one transaction, or nothing.
import { describe, expect, it } from 'vitest';
import { StorageError, openPlaygroundDb, type StoredSample } from '../store';
import { DatasetImportError } from './errors';
import { encodeDatasetZip } from './export';
import { importDatasetZip, parseDatasetZip, writeDataset } from './import';
import { putSamples } from './samples';
import { maskBlob, rezip, sampleOf, snapshot, storedImage, unzipFiles } from './test-support';

const freshDb = () => openPlaygroundDb({ name: `dataset-browser-${crypto.randomUUID()}` });

async function exported(count: number) {
  const images = await Promise.all([1, 2, 3].map((seed) => storedImage(48, 36, seed)));
  const samples = Array.from({ length: count }, (_, i) =>
    sampleOf(images[i % images.length]!, `sample-${i}`, {
      createdAt: i,
      ...(i === 0
        ? {
            gt: {
              bbox: [0, 0, 839, 839],
              points: [
                [5, 5],
                [600, 600],
              ],
              mask: maskBlob(48, 36, [2, 2, 30, 20]),
            },
          }
        : {}),
    }),
  );
  const zip = (await encodeDatasetZip(samples, new Map(images.map((i) => [i.id, i])))).zip;
  return { images, samples, zip };
}

describe('dataset import in Chromium', () => {
  it('imports a zip with images decoded by the browser, blobs byte for byte', async () => {
    const { images, samples, zip } = await exported(30);
    const source = await freshDb();
    await putSamples(source, images, samples);
    const target = await freshDb();
    expect(await importDatasetZip(target, zip)).toEqual({ samples: 30, images: 3, replaced: 0 });
    expect(await snapshot(target)).toEqual(await snapshot(source));
    const mask = (await target.get('samples', 'sample-0'))?.gt.mask;
    expect(mask).toBeInstanceOf(Blob);
    source.close();
    target.close();
  });

  it('refuses an image the browser cannot decode, and writes nothing', async () => {
    const { images, zip } = await exported(3);
    const files = unzipFiles(zip);
    const name = `images/${images[1]!.id}.png`;
    // Signature and header intact, pixel data gone.
    files[name] = files[name]!.subarray(0, 33);
    const db = await freshDb();
    const before = await snapshot(db);
    const error = await importDatasetZip(db, rezip(files)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DatasetImportError);
    expect((error as DatasetImportError).code).toBe('bad-image');
    expect((error as DatasetImportError).message).toContain(name);
    expect(await snapshot(db)).toEqual(before);
    db.close();
  });

  it('a write that fails half way leaves the store as it was: one transaction', async () => {
    const { zip } = await exported(40);
    const parsed = await parseDatasetZip(zip);
    const db = await freshDb();
    const kept = await storedImage(20, 20, 9);
    await putSamples(db, [kept], [sampleOf(kept, 'already-there')]);
    const before = await snapshot(db);
    // The last sample holds a value IndexedDB cannot store: the 3 images and 39 samples queued before it must go too.
    const poisoned = { ...parsed.samples.at(-1)!, query: (() => 'not cloneable') as unknown as string };
    const error = await writeDataset(db, {
      ...parsed,
      samples: [...parsed.samples.slice(0, -1), poisoned as StoredSample],
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StorageError);
    expect(await snapshot(db)).toEqual(before);
    expect(await db.count('samples')).toBe(1);
    // The same dataset without the poison is written whole.
    expect((await writeDataset(db, parsed)).samples).toBe(40);
    expect(await db.count('samples')).toBe(41);
    expect(await db.count('images')).toBe(4);
    db.close();
  });
});
