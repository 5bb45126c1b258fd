// Unit tests of refused imports: each corrupt zip is refused with its reason, naming the entry, and the store is unchanged.
import 'fake-indexeddb/auto';
import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES } from '../images';
import { openPlaygroundDb, type PlaygroundDb, type StoredImage } from '../store';
import { DatasetImportError, type DatasetImportErrorCode } from './errors';
import { encodeDatasetZip } from './export';
import { LIMITS } from './format';
import { importDatasetZip } from './import';
import { putSamples } from './samples';
import {
  declareSize,
  maskBlob,
  pngBytes,
  readJson,
  rezip,
  sampleOf,
  snapshot,
  storedImage,
  unzipFiles,
  writeJson,
} from './test-support';

type Files = Record<string, Uint8Array>;
interface Records {
  images: Record<string, unknown>[];
  samples: (Record<string, unknown> & { gt: Record<string, unknown> })[];
}

let db: PlaygroundDb;
let image: StoredImage;
let good: Uint8Array;

beforeAll(async () => {
  db = await openPlaygroundDb({ name: 'dataset-import-errors' });
  // The store already holds a sample: a refused import must leave it exactly as it is.
  const kept = await storedImage(24, 24, 9);
  await putSamples(db, [kept], [sampleOf(kept, 'already-stored')]);
  image = await storedImage(40, 30, 7);
  good = (
    await encodeDatasetZip(
      [
        sampleOf(image, 'first', {
          gt: {
            bbox: [10, 10, 400, 400],
            points: [
              [20, 20],
              [300, 300],
            ],
            mask: maskBlob(40, 30, [1, 1, 9, 9]),
          },
        }),
        sampleOf(image, 'second'),
      ],
      new Map([[image.id, image]]),
    )
  ).zip;
});

/** Imports `zip`, expects a refusal with `code` and a message matching `message`, and an unchanged store. */
async function refused(
  zip: Uint8Array,
  code: DatasetImportErrorCode,
  message: RegExp | string,
): Promise<void> {
  const before = await snapshot(db);
  const error = await importDatasetZip(db, zip).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DatasetImportError);
  expect((error as DatasetImportError).code).toBe(code);
  expect((error as DatasetImportError).message).toMatch(message);
  expect(await snapshot(db)).toEqual(before);
}

/** The good zip with its files changed by `edit`. */
function tampered(edit: (files: Files) => void): Uint8Array {
  const files = unzipFiles(good);
  edit(files);
  return rezip(files);
}

function editRecords(edit: (records: Records) => void): Uint8Array {
  return tampered((files) => {
    const records = readJson<Records>(files, 'samples.json');
    edit(records);
    writeJson(files, 'samples.json', records);
  });
}

const imageFile = () => `images/${image.id}.png`;

