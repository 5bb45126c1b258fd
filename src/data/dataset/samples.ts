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
  // On an abort every queued request rejects as well as tx.done: each is awaited below or its rejection dropped here.
  const requests: Promise<unknown>[] = [tx.done];
  const queue = (request: Promise<unknown>) => {
    request.catch(() => {});
    requests.push(request);
  };
  tx.done.catch(() => {});
  try {
    // Every request is queued before any is awaited, so that the transaction stays active throughout.
    for (const image of images) queue(tx.objectStore('images').put(image));
    for (const sample of samples) queue(tx.objectStore('samples').put(sample));
    await Promise.all(requests);
  } catch (err) {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted: nothing was committed.
    }
    throw toStorageError(err);
  }
}
