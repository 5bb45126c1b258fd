// Generated model folders as a user-opened folder: the files as Blobs, for registerModelFolder / openModelFolder.

/** The files as Blobs, by path inside the folder. */
export function asBlobs(files: ReadonlyMap<string, Uint8Array | string>): Map<string, Blob> {
  return new Map([...files].map(([path, data]) => [path, new Blob([data as BlobPart])]));
}
