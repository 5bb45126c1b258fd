// Reading a zip safely: its directory is checked against limits first; only wanted files are inflated (fflate), each checked by size and CRC.
import { inflateSync } from 'fflate';
import { crc32 } from '../png';
import { DatasetImportError } from './errors';
import { LIMITS } from './format';

export interface ZipEntry {
  name: string;
  /** Compressed bytes. */
  size: number;
  /** Uncompressed bytes, as the zip declares them (the inflated file is checked to match, and its CRC). */
  originalSize: number;
  compression: number;
  crc: number;
  /** Offset of the entry's local header. */
  headerOffset: number;
}

const STORED = 0;
const DEFLATE = 8;
const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ENCRYPTED = 1;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const badZip = (why: string, entry: string | null = null) =>
  new DatasetImportError('bad-zip', `The file is not a readable zip (${why}).`, entry);

function isSafeName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 512 &&
    !name.startsWith('/') &&
    !name.includes('\\') &&
    !name.includes('\0') &&
    name.split('/').every((part) => part !== '..' && part !== '.')
  );
}

/** Bounds-checked little-endian reads: any read past the end is a damaged zip. */
function reader(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const check = (at: number, size: number) => {
    if (at < 0 || at + size > bytes.length) throw badZip('it ends too early');
  };
  return {
    u16: (at: number) => (check(at, 2), view.getUint16(at, true)),
    u32: (at: number) => (check(at, 4), view.getUint32(at, true)),
    slice: (at: number, size: number) => (check(at, size), bytes.subarray(at, at + size)),
  };
}

function endOfDirectory(bytes: Uint8Array): number {
  const read = reader(bytes);
  // The end record is 22 bytes plus a comment of at most 65535.
  for (let at = bytes.length - 22; at >= 0 && at >= bytes.length - 22 - 65535; at--)
    if (read.u32(at) === END_OF_DIRECTORY) return at;
  throw badZip('no end of central directory');
}

/**
 * The files of a zip (directories left out) from its central directory, without inflating anything. Refuses a
 * file that is no zip, ZIP64 or encrypted entries, more entries than the limit, a declared total over the limit,
 * duplicate or unsafe names, and compression methods other than stored and deflate.
 */
export function listZip(bytes: Uint8Array): ZipEntry[] {
  if (bytes.length > LIMITS.zipBytes)
    throw new DatasetImportError(
      'too-large',
      `The file is ${mib(bytes.length)}; the limit is ${mib(LIMITS.zipBytes)}.`,
    );
  const read = reader(bytes);
  const end = endOfDirectory(bytes);
  const count = read.u16(end + 10);
  let at = read.u32(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw badZip('ZIP64 archives are not read');
  if (count > LIMITS.entries)
    throw new DatasetImportError(
      'too-many-entries',
      `The zip has ${count} entries; the limit is ${LIMITS.entries}. Refused unread.`,
    );
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (read.u32(at) !== DIRECTORY_ENTRY) throw badZip('its central directory is damaged');
    const nameLength = read.u16(at + 28);
    const name = decoder.decode(read.slice(at + 46, nameLength));
    const entry: ZipEntry = {
      name,
      compression: read.u16(at + 10),
      crc: read.u32(at + 16),
      size: read.u32(at + 20),
      originalSize: read.u32(at + 24),
      headerOffset: read.u32(at + 42),
    };
    const flags = read.u16(at + 8);
    at += 46 + nameLength + read.u16(at + 30) + read.u16(at + 32);
    if (name.endsWith('/')) continue;
    if (!isSafeName(name))
      throw new DatasetImportError('unexpected-entry', `The zip entry "${name}" has an unsafe name.`, name);
    if (names.has(name)) throw new DatasetImportError('duplicate-id', `The zip holds "${name}" twice.`, name);
    names.add(name);
    if (flags & ENCRYPTED) throw badZip(`"${name}" is encrypted`, name);
    if (entry.compression !== STORED && entry.compression !== DEFLATE)
      throw badZip(
        `"${name}" uses compression method ${entry.compression}; only stored and deflate are read`,
        name,
      );
    total += entry.originalSize;
    entries.push(entry);
  }
  if (total > LIMITS.totalBytes)
    throw new DatasetImportError(
      'too-large',
      `The zip unpacks to ${mib(total)}; the limit is ${mib(LIMITS.totalBytes)}. Refused unread.`,
    );
  return entries;
}

/** One entry's bytes: inflated into a buffer one byte larger than declared, so a lie about the size shows; CRC checked. */
function readEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array {
  const read = reader(bytes);
  const at = entry.headerOffset;
  if (read.u32(at) !== LOCAL_HEADER) throw badZip(`the header of "${entry.name}" is damaged`, entry.name);
  const raw = read.slice(at + 30 + read.u16(at + 26) + read.u16(at + 28), entry.size);
  let data: Uint8Array;
  try {
    data =
      entry.compression === STORED ? raw : inflateSync(raw, { out: new Uint8Array(entry.originalSize + 1) });
  } catch (err) {
    throw badZip(`"${entry.name}" does not inflate: ${(err as Error).message}`, entry.name);
  }
  if (data.length !== entry.originalSize || crc32(data) !== entry.crc)
    throw new DatasetImportError(
      'bad-zip',
      `"${entry.name}" is damaged: its data does not match the size and checksum the zip declares.`,
      entry.name,
    );
  return data;
}

/** Inflates the given entries (their sizes already checked by the caller). */
export function readZip(bytes: Uint8Array, wanted: Iterable<ZipEntry>): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const entry of wanted) out.set(entry.name, readEntry(bytes, entry));
  return out;
}
