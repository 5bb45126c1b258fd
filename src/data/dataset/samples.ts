// The labelled samples in IndexedDB: list, delete, and put many with their images in one transaction.
import { toStorageError, type PlaygroundDb, type StoredImage, type StoredSample } from '../store';

/** Every stored sample, oldest first (ties by id), as the dataset panel lists them. */
export async function listSamples(db: PlaygroundDb): Promise<StoredSample[]> {
  try {
    const samples = await db.getAll('samples');
    return samples.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  } catch (err) {
    throw toStorageError(err);
  }
}

/** Deletes one sample; its image stays (results and the stage may still show it). */
export async function deleteSample(db: PlaygroundDb, id: string): Promise<void> {
  try {
    await db.delete('samples', id);
  } catch (err) {
    throw toStorageError(err);
  }
}

/**
 * Puts images and samples in ONE transaction: either all of them are stored or, on any failure (quota, a value
 * IndexedDB cannot clone), none is. Samples with a stored id are replaced.
 */
export async function putSamples(
  db: PlaygroundDb,
  images: readonly StoredImage[],
  samples: readonly StoredSample[],
): Promise<void> {
  const tx = db.transaction(['images', 'samples'], 'readwrite');
  // An abort rejects tx.done too; it is awaited (and its rejection kept) in the catch below.
  tx.done.catch(() => {});
  try {
    const imageStore = tx.objectStore('images');
    const sampleStore = tx.objectStore('samples');
    // Queue every request before awaiting any, so that the transaction stays active throughout.
    const requests = [
      ...images.map((image) => imageStore.put(image)),
      ...samples.map((s) => sampleStore.put(s)),
    ];
    await Promise.all([...requests, tx.done]);
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted: nothing was committed.
    }
    throw toStorageError(err);
  }
}