describe('a corrupt import is refused and changes nothing', () => {
  it('accepts the untampered zip (the control)', async () => {
    const other = await openPlaygroundDb({ name: 'dataset-import-control' });
    expect(await importDatasetZip(other, good)).toEqual({ samples: 2, images: 1, replaced: 0 });
    other.close();
  });

  it('bad zip: random bytes, a truncated zip, an empty file', async () => {
    const noise = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256);
    await refused(noise, 'bad-zip', /not a readable zip/);
    await refused(good.subarray(0, good.length - 40), 'bad-zip', /not a readable zip/);
    await refused(new Uint8Array(0), 'bad-zip', /not a readable zip/);
  });

  it('bad zip: an entry whose data does not inflate to its declared size', async () => {
    await refused(declareSize(good, 'samples.json', 10), 'bad-zip', /"samples\.json" is damaged/);
    await refused(declareSize(good, 'manifest.json', 50_000), 'bad-zip', /"manifest\.json" is damaged/);
  });

  it('missing manifest, missing samples.json', async () => {
    await refused(
      tampered((f) => delete f['manifest.json']),
      'missing-manifest',
      /no manifest\.json/,
    );
    await refused(
      tampered((f) => delete f['samples.json']),
      'missing-samples',
      /no samples\.json/,
    );
  });

  it('a manifest that is not JSON, of another format, of another version, or with wrong counts', async () => {
    const manifest = (edit: (m: Record<string, unknown>) => void) =>
      tampered((files) => {
        const m = readJson(files, 'manifest.json');
        edit(m);
        writeJson(files, 'manifest.json', m);
      });
    await refused(
      tampered((f) => (f['manifest.json'] = new TextEncoder().encode('{"format":'))),
      'bad-manifest',
      /manifest\.json is not valid JSON/,
    );
    await refused(
      manifest((m) => (m.format = 'something-else')),
      'wrong-format',
      /"something-else"/,
    );
    await refused(
      manifest((m) => (m.version = 2)),
      'unsupported-version',
      /version 2.*newer app/,
    );
    await refused(
      manifest((m) => (m.version = '1')),
      'bad-manifest',
      /version/,
    );
    await refused(
      manifest((m) => (m.samples = 5)),
      'bad-manifest',
      /lists 5 samples/,
    );
  });

  it('bad records: samples.json not JSON, a box out of the frame, a point outside the box, an empty query, a bad difficulty, an unknown field', async () => {
    await refused(
      tampered((f) => (f['samples.json'] = new TextEncoder().encode('[1, 2'))),
      'bad-json',
      /samples\.json is not valid JSON/,
    );
    await refused(
      editRecords((r) => (r.samples[1]!.gt.bbox = [10, 10, 900, 400])),
      'bad-record',
      /samples\[1\] \("second"\): gt: the box must be 4 integers in 0\.\.839/,
    );
    await refused(
      editRecords(
        (r) =>
          (r.samples[0]!.gt.points = [
            [5, 5],
            [300, 300],
          ]),
      ),
      'bad-record',
      /samples\[0\] \("first"\): gt: the point \(5, 5\) lies outside the box/,
    );
    await refused(
      editRecords((r) => (r.samples[0]!.query = '  ')),
      'bad-record',
      /samples\[0\].*query: must not be empty/,
    );
    await refused(
      editRecords((r) => (r.samples[0]!.difficulty = 11)),
      'bad-record',
      /difficulty: must be 1\.\.10/,
    );
    await refused(
      editRecords((r) => (r.samples[0]!.id = '../evil')),
      'bad-record',
      /samples\[0\].*id: must be/,
    );
    await refused(
      editRecords((r) => (r.samples[0]!.extra = 1)),
      'bad-record',
      /samples\[0\]/,
    );
    await refused(
      editRecords((r) => (r.images[0]!.width = -1)),
      'bad-record',
      /images\[0\]: width/,
    );
  });

  it('missing image: a file listed but not in the zip, a sample pointing at an unlisted image, a missing mask', async () => {
    await refused(
      tampered((f) => delete f[imageFile()]),
      'missing-image',
      new RegExp(`no ${imageFile()}`),
    );
    await refused(
      editRecords((r) => (r.samples[1]!.imageId = 'f'.repeat(64))),
      'missing-image',
      /Sample "second" refers to image f{64}/,
    );
    await refused(
      tampered((f) => delete f['masks/first.png']),
      'missing-image',
      /masks\/first\.png \(mask of sample "first"\)/,
    );
  });

  it('duplicate ids: a sample or an image listed twice', async () => {
    await refused(
      editRecords((r) => r.samples.push(r.samples[0]!)),
      'duplicate-id',
      /Sample "first" is listed twice/,
    );
    await refused(
      tampered((files) => {
        const records = readJson<Records>(files, 'samples.json');
        records.images.push(records.images[0]!);
        writeJson(files, 'samples.json', records);
        const manifest = readJson(files, 'manifest.json');
        manifest.images = 2;
        writeJson(files, 'manifest.json', manifest);
      }),
      'duplicate-id',
      /is listed twice/,
    );
  });

  it('bad image bytes: not the image its id names, not an image, damaged', async () => {
    await refused(
      tampered((f) => (f[imageFile()] = pngBytes(40, 30, 8))),
      'bad-image',
      /does not match its record: its bytes hash to/,
    );
    await refused(
      tampered((f) => (f[imageFile()] = new TextEncoder().encode('just text, not an image'))),
      'bad-image',
      /is not a PNG, JPEG/,
    );
    await refused(
      tampered((f) => (f[imageFile()] = f[imageFile()]!.subarray(0, 60))),
      'bad-image',
      /could not be decoded/,
    );
  });

  it('bad masks: of another size than their image, or damaged', async () => {
    await refused(
      tampered((f) => (f['masks/first.png'] = pngBytes(8, 8))),
      'bad-mask',
      /masks\/first\.png is 8×8; its image is 40×30/,
    );
    await refused(
      tampered((f) => (f['masks/first.png'] = f['masks/first.png']!.slice(0, 40))),
      'bad-mask',
      /masks\/first\.png is not a readable PNG mask/,
    );
  });

  it('entries that do not belong: an unknown file, an unsafe name, a mask nobody refers to', async () => {
    await refused(
      tampered((f) => (f['notes.txt'] = new Uint8Array([1]))),
      'unexpected-entry',
      /"notes\.txt" does not belong/,
    );
    await refused(
      tampered((f) => (f['images/../../evil.png'] = new Uint8Array([1]))),
      'unexpected-entry',
      /unsafe name/,
    );
    await refused(
      tampered((f) => (f['masks/nobody.png'] = f['masks/first.png']!)),
      'unexpected-entry',
      /"masks\/nobody\.png" is in the zip but no record refers to it/,
    );
  });

  it('oversized: sizes declared past the limits are refused before anything is inflated', async () => {
    await refused(
      declareSize(good, 'samples.json', LIMITS.samplesBytes + 1),
      'too-large',
      /"samples\.json" unpacks to .*Refused unread/,
    );
    await refused(
      declareSize(good, 'manifest.json', LIMITS.manifestBytes + 1),
      'too-large',
      /"manifest\.json" unpacks to/,
    );
    await refused(
      declareSize(good, 'samples.json', 2 ** 32 - 1),
      'too-large',
      /The zip unpacks to 4096\.0 MB/,
    );
    await refused(
      editRecords((r) => (r.samples = Array.from({ length: LIMITS.samples + 1 }, () => r.samples[0]!))),
      'too-large',
      /samples\.json lists 20001 samples; the limit is 20000/,
    );
    // A real bomb: 51 MB of zeros deflate to a few dozen KB.
    const bomb = tampered((f) => (f[imageFile()] = new Uint8Array(MAX_IMAGE_BYTES + 1024 * 1024)));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await refused(bomb, 'too-large', new RegExp(`"${imageFile()}" unpacks to`));
  });

  it('too many entries: refused from the directory, unread', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i <= LIMITS.entries; i++) files[`masks/m${i}.png`] = new Uint8Array(0);
    await refused(zipSync(files, { level: 0 }), 'too-many-entries', /50001 entries; the limit is 50000/);
  });
});
