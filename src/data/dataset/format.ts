// The dataset zip format: its name, version, file layout and the limits an import enforces before reading anything.
import { FRAME } from '../shapeworld/attributes';
import type { ImageFormat } from '../images';

/** The `format` field of manifest.json: what makes a zip one of ours. */
export const DATASET_FORMAT = 'pixelthink-playground-dataset';
/** Bump when the layout or a record changes; an import refuses versions it does not know. */
export const DATASET_FORMAT_VERSION = 1;

export const MANIFEST_FILE = 'manifest.json';
export const SAMPLES_FILE = 'samples.json';

/** Ground truth lives in the policy's square frame: integer pixels 0..FRAME−1. */
export const LABEL_FRAME = FRAME;

const EXTENSIONS: Record<ImageFormat, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/avif': 'avif',
};

/** Where an image lives in the zip: by its content id (SHA-256), with the extension of its real type. */
export function imagePath(id: string, type: ImageFormat): string {
  return `images/${id}.${EXTENSIONS[type]}`;
}

/** Where a sample's ground-truth mask lives in the zip (sample ids are file-name safe). */
export function maskPath(sampleId: string): string {
  return `masks/${sampleId}.png`;
}

/** Limits checked against the zip's directory before one byte is inflated: a zip bomb is refused unread. */
export const LIMITS = {
  /** The zip file itself. */
  zipBytes: 2 * 1024 * 1024 * 1024,
  /** Files in the zip, directories not counted. */
  entries: 50_000,
  /** Declared uncompressed bytes of all files together. */
  totalBytes: 2 * 1024 * 1024 * 1024,
  /** manifest.json, uncompressed. */
  manifestBytes: 64 * 1024,
  /** samples.json, uncompressed. */
  samplesBytes: 64 * 1024 * 1024,
  /** One mask PNG, uncompressed. */
  maskBytes: 8 * 1024 * 1024,
  samples: 20_000,
  queryLength: 1000,
  referenceLength: 100_000,
  nameLength: 255,
} as const;
