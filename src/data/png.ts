// The one PNG codec of the app: encodes RGBA, 8-bit grey and 1-bit masks and decodes PNGs, with fflate, identically in Node and browsers.
import { unzlibSync, zlibSync } from 'fflate';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOUR_GREY = 0;
const COLOUR_RGB = 2;
const COLOUR_PALETTE = 3;
const COLOUR_GREY_ALPHA = 4;
const COLOUR_RGBA = 6;
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Level 6 is zlib's default; fixed so that the same pixels always give the same bytes. */
const DEFLATE_LEVEL = 6;

export class PngError extends Error {
  override readonly name = 'PngError';
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++)
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

function readUint32(source: Uint8Array, offset: number): number {
  return (
    (((source[offset] as number) << 24) |
      ((source[offset + 1] as number) << 16) |
      ((source[offset + 2] as number) << 8) |
      (source[offset + 3] as number)) >>>
    0
  );
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  writeUint32(out, 0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  writeUint32(out, 8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/**
 * Applies filter `type` to one row (PNG spec §9.2). `previous` is the unfiltered row above (all zeros for
 * the first row). One loop per type: this runs over every byte of every image five times.
 */
function filterRow(type: number, row: Uint8Array, previous: Uint8Array, bpp: number, out: Uint8Array): void {
  const n = row.length;
  const head = Math.min(bpp, n);
  if (type === 1) {
    for (let i = 0; i < head; i++) out[i] = row[i] as number;
    for (let i = bpp; i < n; i++) out[i] = ((row[i] as number) - (row[i - bpp] as number)) & 0xff;
  } else if (type === 2) {
    for (let i = 0; i < n; i++) out[i] = ((row[i] as number) - (previous[i] as number)) & 0xff;
  } else if (type === 3) {
    for (let i = 0; i < head; i++) out[i] = ((row[i] as number) - ((previous[i] as number) >> 1)) & 0xff;
    for (let i = bpp; i < n; i++)
      out[i] = ((row[i] as number) - (((row[i - bpp] as number) + (previous[i] as number)) >> 1)) & 0xff;
  } else {
    for (let i = 0; i < head; i++) out[i] = ((row[i] as number) - (previous[i] as number)) & 0xff;
    for (let i = bpp; i < n; i++)
      out[i] =
        ((row[i] as number) -
          paeth(row[i - bpp] as number, previous[i] as number, previous[i - bpp] as number)) &
        0xff;
  }
}

function absoluteSum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) {
    const value = bytes[i] as number;
    sum += value < 128 ? value : 256 - value;
  }
  return sum;
}

/**
 * Filters every row with the type that minimises the sum of absolute signed bytes (libpng's heuristic);
 * images under 8 bits per pixel use no filter, as the spec recommends.
 */
function filterRows(
  raw: Uint8Array,
  rowBytes: number,
  height: number,
  bpp: number,
  adaptive: boolean,
): Uint8Array {
  const out = new Uint8Array((rowBytes + 1) * height);
  const candidate = new Uint8Array(rowBytes);
  const zeros = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * rowBytes, (y + 1) * rowBytes);
    const previous = y > 0 ? raw.subarray((y - 1) * rowBytes, y * rowBytes) : zeros;
    const target = out.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    target.set(row);
    let bestType = 0;
    let bestCost = adaptive ? absoluteSum(row) : 0;
    for (let type = 1; adaptive && type <= 4; type++) {
      filterRow(type, row, previous, bpp, candidate);
      const cost = absoluteSum(candidate);
      if (cost < bestCost) {
        bestCost = cost;
        bestType = type;
        target.set(candidate);
      }
    }
    out[y * (rowBytes + 1)] = bestType;
  }
  return out;
}

function checkDimensions(width: number, height: number, length: number, channels: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new PngError(`image size must be positive integers, got ${width}×${height}`);
  if (length !== width * height * channels)
    throw new PngError(
      `expected ${width * height * channels} values for ${width}×${height}×${channels}, got ${length}`,
    );
}

