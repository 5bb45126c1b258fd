// Reads a dataset zip and validates ALL of it (limits, manifest, records, references, image and mask bytes) before one write.
import { strFromU8 } from 'fflate';
import * as v from 'valibot';
import { ImageInputError, MAX_IMAGE_BYTES, validateImageFile } from '../images';
import { decodeMaskPng } from '../png';
import type { PlaygroundDb, StoredImage, StoredSample } from '../store';
import { DatasetImportError } from './errors';
import {
  DATASET_FORMAT,
  DATASET_FORMAT_VERSION,
  imagePath,
  LIMITS,
  MANIFEST_FILE,
  maskPath,
  SAMPLES_FILE,
} from './format';
import { putSamples } from './samples';
import {
  describeIssues,
  ImageRecordSchema,
  ManifestHeadSchema,
  ManifestSchema,
  SampleRecordSchema,
  SamplesFileSchema,
  type ImageRecord,
  type Manifest,
  type SampleRecord,
} from './schema';
import { listZip, readZip, type ZipEntry } from './zip';

/** A zip that passed every check: ready to be written as is. */
export interface ParsedDataset {
  manifest: Manifest;
  images: StoredImage[];
  samples: StoredSample[];
}

export interface ImportSummary {
  samples: number;
  images: number;
  /** Samples whose id was stored already and were replaced. */
  replaced: number;
}

