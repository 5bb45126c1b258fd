// Unit tests of ShapeWorld entries: which indices to add next, and a rendered sample stored, exported and imported whole.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { validateImageFile } from '../images';
import { encodeMaskPng, encodeRgbaPng } from '../png';
import { FRAME, objectMask, renderScene, sample, sampleId } from '../shapeworld';
import { openPlaygroundDb } from '../store';
import { encodeDatasetZip } from './export';
import { importDatasetZip } from './import';
import { listSamples, putSamples } from './samples';
import { shapeWorldSample, unusedShapeWorldIndices, type RenderedShapeWorldSample } from './shapeworld';

describe('unusedShapeWorldIndices', () => {
  it('skips samples already stored and stops at the end of a finite split', () => {
    const stored = new Set([sampleId('train', 0), sampleId('train', 2)]);
    expect(unusedShapeWorldIndices('train', stored, 3)).toEqual([1, 3, 4]);
    expect(unusedShapeWorldIndices('val', new Set(), 5, 498)).toEqual([498, 499]);
  });
});

describe('shapeWorldSample', () => {
  it('stores a rendered sample with its mask and score, and it survives export and import', async () => {
    // As the data worker renders it for the gallery.
    const record = sample('train', 3);
    const scene = renderScene(record, FRAME);
    const rendered: RenderedShapeWorldSample = {
      id: record.id,
      query: record.query,
      difficulty: record.difficulty,
      png: encodeRgbaPng(scene.rgba, scene.width, scene.height),
      maskPng: encodeMaskPng(objectMask(scene, record.target), scene.width, scene.height),
      gt: record.gt,
      references: record.references,
    };
    const valid = await validateImageFile(new Blob([rendered.png as BlobPart]), `${record.id}.png`);
    const stored = shapeWorldSample(rendered, valid.id, 77);
    expect(stored).toMatchObject({
      id: 'sw1-train-000003',
      imageId: valid.id,
      difficulty: record.difficulty,
      difficultySource: 'shapeworld',
      createdAt: 77,
    });

    const db = await openPlaygroundDb({ name: 'dataset-shapeworld' });
    await putSamples(db, [{ ...valid, addedAt: 1 }], [stored]);
    const zip = (
      await encodeDatasetZip(await listSamples(db), new Map([[valid.id, { ...valid, addedAt: 1 }]]))
    ).zip;
    const other = await openPlaygroundDb({ name: 'dataset-shapeworld-import' });
    expect(await importDatasetZip(other, zip)).toMatchObject({ samples: 1, images: 1 });
    const back = await other.get('samples', record.id);
    expect(back?.gt.bbox).toEqual(record.gt.bbox);
    expect(back?.references).toEqual(record.references);
    expect(new Uint8Array(await back!.gt.mask!.arrayBuffer())).toEqual(rendered.maskPng);
    db.close();
    other.close();
  });
});
