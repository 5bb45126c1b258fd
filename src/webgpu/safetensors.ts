// Reads and writes the safetensors format (u64 header length, JSON header, little-endian data) with strict checks.
import { bf16ToF16, f16ToF32, f32ToF16 } from './f16';

export type SafetensorsDType = 'F32' | 'F16' | 'BF16' | 'I32' | 'I64' | 'I8' | 'U8';

const BYTES_PER_ELEMENT: Record<SafetensorsDType, number> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I32: 4,
  I64: 8,
  I8: 1,
  U8: 1,
};

/** Header limit from the reference implementation: guards against a corrupt length allocating gigabytes. */
const MAX_HEADER_BYTES = 100_000_000;

export type SafetensorsErrorCode =
  | 'too-short'
  | 'header-too-large'
  | 'header-not-json'
  | 'bad-entry'
  | 'unknown-dtype'
  | 'out-of-bounds'
  | 'size-mismatch'
  | 'overlap-or-gap'
  | 'value-out-of-range'
  | 'unsupported-write';

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  constructor(
    readonly code: SafetensorsErrorCode,
    message: string,
  ) {
    super(`safetensors: ${message}`);
  }
}

export interface SafetensorsEntry {
  dtype: SafetensorsDType;
  shape: number[];
  /** The raw little-endian bytes of this tensor (a view into the input, not a copy). */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

interface RawEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

function isDType(value: unknown): value is SafetensorsDType {
  return typeof value === 'string' && value in BYTES_PER_ELEMENT;
}

function readHeaderJson(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.byteLength < 8)
    throw new SafetensorsError('too-short', `${bytes.byteLength} bytes cannot hold a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (length > MAX_HEADER_BYTES) throw new SafetensorsError('header-too-large', `header of ${length} bytes`);
  if (8 + length > bytes.byteLength) {
    throw new SafetensorsError(
      'too-short',
      `header of ${length} bytes exceeds the ${bytes.byteLength}-byte file`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length)));
  } catch (err) {
    throw new SafetensorsError('header-not-json', err instanceof Error ? err.message : String(err));
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError('header-not-json', 'header is not a JSON object');
  }
  return { header: header as Record<string, unknown>, dataStart: 8 + length };
}

function parseEntry(name: string, value: unknown): RawEntry {
  if (value === null || typeof value !== 'object')
    throw new SafetensorsError('bad-entry', `${name} is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isDType(dtype)) throw new SafetensorsError('unknown-dtype', `${name} has dtype ${String(dtype)}`);
  const validShape =
    Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0);
  const validOffsets =
    Array.isArray(offsets) &&
    offsets.length === 2 &&
    offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0);
  if (!validShape || !validOffsets)
    throw new SafetensorsError('bad-entry', `${name} has a malformed shape or data_offsets`);
  const [begin, end] = offsets as [number, number];
  return { name, dtype, shape: shape as number[], begin, end };
}

/** Offsets must tile the data section exactly: sorted, contiguous, from 0 to its end, sizes matching shapes. */
function validateLayout(entries: RawEntry[], dataLength: number): void {
  for (const entry of entries) {
    if (entry.end < entry.begin || entry.end > dataLength) {
      throw new SafetensorsError(
        'out-of-bounds',
        `${entry.name} spans [${entry.begin}, ${entry.end}) of ${dataLength} bytes`,
      );
    }
    const expected = entry.shape.reduce((n, d) => n * d, 1) * BYTES_PER_ELEMENT[entry.dtype];
    if (expected !== entry.end - entry.begin) {
      throw new SafetensorsError(
        'size-mismatch',
        `${entry.name} ${entry.dtype}[${entry.shape.join(', ')}] needs ${expected} bytes, has ${entry.end - entry.begin}`,
      );
    }
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const entry of sorted) {
    if (entry.begin !== cursor) {
      throw new SafetensorsError(
        'overlap-or-gap',
        `${entry.name} starts at ${entry.begin}, expected ${cursor}`,
      );
    }
    cursor = entry.end;
  }
  if (cursor !== dataLength) {
    throw new SafetensorsError('overlap-or-gap', `tensors cover ${cursor} of ${dataLength} data bytes`);
  }
}

function parseMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  const valid =
    value !== null && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'string');
  if (!valid) throw new SafetensorsError('bad-entry', '__metadata__ must map strings to strings');
  return value as Record<string, string>;
}

/** Parses and validates a whole file held in memory. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { header, dataStart } = readHeaderJson(bytes);
  const raw = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, value]) => parseEntry(name, value));
  const dataLength = bytes.byteLength - dataStart;
  validateLayout(raw, dataLength);
  const entries = new Map<string, SafetensorsEntry>();
  for (const entry of raw) {
    entries.set(entry.name, {
      dtype: entry.dtype,
      shape: entry.shape,
      bytes: bytes.subarray(dataStart + entry.begin, dataStart + entry.end),
    });
  }
  return { entries, metadata: parseMetadata(header.__metadata__) };
}

/** bf16 is the top half of an f32: widen each value by 16 zero bits. */
function bf16ToF32(view: DataView, count: number): Float32Array {
  const widened = new Uint32Array(count);
  for (let i = 0; i < count; i++) widened[i] = view.getUint16(2 * i, true) << 16;
  return new Float32Array(widened.buffer);
}