function encode(
  raw: Uint8Array,
  width: number,
  height: number,
  colourType: number,
  bitDepth: number,
  rowBytes: number,
): Uint8Array {
  const header = new Uint8Array(13);
  writeUint32(header, 0, width);
  writeUint32(header, 4, height);
  header.set([bitDepth, colourType, 0, 0, 0], 8);
  const bpp = Math.max(1, ((CHANNELS[colourType] as number) * bitDepth) >> 3);
  const filtered = filterRows(raw, rowBytes, height, bpp, bitDepth >= 8);
  return concat([
    Uint8Array.from(SIGNATURE),
    chunk('IHDR', header),
    chunk('IDAT', zlibSync(filtered, { level: DEFLATE_LEVEL })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function isOpaque(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}

/**
 * PNG of row-major RGBA pixels. An image that is fully opaque is stored as 8-bit RGB (a quarter less to
 * compress, same pixels after decodePng); anything with transparency as 8-bit RGBA.
 */
export function encodeRgbaPng(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
): Uint8Array {
  checkDimensions(width, height, rgba.length, 4);
  const raw = new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length);
  if (!isOpaque(raw)) return encode(raw, width, height, COLOUR_RGBA, 8, width * 4);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < raw.length; i += 4, j += 3) {
    rgb[j] = raw[i] as number;
    rgb[j + 1] = raw[i + 1] as number;
    rgb[j + 2] = raw[i + 2] as number;
  }
  return encode(rgb, width, height, COLOUR_RGB, 8, width * 3);
}

/** 8-bit grey PNG of row-major grey values. */
export function encodeGreyPng(grey: Uint8Array, width: number, height: number): Uint8Array {
  checkDimensions(width, height, grey.length, 1);
  return encode(grey, width, height, COLOUR_GREY, 8, width);
}

/**
 * A binary mask (non-zero = inside) as a grey PNG, white on black: 1-bit (smallest) or 8-bit (0/255,
 * for tools that dislike 1-bit PNGs).
 */
export function encodeMaskPng(
  mask: Uint8Array,
  width: number,
  height: number,
  bitDepth: 1 | 8 = 1,
): Uint8Array {
  checkDimensions(width, height, mask.length, 1);
  if (bitDepth === 8)
    return encodeGreyPng(
      mask.map((v) => (v ? 255 : 0)),
      width,
      height,
    );
  const rowBytes = Math.ceil(width / 8);
  const packed = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * rowBytes + (x >> 3);
      if (mask[y * width + x]) packed[i] = (packed[i] as number) | (0x80 >> (x & 7));
    }
  return encode(packed, width, height, COLOUR_GREY, 1, rowBytes);
}

export interface DecodedPng {
  width: number;
  height: number;
  /** The file's own layout. */
  colourType: number;
  bitDepth: number;
  /** Always expanded to 8-bit RGBA, row-major. */
  rgba: Uint8ClampedArray;
}

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
}

const VALID_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function parseHeader(data: Uint8Array): Header {
  if (data.length !== 13) throw new PngError('IHDR chunk has the wrong length');
  const header = {
    width: readUint32(data, 0),
    height: readUint32(data, 4),
    bitDepth: data[8] as number,
    colourType: data[9] as number,
  };
  if (header.width === 0 || header.height === 0) throw new PngError('PNG has zero width or height');
  if (!VALID_DEPTHS[header.colourType]?.includes(header.bitDepth))
    throw new PngError(`unsupported colour type ${header.colourType} with bit depth ${header.bitDepth}`);
  if (data[10] !== 0 || data[11] !== 0) throw new PngError('unknown compression or filter method');
  if (data[12] !== 0) throw new PngError('interlaced PNGs are not supported');
  return header;
}

function unfilter(data: Uint8Array, rowBytes: number, height: number, bpp: number): Uint8Array {
  if (data.length < (rowBytes + 1) * height) throw new PngError('PNG image data is truncated');
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const type = data[y * (rowBytes + 1)] as number;
    if (type > 4) throw new PngError(`bad filter type ${type} on row ${y}`);
    const source = data.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    const row = out.subarray(y * rowBytes, (y + 1) * rowBytes);
    const previous = y > 0 ? out.subarray((y - 1) * rowBytes, y * rowBytes) : null;
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? (row[i - bpp] as number) : 0;
      const b = previous ? (previous[i] as number) : 0;
      let predictor = 0;
      if (type === 1) predictor = a;
      else if (type === 2) predictor = b;
      else if (type === 3) predictor = (a + b) >> 1;
      else if (type === 4) predictor = paeth(a, b, previous && i >= bpp ? (previous[i - bpp] as number) : 0);
      row[i] = ((source[i] as number) + predictor) & 0xff;
    }
  }
  return out;
}

/** Sample `index` of a row as an 8-bit value (sub-byte samples scaled up, 16-bit ones keep the high byte). */
function sampleAt(row: Uint8Array, rowOffset: number, index: number, bitDepth: number): number {
  if (bitDepth === 8) return row[rowOffset + index] as number;
  if (bitDepth === 16) return row[rowOffset + index * 2] as number;
  const bitOffset = index * bitDepth;
  const byte = row[rowOffset + (bitOffset >> 3)] as number;
  return (byte >> (8 - bitDepth - (bitOffset & 7))) & ((1 << bitDepth) - 1);
}

function sampleRaw16(row: Uint8Array, rowOffset: number, index: number): number {
  return ((row[rowOffset + index * 2] as number) << 8) | (row[rowOffset + index * 2 + 1] as number);
}