const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KB`;

function limitFor(name: string): number | null {
  if (name === MANIFEST_FILE) return LIMITS.manifestBytes;
  if (name === SAMPLES_FILE) return LIMITS.samplesBytes;
  if (name.startsWith('images/')) return MAX_IMAGE_BYTES;
  if (name.startsWith('masks/')) return LIMITS.maskBytes;
  return null;
}

/** Checks each entry's name and declared size, before anything is inflated. */
function checkEntries(entries: readonly ZipEntry[]): Map<string, ZipEntry> {
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) {
    const limit = limitFor(entry.name);
    if (limit === null)
      throw new DatasetImportError(
        'unexpected-entry',
        `"${entry.name}" does not belong in a dataset zip (only ${MANIFEST_FILE}, ${SAMPLES_FILE}, images/ and masks/).`,
        entry.name,
      );
    if (entry.originalSize > limit)
      throw new DatasetImportError(
        'too-large',
        `"${entry.name}" unpacks to ${kib(entry.originalSize)}; the limit is ${kib(limit)}. Refused unread.`,
        entry.name,
      );
    byName.set(entry.name, entry);
  }
  if (!byName.has(MANIFEST_FILE))
    throw new DatasetImportError(
      'missing-manifest',
      `The zip has no ${MANIFEST_FILE}: it is not a dataset export.`,
    );
  if (!byName.has(SAMPLES_FILE))
    throw new DatasetImportError('missing-samples', `The zip has no ${SAMPLES_FILE}.`, SAMPLES_FILE);
  return byName;
}

function parseJson(bytes: Uint8Array, name: string, code: 'bad-manifest' | 'bad-json'): unknown {
  try {
    return JSON.parse(strFromU8(bytes));
  } catch (err) {
    throw new DatasetImportError(code, `${name} is not valid JSON (${(err as Error).message}).`, name);
  }
}

function parseManifest(bytes: Uint8Array): Manifest {
  const json = parseJson(bytes, MANIFEST_FILE, 'bad-manifest');
  const head = v.safeParse(ManifestHeadSchema, json);
  if (!head.success)
    throw new DatasetImportError(
      'bad-manifest',
      `${MANIFEST_FILE}: ${describeIssues(head.issues)}.`,
      MANIFEST_FILE,
    );
  if (head.output.format !== DATASET_FORMAT)
    throw new DatasetImportError(
      'wrong-format',
      `${MANIFEST_FILE} says format "${head.output.format}", not "${DATASET_FORMAT}".`,
      MANIFEST_FILE,
    );
  if (head.output.version !== DATASET_FORMAT_VERSION)
    throw new DatasetImportError(
      'unsupported-version',
      `The dataset is format version ${head.output.version}; this app reads version ${DATASET_FORMAT_VERSION}` +
        (head.output.version > DATASET_FORMAT_VERSION ? ' (it was made by a newer app).' : '.'),
      MANIFEST_FILE,
    );
  const manifest = v.safeParse(ManifestSchema, json);
  if (!manifest.success)
    throw new DatasetImportError(
      'bad-manifest',
      `${MANIFEST_FILE}: ${describeIssues(manifest.issues)}.`,
      MANIFEST_FILE,
    );
  return manifest.output;
}

function parseRecords(
  bytes: Uint8Array,
  manifest: Manifest,
): { images: ImageRecord[]; samples: SampleRecord[] } {
  const json = parseJson(bytes, SAMPLES_FILE, 'bad-json');
  for (const key of ['images', 'samples'] as const) {
    const list = (json as Record<string, unknown> | null)?.[key];
    if (Array.isArray(list) && list.length > LIMITS.samples)
      throw new DatasetImportError(
        'too-large',
        `${SAMPLES_FILE} lists ${list.length} ${key}; the limit is ${LIMITS.samples}.`,
        SAMPLES_FILE,
      );
  }
  const file = v.safeParse(SamplesFileSchema, json);
  if (!file.success)
    throw new DatasetImportError(
      'bad-record',
      `${SAMPLES_FILE}: ${describeIssues(file.issues)}.`,
      SAMPLES_FILE,
    );
  const images = file.output.images.map((raw, i) => {
    const parsed = v.safeParse(ImageRecordSchema, raw);
    if (parsed.success) return parsed.output;
    throw new DatasetImportError(
      'bad-record',
      `${SAMPLES_FILE}: images[${i}]: ${describeIssues(parsed.issues)}.`,
      `images[${i}]`,
    );
  });
  const samples = file.output.samples.map((raw, i) => {
    const parsed = v.safeParse(SampleRecordSchema, raw);
    if (parsed.success) return parsed.output;
    const id = typeof (raw as { id?: unknown })?.id === 'string' ? ` ("${(raw as { id: string }).id}")` : '';
    throw new DatasetImportError(
      'bad-record',
      `${SAMPLES_FILE}: samples[${i}]${id}: ${describeIssues(parsed.issues)}.`,
      `samples[${i}]`,
    );
  });
  checkDuplicates(images, samples);
  if (manifest.samples !== samples.length || manifest.images !== images.length)
    throw new DatasetImportError(
      'bad-manifest',
      `${MANIFEST_FILE} lists ${manifest.samples} samples and ${manifest.images} images; ${SAMPLES_FILE} has ` +
        `${samples.length} and ${images.length}.`,
      MANIFEST_FILE,
    );
  return { images, samples };
}

function firstDuplicate(ids: readonly string[]): string | null {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return null;
}

function checkDuplicates(images: readonly ImageRecord[], samples: readonly SampleRecord[]): void {
  const duplicateImage = firstDuplicate(images.map((i) => i.id));
  if (duplicateImage)
    throw new DatasetImportError('duplicate-id', `Image ${duplicateImage} is listed twice.`, duplicateImage);
  const duplicateSample = firstDuplicate(samples.map((s) => s.id));
  if (duplicateSample)
    throw new DatasetImportError(
      'duplicate-id',
      `Sample "${duplicateSample}" is listed twice.`,
      duplicateSample,
    );
}

/** Every reference resolves to a file of the zip, and every file of the zip is referenced. */
function checkReferences(
  images: readonly ImageRecord[],
  samples: readonly SampleRecord[],
  entries: ReadonlyMap<string, ZipEntry>,
): void {
  const referenced = new Set([MANIFEST_FILE, SAMPLES_FILE]);
  for (const image of images) {
    const expected = imagePath(image.id, image.type);
    if (image.file !== expected)
      throw new DatasetImportError(
        'bad-record',
        `Image ${image.id}: file is "${image.file}", expected "${expected}".`,
        image.file,
      );
    if (!entries.has(image.file))
      throw new DatasetImportError(
        'missing-image',
        `The zip has no ${image.file} (image ${image.id}).`,
        image.file,
      );
    referenced.add(image.file);
  }
  const imageIds = new Set(images.map((i) => i.id));
  for (const sample of samples) {
    if (!imageIds.has(sample.imageId))
      throw new DatasetImportError(
        'missing-image',
        `Sample "${sample.id}" refers to image ${sample.imageId}, which the zip does not list.`,
        sample.id,
      );
    const mask = sample.gt.mask;
    if (mask === null) continue;
    if (mask !== maskPath(sample.id))
      throw new DatasetImportError(
        'bad-record',
        `Sample "${sample.id}": mask is "${mask}", expected "${maskPath(sample.id)}".`,
        sample.id,
      );
    if (!entries.has(mask))
      throw new DatasetImportError(
        'missing-image',
        `The zip has no ${mask} (mask of sample "${sample.id}").`,
        mask,
      );
    referenced.add(mask);
  }
  for (const name of entries.keys())
    if (!referenced.has(name))
      throw new DatasetImportError(
        'unexpected-entry',
        `"${name}" is in the zip but no record refers to it.`,
        name,
      );
}

async function checkImage(record: ImageRecord, bytes: Uint8Array): Promise<StoredImage> {
  let valid;
  try {
    valid = await validateImageFile(new Blob([bytes as BlobPart]), record.file);
  } catch (err) {
    if (err instanceof ImageInputError)
      throw new DatasetImportError('bad-image', `${record.file}: ${err.message}`, record.file);
    throw err;
  }
  const mismatch =
    valid.id !== record.id
      ? `its bytes hash to ${valid.id.slice(0, 12)}…, not to its id`
      : valid.type !== record.type
        ? `it is ${valid.type}, not ${record.type}`
        : valid.width !== record.width || valid.height !== record.height
          ? `it is ${valid.width}×${valid.height}, not ${record.width}×${record.height}`
          : valid.bytes !== record.bytes
            ? `it has ${valid.bytes} bytes, not ${record.bytes}`
            : null;
  if (mismatch)
    throw new DatasetImportError(
      'bad-image',
      `${record.file} does not match its record: ${mismatch}.`,
      record.file,
    );
  return { ...valid, name: record.name, addedAt: record.addedAt };
}

function checkMask(path: string, bytes: Uint8Array, image: StoredImage): Blob {
  // The header's size is compared before the pixels are inflated.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.length >= 24 ? [view.getUint32(16), view.getUint32(20)] : [0, 0];
  if (size[0] !== image.width || size[1] !== image.height)
    throw new DatasetImportError(
      'bad-mask',
      `${path} is ${size[0]}×${size[1]}; its image is ${image.width}×${image.height}.`,
      path,
    );
  try {
    decodeMaskPng(bytes);
  } catch (err) {
    throw new DatasetImportError(
      'bad-mask',
      `${path} is not a readable PNG mask (${(err as Error).message}).`,
      path,
    );
  }
  return new Blob([bytes as BlobPart], { type: 'image/png' });
}

/**
 * Reads and checks a dataset zip completely; throws DatasetImportError naming the first problem. Writes nothing:
 * pass the result to writeDataset (or use importDatasetZip).
 */
export async function parseDatasetZip(bytes: Uint8Array): Promise<ParsedDataset> {
  const entries = checkEntries(listZip(bytes));
  const json = readZip(bytes, [entries.get(MANIFEST_FILE)!, entries.get(SAMPLES_FILE)!]);
  const manifest = parseManifest(json.get(MANIFEST_FILE)!);
  const records = parseRecords(json.get(SAMPLES_FILE)!, manifest);
  checkReferences(records.images, records.samples, entries);
  const files = readZip(
    bytes,
    [...entries.values()].filter(({ name }) => name !== MANIFEST_FILE && name !== SAMPLES_FILE),
  );
  const images = new Map<string, StoredImage>();
  for (const record of records.images)
    images.set(record.id, await checkImage(record, files.get(record.file)!));
  const samples = records.samples.map((record): StoredSample => {
    const image = images.get(record.imageId)!;
    const mask =
      record.gt.mask === null ? undefined : checkMask(record.gt.mask, files.get(record.gt.mask)!, image);
    return {
      id: record.id,
      imageId: record.imageId,
      query: record.query,
      gt: { bbox: record.gt.bbox, points: record.gt.points, ...(mask ? { mask } : {}) },
      difficulty: record.difficulty,
      difficultySource: record.difficultySource,
      ...(record.references ? { references: record.references } : {}),
      createdAt: record.createdAt,
    };
  });
  return { manifest, images: [...images.values()], samples };
}

/** Writes a parsed dataset in one transaction (all or nothing); samples with a stored id are replaced. */
export async function writeDataset(db: PlaygroundDb, dataset: ParsedDataset): Promise<ImportSummary> {
  const stored = new Set(await db.getAllKeys('samples'));
  await putSamples(db, dataset.images, dataset.samples);
  return {
    samples: dataset.samples.length,
    images: dataset.images.length,
    replaced: dataset.samples.filter((s) => stored.has(s.id)).length,
  };
}

/** Checks the whole zip, then writes it in one transaction; a refused zip changes nothing. */
export async function importDatasetZip(db: PlaygroundDb, bytes: Uint8Array): Promise<ImportSummary> {
  return writeDataset(db, await parseDatasetZip(bytes));
}