/** Decodes an entry: floats (F32/F16/BF16) to Float32Array, integers to Int32Array (I64 must fit in i32). */
export function decodeEntry(entry: SafetensorsEntry): Float32Array | Int32Array {
  const view = new DataView(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
  const count = entry.bytes.byteLength / BYTES_PER_ELEMENT[entry.dtype];
  switch (entry.dtype) {
    case 'F32':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
    case 'F16':
      return Float32Array.from({ length: count }, (_, i) => f16ToF32(view.getUint16(2 * i, true)));
    case 'BF16':
      return bf16ToF32(view, count);
    case 'I32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
    case 'I64':
      return Int32Array.from({ length: count }, (_, i) => {
        const value = view.getBigInt64(8 * i, true);
        if (value > 2147483647n || value < -2147483648n) {
          throw new SafetensorsError('value-out-of-range', `I64 value ${value} does not fit in i32`);
        }
        return Number(value);
      });
    case 'I8':
      return Int32Array.from({ length: count }, (_, i) => view.getInt8(i));
    case 'U8':
      return Int32Array.from({ length: count }, (_, i) => view.getUint8(i));
  }
}

/**
 * A float entry as IEEE halves, for weights kept as packed f16: F16 bytes as they are (a view when 2-byte aligned),
 * BF16 and F32 rounded to nearest even per value, never through a full f32 copy. Integer dtypes are rejected.
 */
export function decodeEntryAsF16(entry: SafetensorsEntry): Uint16Array {
  const { bytes, dtype } = entry;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength / BYTES_PER_ELEMENT[dtype];
  switch (dtype) {
    case 'F16':
      return bytes.byteOffset % 2 === 0
        ? new Uint16Array(bytes.buffer, bytes.byteOffset, count)
        : Uint16Array.from({ length: count }, (_, i) => view.getUint16(2 * i, true));
    case 'BF16':
      return Uint16Array.from({ length: count }, (_, i) => bf16ToF16(view.getUint16(2 * i, true)));
    case 'F32':
      return Uint16Array.from({ length: count }, (_, i) => f32ToF16(view.getFloat32(4 * i, true)));
    default:
      throw new SafetensorsError('bad-entry', `${dtype} is not a float dtype`);
  }
}

/** The dtypes `writeSafetensors` encodes (BF16 and I64 are read-only). */
export type WritableDType = 'F32' | 'F16' | 'I32' | 'I8' | 'U8';

export interface TensorToWrite {
  dtype: WritableDType;
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** Little-endian writer of element i per dtype. */
const WRITERS: Record<WritableDType, (view: DataView, i: number, value: number) => void> = {
  F32: (view, i, value) => view.setFloat32(4 * i, value, true),
  F16: (view, i, value) => view.setUint16(2 * i, f32ToF16(value), true),
  I32: (view, i, value) => view.setInt32(4 * i, value, true),
  I8: (view, i, value) => view.setInt8(i, value),
  U8: (view, i, value) => view.setUint8(i, value),
};

/** Integer dtypes take integers in range only: DataView would silently wrap 300 into a U8 44. */
const INTEGER_RANGES: Partial<Record<WritableDType, readonly [number, number]>> = {
  I32: [-2147483648, 2147483647],
  I8: [-128, 127],
  U8: [0, 255],
};

function checkIntegers(name: string, tensor: TensorToWrite): void {
  const range = INTEGER_RANGES[tensor.dtype];
  if (!range) return;
  for (let i = 0; i < tensor.data.length; i++) {
    const value = tensor.data[i] as number;
    if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
      throw new SafetensorsError('value-out-of-range', `${name}: ${value} at ${i} is not a ${tensor.dtype}`);
    }
  }
}

function encode(name: string, tensor: TensorToWrite): Uint8Array {
  const count = tensor.shape.reduce((n, d) => n * d, 1);
  if (count !== tensor.data.length) {
    throw new SafetensorsError(
      'size-mismatch',
      `${name}: ${tensor.data.length} values for shape [${tensor.shape.join(', ')}]`,
    );
  }
  checkIntegers(name, tensor);
  const out = new Uint8Array(count * BYTES_PER_ELEMENT[tensor.dtype]);
  const view = new DataView(out.buffer);
  const write = WRITERS[tensor.dtype];
  for (let i = 0; i < count; i++) write(view, i, tensor.data[i] as number);
  return out;
}

/** Serialises tensors in the given order; the header is space-padded so data starts 8-byte aligned. */
export function writeSafetensors(
  tensors: Readonly<Record<string, TensorToWrite>>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (!Object.hasOwn(WRITERS, tensor.dtype)) {
      throw new SafetensorsError('unsupported-write', `${name}: cannot write ${tensor.dtype}`);
    }
    const blob = encode(name, tensor);
    header[name] = {
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      data_offsets: [offset, offset + blob.byteLength],
    };
    blobs.push(blob);
    offset += blob.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).byteLength) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.byteLength;
  for (const blob of blobs) {
    out.set(blob, cursor);
    cursor += blob.byteLength;
  }
  return out;
}
