// Fingerprints of a few samples' pixels, masks, PNG files and records, pinned so Node and Chromium can check they give the same bytes.
import { encodeMaskPng, encodeRgbaPng } from '../png';
import { fingerprint } from './fingerprint';
import { objectMask, renderScene } from './raster';
import { sample } from './sample';
import type { Split } from './splits';

export interface SampleFingerprints {
  image: string;
  mask: string;
  /** Of the image PNG followed by the 1-bit mask PNG (fflate must deflate identically everywhere). */
  png: string;
  record: string;
}

export interface PinnedSample extends SampleFingerprints {
  split: Split;
  index: number;
  size: number;
}

/** Fingerprints of the RGBA pixels, the target mask, their PNG files and the JSON record of sample (split, index) at a size. */
export function sampleFingerprints(split: Split, index: number, size: number): SampleFingerprints {
  const record = sample(split, index);
  const rendered = renderScene(record, size);
  const mask = objectMask(rendered, record.target);
  const imagePng = encodeRgbaPng(rendered.rgba, size, size);
  const maskPng = encodeMaskPng(mask, size, size);
  const files = new Uint8Array(imagePng.length + maskPng.length);
  files.set(imagePng);
  files.set(maskPng, imagePng.length);
  return {
    image: fingerprint(rendered.rgba),
    mask: fingerprint(mask),
    png: fingerprint(files),
    record: fingerprint(new TextEncoder().encode(JSON.stringify(record))),
  };
}

/**
 * Recompute these only for an intended change of the generator, and then bump DATASET_VERSION if data
 * was already published: a silent change here means samples are no longer what they were.
 */
export const PINNED_SAMPLES: readonly PinnedSample[] = [
  {
    split: 'test',
    index: 0,
    size: 840,
    image: '10c61c5907941013',
    mask: '846bae65033594a5',
    png: 'fbd927bc85b5d663',
    record: 'b416a01e077a34c3',
  },
  {
    split: 'test',
    index: 1,
    size: 96,
    image: '3e19db5b771e65b3',
    mask: '7fe9ad65c51a935d',
    png: '3ad153033f0be6a2',
    record: '5c471f027efc424c',
  },
  {
    split: 'val',
    index: 7,
    size: 840,
    image: '58dc3958f65409db',
    mask: 'd06feac55b486c33',
    png: '105b5650a4b7e872',
    record: '30c389077cfe585f',
  },
  {
    split: 'train',
    index: 123456,
    size: 128,
    image: '269d4bb5cbce732b',
    mask: '1187d86453d6dc4b',
    png: '36b5853377373d0d',
    record: '43e1406d85072abb',
  },
  {
    split: 'train',
    index: 5,
    size: 96,
    image: '1a8481dc2c50a0ba',
    mask: '003df97f62a072da',
    png: '95edc0e0030372ef',
    record: 'f47c54a8bf0ca11c',
  },
  {
    split: 'train',
    index: 77,
    size: 333,
    image: 'e108c68ac2199409',
    mask: 'f61614ff4b292332',
    png: '68df1d851470eb4f',
    record: '6690e0db98ffd7f0',
  },
];
