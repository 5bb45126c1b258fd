// Unit tests of the dataset zip on fake-indexeddb: export → import round trip, replacing, and what an export leaves out.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openPlaygroundDb } from '../store';
import { encodeDatasetZip } from './export';
import { DATASET_FORMAT, DATASET_FORMAT_VERSION } from './format';
import { importDatasetZip } from './import';
import { listSamples, putSamples } from './samples';
import { maskBlob, readJson, sampleOf, snapshot, storedImage, unzipFiles } from './test-support';

let counter = 0;
const freshDb = () => openPlaygroundDb({ name: `dataset-test-${++counter}` });

describe('dataset zip', () => {
  it('exports images, samples and masks and imports them back into an empty store, byte for byte', async () => {
    const source = await freshDb();
    const [a, b] = [await storedImage(64, 48, 1), await storedImage(32, 32, 2)];
    const samples = [
      sampleOf(a, 'label-a', {
        gt: {
          bbox: [0, 0, 839, 839],
          points: [
            [1, 2],
            [800, 700],
          ],
          mask: maskBlob(64, 48, [3, 4, 20, 30]),
        },
      }),
      sampleOf(a, 'label-b', { difficulty: null, difficultySource: null, createdAt: 3000 }),
      sampleOf(b, 'sw1-train-000007', {
        difficultySource: 'shapeworld',
        references: { long: '<think>long</think>', short: '<think>short</think>' },
        createdAt: 4000,
      }),
    ];
    await putSamples(source, [a, b], samples);

    const images = new Map((await source.getAll('images')).map((i) => [i.id, i]));
    const exported = await encodeDatasetZip(await listSamples(source), images, 12345);
    expect(exported).toMatchObject({ samples: 3, images: 2, skipped: [] });
    const files = unzipFiles(exported.zip);
    expect(Object.keys(files).sort()).toEqual(
      [
        'manifest.json',
        'samples.json',
        `images/${a.id}.png`,
        `images/${b.id}.png`,
        'masks/label-a.png',
      ].sort(),
    );
    expect(readJson(files, 'manifest.json')).toEqual({
      format: DATASET_FORMAT,
      version: DATASET_FORMAT_VERSION,
      createdAt: 12345,
      samples: 3,
      images: 2,
    });

    const target = await freshDb();
    expect(await importDatasetZip(target, exported.zip)).toEqual({ samples: 3, images: 2, replaced: 0 });
    expect(await snapshot(target)).toEqual(await snapshot(source));
    source.close();
    target.close();
  });

  it('replaces samples with the same id and counts them', async () => {
    const db = await freshDb();
    const image = await storedImage(40, 40, 3);
    await putSamples(db, [image], [sampleOf(image, 'one'), sampleOf(image, 'two')]);
    const zip = (await encodeDatasetZip(await listSamples(db), new Map([[image.id, image]]))).zip;
    await putSamples(db, [], [sampleOf(image, 'one', { query: 'edited since the export' })]);
    expect(await importDatasetZip(db, zip)).toEqual({ samples: 2, images: 1, replaced: 2 });
    expect((await db.get('samples', 'one'))?.query).toBe('the object of one');
    db.close();
  });

  it('leaves out, and lists, a sample whose image is gone or whose label the import would refuse', async () => {
    const image = await storedImage(16, 16, 4);
    const gone = await storedImage(16, 16, 5);
    const exported = await encodeDatasetZip(
      [
        sampleOf(image, 'kept'),
        sampleOf(gone, 'orphan'),
        sampleOf(image, 'bad box', {
          gt: {
            bbox: [10, 10, 900, 20],
            points: [
              [10, 10],
              [11, 11],
            ],
          },
        }),
      ],
      new Map([[image.id, image]]),
    );
    expect(exported.samples).toBe(1);
    expect(exported.skipped.map((s) => s.id)).toEqual(['orphan', 'bad box']);
    expect(exported.skipped[0]?.reason).toContain('no longer stored');
    const db = await freshDb();
    expect((await importDatasetZip(db, exported.zip)).samples).toBe(1);
    db.close();
  });
});
