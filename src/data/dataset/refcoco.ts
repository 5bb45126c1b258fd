// Export for the released multi-GPU trainer: RefCOCOg-840 style records (840×840 PNG, <box>/<points> solution) and a difficulty file.
import { strToU8, zipSync, type Zippable } from 'fflate';
import { DEFAULT_DIFFICULTY } from '../../rl';
import { decodeToRgba } from '../images';
import { encodeRgbaPng } from '../png';
import type { StoredImage, StoredSample } from '../store';
import { LABEL_FRAME } from './format';
import { groundTruthProblem } from './label';
import type { SkippedSample } from './export';
import { SAMPLE_ID } from './schema';

/** The folder the zip unpacks to. */
export const REFCOCO_ROOT = 'refcocog-840';

/**
 * One row as the released trainer reads Ricky06662/refCOCOg_9k_840 (id, problem, solution, image, img_width,
 * img_height); here an image-folder row whose `file_name` becomes the `image` column.
 */
export interface RefcocoRecord {
  file_name: string;
  id: string;
  problem: string;
  solution: string;
  /** The size of the image before it was stretched to 840×840. */
  img_width: number;
  img_height: number;
}

/** The released trainer's difficulty file (refcoco_train_labeled_merged.json): a list keyed by image_id = row id. */
export interface RefcocoDifficulty {
  image_id: string;
  difficulty_score_model: number;
}

/** The ground truth as the released reward parses it: `<box>(x1,y1),(x2,y2)</box><points>(x,y),(x,y)</points>`. */
export function refcocoSolution(gt: StoredSample['gt']): string {
  const [x1, y1, x2, y2] = gt.bbox;
  const [[ax, ay], [bx, by]] = gt.points;
  return `<box>(${x1},${y1}),(${x2},${y2})</box><points>(${ax},${ay}),(${bx},${by})</points>`;
}

/** Makes an 840×840 PNG of an image (stretched, as the policy sees it). */
export type FramePngMaker = (image: StoredImage) => Promise<Uint8Array>;

/** An image that already is an 840×840 PNG (a ShapeWorld sample) needs no resize: its bytes are used as they are. */
export function isFramePng(image: StoredImage): boolean {
  return image.type === 'image/png' && image.width === LABEL_FRAME && image.height === LABEL_FRAME;
}

/** The default FramePngMaker: the bytes of an 840×840 PNG as they are, else the browser's decoder and our PNG codec. */
export const framePng: FramePngMaker = async (image) => {
  if (isFramePng(image)) return new Uint8Array(await image.blob.arrayBuffer());
  const { rgba, width, height } = await decodeToRgba(image.blob, { width: LABEL_FRAME, height: LABEL_FRAME });
  return encodeRgbaPng(rgba, width, height);
};

const README = `PixelThink Playground: labelled samples in the layout of the released PixelThink/Seg-Zero training data.

data/train/metadata.jsonl  one row per sample: file_name, id, problem (the query), solution
                           (<box>(x1,y1),(x2,y2)</box><points>(x,y),(x,y)</points>, integer pixels of the
                           840x840 image), img_width, img_height (the size before the resize)
data/train/*.png           the images, resized to 840x840 (aspect ratio not kept)
difficulty.json            [{"image_id": <row id>, "difficulty_score_model": <1..10>}]; a sample without a
                           difficulty is written as ${DEFAULT_DIFFICULTY.toFixed(1)}, the value the trainer assumes

datasets.load_dataset("<this folder>/data")["train"] gives the columns image, id, problem, solution,
img_width, img_height; give the trainer that folder as data.train_files and difficulty.json as
data.difficulty_path.
`;

/**
 * The zip for the released trainer. Images are resized to 840×840 PNG once each (`toFramePng`); a sample whose
 * image is gone or whose ground truth is not integer pixels of the 840 frame is left out and listed in `skipped`.
 */
export async function encodeRefcocoZip(
  samples: readonly StoredSample[],
  images: ReadonlyMap<string, StoredImage>,
  toFramePng: FramePngMaker = framePng,
): Promise<{ zip: Uint8Array; samples: number; skipped: SkippedSample[] }> {
  const files: Zippable = {};
  const rows: RefcocoRecord[] = [];
  const difficulties: RefcocoDifficulty[] = [];
  const skipped: SkippedSample[] = [];
  const framed = new Map<string, Uint8Array>();
  for (const sample of samples) {
    const image = images.get(sample.imageId);
    const problem = !SAMPLE_ID.test(sample.id)
      ? 'its id cannot name a file'
      : !image
        ? 'its image is no longer stored'
        : groundTruthProblem(sample.gt)?.message;
    if (problem || !image) {
      skipped.push({ id: sample.id, reason: problem ?? 'its image is no longer stored' });
      continue;
    }
    let png = framed.get(image.id);
    if (!png) framed.set(image.id, (png = await toFramePng(image)));
    const fileName = `${sample.id}.png`;
    files[`${REFCOCO_ROOT}/data/train/${fileName}`] = [png, { level: 0 }];
    rows.push({
      file_name: fileName,
      id: sample.id,
      problem: sample.query,
      solution: refcocoSolution(sample.gt),
      img_width: image.width,
      img_height: image.height,
    });
    difficulties.push({
      image_id: sample.id,
      difficulty_score_model: sample.difficulty ?? DEFAULT_DIFFICULTY,
    });
  }
  const zip = zipSync({
    [`${REFCOCO_ROOT}/README.txt`]: strToU8(README),
    [`${REFCOCO_ROOT}/difficulty.json`]: strToU8(JSON.stringify(difficulties, null, 1)),
    [`${REFCOCO_ROOT}/data/train/metadata.jsonl`]: strToU8(
      rows.map((row) => JSON.stringify(row)).join('\n') + '\n',
    ),
    ...files,
  });
  return { zip, samples: rows.length, skipped };
}
