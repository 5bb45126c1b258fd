// Checks an image a user opens (real type by its bytes, size, dimensions, that it decodes) before anything keeps it.
import { decodePng } from './png';

export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
export const MAX_IMAGE_SIDE = 16_384;
export const MAX_IMAGE_PIXELS = 50_000_000;
export const MIN_IMAGE_SIDE = 8;

export type ImageInputErrorCode =
  'empty' | 'too-large' | 'unsupported-type' | 'decode-failed' | 'too-small' | 'too-many-pixels';

export class ImageInputError extends Error {
  override readonly name = 'ImageInputError';
  constructor(
    readonly code: ImageInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ImageFormat =
  'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | 'image/bmp' | 'image/avif';

const startsWith = (bytes: Uint8Array, prefix: number[], offset = 0) =>
  prefix.every((b, i) => bytes[offset + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The format the bytes really are (file names and MIME types lie), or null for anything else. */
export function sniffImageFormat(head: Uint8Array): ImageFormat | null {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'image/webp';
  if (startsWith(head, ascii('BM'))) return 'image/bmp';
  if (
    startsWith(head, ascii('ftyp'), 4) &&
    (startsWith(head, ascii('avif'), 8) || startsWith(head, ascii('avis'), 8))
  )
    return 'image/avif';
  return null;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Checks what can be known before decoding; throws ImageInputError with a sentence for the user. */
export function checkImageBytes(name: string, head: Uint8Array, byteLength: number): ImageFormat {
  if (byteLength === 0) throw new ImageInputError('empty', `"${name}" is empty.`);
  if (byteLength > MAX_IMAGE_BYTES)
    throw new ImageInputError(
      'too-large',
      `"${name}" is ${megabytes(byteLength)}; the limit is ${megabytes(MAX_IMAGE_BYTES)}.`,
    );
  const format = sniffImageFormat(head);
  if (!format)
    throw new ImageInputError(
      'unsupported-type',
      `"${name}" is not a PNG, JPEG, GIF, WebP, BMP or AVIF image (checked by its content, not its name).`,
    );
  return format;
}

/** Checks decoded dimensions: too small to segment, or too many pixels to hold safely in a tab. */
export function checkImageDimensions(name: string, width: number, height: number): void {
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE)
    throw new ImageInputError(
      'too-small',
      `"${name}" is ${width}×${height}; each side must be at least ${MIN_IMAGE_SIDE} px.`,
    );
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS)
    throw new ImageInputError(
      'too-many-pixels',
      `"${name}" is ${width}×${height}; the limit is ${MAX_IMAGE_SIDE} px a side and ${MAX_IMAGE_PIXELS / 1e6} megapixels.`,
    );
}

export interface ValidatedImage {
  id: string;
  blob: Blob;
  name: string;
  type: ImageFormat;
  width: number;
  height: number;
  bytes: number;
}

async function sha256Hex(buffer: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Reads only the header first, so a huge file is refused for its size without reading it. */
async function readHeader(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, 32).arrayBuffer());
}

/** Decodes an image far enough to know its size (createImageBitmap in browsers); ImageInputError when it cannot. */
async function decodedSize(blob: Blob, name: string): Promise<{ width: number; height: number }> {
  if (typeof createImageBitmap !== 'function') return decodedPngSize(blob, name);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    throw new ImageInputError(
      'decode-failed',
      `"${name}" could not be decoded: the file is damaged or truncated.`,
    );
  }
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
}

/** Without createImageBitmap (Node: CLIs and unit tests) PNGs are decoded by the app's own codec; other types are not. */
async function decodedPngSize(blob: Blob, name: string): Promise<{ width: number; height: number }> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  if (sniffImageFormat(bytes) !== 'image/png')
    throw new ImageInputError(
      'decode-failed',
      `"${name}" cannot be decoded here: only PNG is decoded outside a browser.`,
    );
  // The header's size is checked before the pixels are inflated.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24) checkImageDimensions(name, view.getUint32(16), view.getUint32(20));
  try {
    const { width, height } = decodePng(bytes);
    return { width, height };
  } catch {
    throw new ImageInputError(
      'decode-failed',
      `"${name}" could not be decoded: the file is damaged or truncated.`,
    );
  }
}

/** Validates a file from the picker, a drop, a paste or a dataset zip; runs on the main thread, in a worker or in Node (PNG). */
export async function validateImageFile(
  file: Blob,
  name = file instanceof File ? file.name : 'image',
): Promise<ValidatedImage> {
  const format = checkImageBytes(name, await readHeader(file), file.size);
  const buffer = await file.arrayBuffer();
  // Re-wrap with the sniffed type so what is stored says what the bytes are.
  const blob = new Blob([buffer], { type: format });
  const { width, height } = await decodedSize(blob, name);
  checkImageDimensions(name, width, height);
  return { id: await sha256Hex(buffer), blob, name, type: format, width, height, bytes: buffer.byteLength };
}

/**
 * Decodes an image to row-major RGBA pixels (main thread or worker): what models are fed. With `size` the image is
 * drawn stretched to that size (aspect ratio not kept, as the policy's 840 frame).
 */
export async function decodeToRgba(
  blob: Blob,
  size?: { width: number; height: number },
): Promise<{ rgba: Uint8ClampedArray; width: number; height: number }> {
  const bitmap = await createImageBitmap(blob);
  try {
    const width = size?.width ?? bitmap.width;
    const height = size?.height ?? bitmap.height;
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context)
      throw new ImageInputError('decode-failed', 'This browser cannot read image pixels (no 2D canvas).');
    context.drawImage(bitmap, 0, 0, width, height);
    const { data } = context.getImageData(0, 0, width, height);
    return { rgba: data, width, height };
  } finally {
    bitmap.close();
  }
}
