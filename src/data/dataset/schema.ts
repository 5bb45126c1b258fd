// The JSON records of a dataset zip as valibot schemas: manifest.json and samples.json (images and samples).
import * as v from 'valibot';
import { DATASET_FORMAT_VERSION, LIMITS } from './format';
import { difficultyProblem, groundTruthProblem } from './label';

/** Sample ids name files in exports: letters, digits, '.', '_' and '-', starting with a letter or digit. */
export const SAMPLE_ID = /^[A-Za-z0-9][\w.-]{0,127}$/;
/** Image ids are the SHA-256 of the image's bytes, in lower-case hex. */
export const IMAGE_ID = /^[0-9a-f]{64}$/;

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const timestamp = v.pipe(v.number(), v.finite(), v.minValue(0));

/** Only what tells the format and version: read first, so a newer zip is refused for its version, not its fields. */
export const ManifestHeadSchema = v.object({
  format: v.string(),
  version: v.pipe(v.number(), v.safeInteger()),
});

export const ManifestSchema = v.strictObject({
  format: v.string(),
  version: v.literal(DATASET_FORMAT_VERSION),
  createdAt: timestamp,
  samples: count,
  images: count,
});
export type Manifest = v.InferOutput<typeof ManifestSchema>;

export const ImageRecordSchema = v.strictObject({
  id: v.pipe(v.string(), v.regex(IMAGE_ID, 'must be the SHA-256 of the image (64 hex digits)')),
  file: v.string(),
  name: v.pipe(v.string(), v.maxLength(LIMITS.nameLength)),
  type: v.picklist(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif']),
  width: v.pipe(count, v.minValue(1)),
  height: v.pipe(count, v.minValue(1)),
  bytes: v.pipe(count, v.minValue(1)),
  addedAt: timestamp,
});
export type ImageRecord = v.InferOutput<typeof ImageRecordSchema>;

const frameNumber = v.pipe(v.number(), v.safeInteger());
const point = v.strictTuple([frameNumber, frameNumber]);

const GroundTruthSchema = v.pipe(
  v.strictObject({
    bbox: v.strictTuple([frameNumber, frameNumber, frameNumber, frameNumber]),
    points: v.strictTuple([point, point]),
    /** The mask's path in the zip (masks/<sample id>.png), or null. */
    mask: v.nullable(v.string()),
  }),
  v.check(
    (gt) => groundTruthProblem(gt) === null,
    (issue) => groundTruthProblem(issue.input)?.message ?? 'bad',
  ),
);

export const SampleRecordSchema = v.pipe(
  v.strictObject({
    id: v.pipe(v.string(), v.regex(SAMPLE_ID, 'must be 1–128 letters, digits, ".", "_" or "-"')),
    imageId: v.pipe(v.string(), v.regex(IMAGE_ID, 'must be an image id (64 hex digits)')),
    query: v.pipe(
      v.string(),
      v.check((q) => q.trim().length > 0, 'must not be empty'),
      v.maxLength(LIMITS.queryLength),
    ),
    gt: GroundTruthSchema,
    difficulty: v.pipe(
      v.nullable(v.number()),
      v.check((d) => difficultyProblem(d) === null, 'must be 1..10 or null'),
    ),
    difficultySource: v.nullable(v.picklist(['shapeworld', 'user', 'estimated'])),
    references: v.optional(
      v.strictObject({
        long: v.pipe(v.string(), v.maxLength(LIMITS.referenceLength)),
        short: v.pipe(v.string(), v.maxLength(LIMITS.referenceLength)),
      }),
    ),
    createdAt: timestamp,
  }),
  v.check(
    (s) => (s.difficulty === null) === (s.difficultySource === null),
    'difficultySource must be null exactly when difficulty is null',
  ),
);
export type SampleRecord = v.InferOutput<typeof SampleRecordSchema>;

export const SamplesFileSchema = v.strictObject({
  images: v.pipe(v.array(v.unknown()), v.maxLength(LIMITS.samples)),
  samples: v.pipe(v.array(v.unknown()), v.maxLength(LIMITS.samples)),
});

/** The first issue of a failed parse as "path: message" (valibot's dot path, e.g. gt.bbox.2). */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid';
  const path = v.getDotPath(first);
  return path ? `${path}: ${first.message}` : first.message;
}
