// Builders for the dataset tests: real PNG images and masks, stored samples, a zip's files to tamper with, a store snapshot.
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { validateImageFile } from '../images';
import { encodeMaskPng, encodeRgbaPng } from '../png';
import type { PlaygroundDb, StoredImage, StoredSample } from '../store';

/** A small opaque PNG whose pixels depend on `seed`, so different seeds give different image ids. */
export function pngBytes(width: number, height: number, seed = 1): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++)
    rgba.set([(i * seed) % 251, (i + seed * 40) % 256, seed % 256, 255], i * 4);
  return encodeRgbaPng(rgba, width, height);
}

/** A stored image made through the app's own validation (the Node path decodes PNG with the app's codec). */
export async function storedImage(width: number, height: number, seed = 1): Promise<StoredImage> {
  const valid = await validateImageFile(
    new Blob([pngBytes(width, height, seed) as BlobPart]),
    `image-${seed}.png`,
  );
  return { ...valid, addedAt: 1000 + seed };
}

/** A rectangle mask PNG at the image's size. */
export function maskBlob(width: number, height: number, box: [number, number, number, number]): Blob {
  const mask = new Uint8Array(width * height);
  for (let y = box[1]; y <= box[3]; y++) for (let x = box[0]; x <= box[2]; x++) mask[y * width + x] = 1;
  return new Blob([encodeMaskPng(mask, width, height) as BlobPart], { type: 'image/png' });
}

export function sampleOf(image: StoredImage, id: string, fields: Partial<StoredSample> = {}): StoredSample {
  return {
    id,
    imageId: image.id,
    query: `the object of ${id}`,
    gt: {
      bbox: [100, 120, 300, 400],
      points: [
        [150, 200],
        [250, 350],
      ],
    },
    difficulty: 4.5,
    difficultySource: 'user',
    createdAt: 2000,
    ...fields,
  };
}

/** The files of a zip, to change one and zip them again. */
export function unzipFiles(zip: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(zip);
}

export function rezip(files: Record<string, Uint8Array>): Uint8Array {
  const zippable: Zippable = {};
  for (const [name, data] of Object.entries(files)) zippable[name] = data;
  return zipSync(zippable);
}

export function readJson<T = Record<string, unknown>>(files: Record<string, Uint8Array>, name: string): T {
  return JSON.parse(strFromU8(files[name]!)) as T;
}

export function writeJson(files: Record<string, Uint8Array>, name: string, value: unknown): void {
  files[name] = strToU8(JSON.stringify(value));
}

/**
 * Sets the uncompressed size a zip's central directory declares for one entry (a zip bomb lies about it):
 * the 4 bytes at offset 24 of the entry's central directory header.
 */
export function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const encoded = strToU8(name);
  for (let at = out.length - 46; at >= 0; at--) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    const found = out.subarray(at + 46, at + 46 + nameLength);
    if (nameLength === encoded.length && found.every((b, i) => b === encoded[i])) {
      view.setUint32(at + 24, size, true);
      return out;
    }
  }
  throw new Error(`no central directory entry for ${name}`);
}

/** Everything in the images and samples stores, blobs as bytes and types: equal snapshots (toEqual) mean an unchanged store. */
export async function snapshot(db: PlaygroundDb): Promise<unknown> {
  const bytes = async (blob: Blob | undefined) =>
    blob ? { type: blob.type, bytes: [...new Uint8Array(await blob.arrayBuffer())] } : null;
  const images = await Promise.all(
    (await db.getAll('images')).map(async (i) => ({ ...i, blob: await bytes(i.blob) })),
  );
  const samples = await Promise.all(
    (await db.getAll('samples')).map(async (s) => ({ ...s, gt: { ...s.gt, mask: await bytes(s.gt.mask) } })),
  );
  return JSON.parse(JSON.stringify({ images, samples })) as unknown;
}