function toRgba(
  pixels: Uint8Array,
  header: Header,
  palette: Uint8Array | null,
  transparency: Uint8Array | null,
): Uint8ClampedArray {
  const { width, height, bitDepth, colourType } = header;
  const channels = CHANNELS[colourType] as number;
  const rowBytes = Math.ceil((width * channels * bitDepth) / 8);
  const rgba = new Uint8ClampedArray(width * height * 4);
  // The layouts this app writes itself get a direct path; everything else goes through sampleAt.
  if (colourType === COLOUR_RGBA && bitDepth === 8) {
    rgba.set(pixels);
    return rgba;
  }
  if (colourType === COLOUR_RGB && bitDepth === 8 && !transparency) {
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgba[i] = pixels[j] as number;
      rgba[i + 1] = pixels[j + 1] as number;
      rgba[i + 2] = pixels[j + 2] as number;
      rgba[i + 3] = 255;
    }
    return rgba;
  }
  if (colourType === COLOUR_GREY && bitDepth === 8 && !transparency) {
    for (let i = 0; i < width * height; i++) {
      const grey = pixels[i] as number;
      rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = grey;
      rgba[i * 4 + 3] = 255;
    }
    return rgba;
  }
  const greyScale = bitDepth < 8 ? 255 / ((1 << bitDepth) - 1) : 1;
  for (let y = 0; y < height; y++) {
    const rowOffset = y * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const s = (k: number) => sampleAt(pixels, rowOffset, x * channels + k, bitDepth);
      if (colourType === COLOUR_PALETTE) {
        const index = s(0);
        if (!palette || index * 3 + 2 >= palette.length)
          throw new PngError(`palette index ${index} out of range`);
        rgba.set(
          [palette[index * 3] as number, palette[index * 3 + 1] as number, palette[index * 3 + 2] as number],
          o,
        );
        rgba[o + 3] = transparency && index < transparency.length ? (transparency[index] as number) : 255;
      } else if (colourType === COLOUR_GREY || colourType === COLOUR_GREY_ALPHA) {
        const grey = bitDepth < 8 ? Math.round(s(0) * greyScale) : s(0);
        rgba[o] = rgba[o + 1] = rgba[o + 2] = grey;
        rgba[o + 3] =
          colourType === COLOUR_GREY_ALPHA
            ? s(1)
            : isTransparentGrey(pixels, rowOffset, x, header, transparency)
              ? 0
              : 255;
      } else {
        rgba[o] = s(0);
        rgba[o + 1] = s(1);
        rgba[o + 2] = s(2);
        rgba[o + 3] =
          colourType === COLOUR_RGBA
            ? s(3)
            : isTransparentRgb(pixels, rowOffset, x, bitDepth, transparency)
              ? 0
              : 255;
      }
    }
  }
  return rgba;
}

function isTransparentGrey(
  pixels: Uint8Array,
  rowOffset: number,
  x: number,
  header: Header,
  transparency: Uint8Array | null,
): boolean {
  if (!transparency || transparency.length < 2) return false;
  const key = readUint16(transparency, 0);
  const value =
    header.bitDepth === 16
      ? sampleRaw16(pixels, rowOffset, x)
      : sampleAt(pixels, rowOffset, x, header.bitDepth);
  return value === key;
}

function isTransparentRgb(
  pixels: Uint8Array,
  rowOffset: number,
  x: number,
  bitDepth: number,
  transparency: Uint8Array | null,
): boolean {
  if (!transparency || transparency.length < 6) return false;
  for (let k = 0; k < 3; k++) {
    const value =
      bitDepth === 16 ? sampleRaw16(pixels, rowOffset, x * 3 + k) : sampleAt(pixels, rowOffset, x * 3 + k, 8);
    if (value !== readUint16(transparency, k * 2)) return false;
  }
  return true;
}

function readUint16(source: Uint8Array, offset: number): number {
  return ((source[offset] as number) << 8) | (source[offset + 1] as number);
}

/** Decodes a non-interlaced PNG of any standard colour type and bit depth; checks every chunk's CRC. */
export function decodePng(bytes: Uint8Array): DecodedPng {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b))
    throw new PngError('not a PNG (bad signature)');
  let header: Header | null = null;
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const data: Uint8Array[] = [];
  let offset = 8;
  let ended = false;
  while (offset + 12 <= bytes.length && !ended) {
    const length = readUint32(bytes, offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (offset + 12 + length > bytes.length)
      throw new PngError(`chunk ${type} runs past the end of the file`);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== readUint32(bytes, offset + 8 + length))
      throw new PngError(`chunk ${type} has a bad CRC`);
    if (type === 'IHDR') header = parseHeader(body);
    else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') transparency = body;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  if (!header) throw new PngError('PNG has no IHDR chunk');
  if (data.length === 0) throw new PngError('PNG has no image data');
  const channels = CHANNELS[header.colourType] as number;
  const rowBytes = Math.ceil((header.width * channels * header.bitDepth) / 8);
  const bpp = Math.max(1, (channels * header.bitDepth) >> 3);
  let inflated: Uint8Array;
  try {
    inflated = unzlibSync(concat(data));
  } catch (error) {
    throw new PngError(`PNG image data does not inflate: ${(error as Error).message}`);
  }
  const pixels = unfilter(inflated, rowBytes, header.height, bpp);
  return {
    width: header.width,
    height: header.height,
    colourType: header.colourType,
    bitDepth: header.bitDepth,
    rgba: toRgba(pixels, header, palette, transparency),
  };
}

/** A mask PNG back as 0/1 values: a pixel is inside when its red (= grey) value is at least 128. */
export function decodeMaskPng(bytes: Uint8Array): { width: number; height: number; mask: Uint8Array } {
  const { width, height, rgba } = decodePng(bytes);
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = (rgba[i * 4] as number) >= 128 ? 1 : 0;
  return { width, height, mask };
}
