// Writes the dataset zip: manifest.json, samples.json (image and sample records) and the image and mask files, by id.
import { zipSync, strToU8, type Zippable } from 'fflate';
import * as v from 'valibot';
import type { ImageFormat } from '../images';
import type { StoredImage, StoredSample } from '../store';
import {
  DATASET_FORMAT,
  DATASET_FORMAT_VERSION,
  imagePath,
  MANIFEST_FILE,
  maskPath,
  SAMPLES_FILE,
} from './format';
import {
  describeIssues,
  ImageRecordSchema,
  SampleRecordSchema,
  type ImageRecord,
  type Manifest,
  type SampleRecord,
} from './schema';

/** A sample left out of an export, and why. */
export interface SkippedSample {
  id: string;
  reason: string;
}

export interface DatasetExport {
  zip: Uint8Array;
  samples: number;
  images: number;
  skipped: SkippedSample[];
}

/** PNG/JPEG/… are compressed already: stored as they are; JSON is deflated. */
const STORE = { level: 0 } as const;
const DEFLATE = { level: 6 } as const;

function imageRecord(image: StoredImage): ImageRecord {
  const type = image.type as ImageFormat;
  return {
    id: image.id,
    file: imagePath(image.id, type),
    name: image.name,
    type,
    width: image.width,
    height: image.height,
    bytes: image.bytes,
    addedAt: image.addedAt,
  };
}

function sampleRecord(sample: StoredSample): SampleRecord {
  return {
    id: sample.id,
    imageId: sample.imageId,
    query: sample.query,
    gt: {
      bbox: [...sample.gt.bbox],
      points: [[...sample.gt.points[0]], [...sample.gt.points[1]]],
      mask: sample.gt.mask ? maskPath(sample.id) : null,
    },
    difficulty: sample.difficulty,
    difficultySource: sample.difficultySource,
    ...(sample.references ? { references: { ...sample.references } } : {}),
    createdAt: sample.createdAt,
  };
}

/**
 * The zip of the given samples and the images they show. Every record is checked against the schema the import
 * uses, so an export always imports: a sample that would not (its image is gone, a label out of range) is left
 * out and listed in `skipped`.
 */
export async function encodeDatasetZip(
  samples: readonly StoredSample[],
  images: ReadonlyMap<string, StoredImage>,
  now = Date.now(),
): Promise<DatasetExport> {
  const payload: Zippable = {};
  const imageRecords = new Map<string, ImageRecord>();
  const sampleRecords: SampleRecord[] = [];
  const skipped: SkippedSample[] = [];
  for (const sample of samples) {
    const image = images.get(sample.imageId);
    if (!image) {
      skipped.push({ id: sample.id, reason: 'its image is no longer stored' });
      continue;
    }
    const record = sampleRecord(sample);
    const checked = v.safeParse(SampleRecordSchema, record);
    const checkedImage = imageRecords.has(image.id)
      ? null
      : v.safeParse(ImageRecordSchema, imageRecord(image));
    if (!checked.success || (checkedImage && !checkedImage.success)) {
      const issues = !checked.success
        ? checked.issues
        : checkedImage && !checkedImage.success
          ? checkedImage.issues
          : [];
      skipped.push({ id: sample.id, reason: describeIssues(issues) });
      continue;
    }
    if (checkedImage?.success) {
      imageRecords.set(image.id, checkedImage.output);
      payload[checkedImage.output.file] = [new Uint8Array(await image.blob.arrayBuffer()), STORE];
    }
    if (sample.gt.mask)
      payload[maskPath(sample.id)] = [new Uint8Array(await sample.gt.mask.arrayBuffer()), STORE];
    sampleRecords.push(record);
  }
  const manifest: Manifest = {
    format: DATASET_FORMAT,
    version: DATASET_FORMAT_VERSION,
    createdAt: now,
    samples: sampleRecords.length,
    images: imageRecords.size,
  };
  const records = { images: [...imageRecords.values()], samples: sampleRecords };
  const files: Zippable = {
    [MANIFEST_FILE]: [strToU8(JSON.stringify(manifest, null, 2)), DEFLATE],
    [SAMPLES_FILE]: [strToU8(JSON.stringify(records)), DEFLATE],
    ...payload,
  };
  return { zip: zipSync(files), samples: sampleRecords.length, images: imageRecords.size, skipped };
}
