// Unit tests of stored results: validation, rescoring through src/rl, malformed answers, and the store operations.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { countWords, DEFAULT_REWARD_PARAMS, type RewardParams } from '../rl';
import {
  clearResults,
  deleteResult,
  isCorrect,
  lengthTerms,
  listResults,
  responseParts,
  resultGroundTruth,
  scoreResult,
  validateResult,
  type ResultRecord,
} from './results';
import { openPlaygroundDb, type ResultGroundTruth, type StoredResult, type StoredSample } from './store';

const TRUTH: ResultGroundTruth = {
  bbox: [100, 120, 300, 340],
  points: [
    [150, 200],
    [250, 300],
  ],
};
const GOOD_ANSWER = '{"bbox": [100, 120, 300, 340], "points_1": [150, 200], "points_2": [250, 300]}';

const responseOf = (words: number, answer = GOOD_ANSWER) =>
  `<think>${Array.from({ length: words }, (_, i) => `w${i}`).join(' ')}</think><answer>${answer}</answer>`;

function stored(overrides: Partial<StoredResult> = {}): StoredResult {
  const response = overrides.response ?? responseOf(40);
  return {
    id: 1,
    imageId: 'img',
    sampleId: null,
    query: 'the red circle',
    modelId: 'pixelthink-nano',
    segmenterId: 'nano-sam',
    response,
    words: countWords(response),
    tokens: 55,
    uncertainty: 0.4,
    entropy: 1.2,
    difficulty: 6,
    difficultySource: 'shapeworld',
    groundTruth: TRUTH,
    iou: 0.8,
    timingsMs: { generate: 900, segment: 40 },
    createdAt: 1000,
    ...overrides,
  };
}

function record(overrides: Partial<StoredResult> = {}): ResultRecord {
  const checked = validateResult(stored(overrides));
  if (!checked.ok) throw new Error(checked.errors.join('; '));
  return checked.record;
}

const params = (over: Partial<RewardParams> = {}): RewardParams => ({ ...DEFAULT_REWARD_PARAMS, ...over });

describe('validateResult', () => {
  it('accepts a full record as it is', () => {
    expect(validateResult(stored())).toEqual({ ok: true, record: stored() });
  });

  it('fills the fields that records older than them lack with null', () => {
    const legacy = stored();
    for (const key of ['segmenterId', 'entropy', 'difficultySource', 'groundTruth', 'iou'] as const)
      delete legacy[key];
    const checked = validateResult(legacy);
    expect(checked.ok && checked.record).toMatchObject({
      segmenterId: null,
      entropy: null,
      difficultySource: null,
      groundTruth: null,
      iou: null,
    });
  });

  it('names every field it cannot use', () => {
    const checked = validateResult({
      ...stored(),
      words: 3,
      uncertainty: 1.5,
      difficultySource: 'guess',
      iou: -1,
      groundTruth: { bbox: [1, 2, 3], points: [[1, 2]], mask: { size: [2, 2], counts: [1, 2] } },
    });
    expect(checked).toEqual({
      ok: false,
      id: 1,
      errors: [
        `words is 3, but the response has ${countWords(responseOf(40))}`,
        'uncertainty must be 0..1 or null',
        'difficultySource must be one of shapeworld, user, estimated or null',
        'groundTruth.bbox must be 4 numbers',
        'groundTruth.points must be two [x, y] pairs',
        'groundTruth.mask counts must add up to 2×2',
        'iou must be 0..1 or null',
      ],
    });
    expect(validateResult('text')).toEqual({ ok: false, id: null, errors: ['a result must be an object'] });
    expect(validateResult({ ...stored(), response: 7 }).ok).toBe(false);
  });

  it('accepts a ground-truth mask whose RLE covers the image', () => {
    const mask = { size: [2, 3] as [number, number], counts: [1, 4, 1] };
    expect(validateResult(stored({ groundTruth: { ...TRUTH, mask } })).ok).toBe(true);
  });
});

describe('a record whose answer is malformed', () => {
  const broken = record({ response: responseOf(12, '{"bbox": [100, 120, 300 340], "points_1": [1, 2]}') });

  it('is still a valid record, and says what is wrong with its answer', () => {
    const parts = responseParts(broken);
    expect(parts.answerText).toBe('{"bbox": [100, 120, 300 340], "points_1": [1, 2]}');
    expect(parts.think).toMatch(/^w0 w1/);
    expect(parts.errors[0]).toBe("invalid JSON at 24: Expecting ',' delimiter");
    expect(parts.answer).toBeNull();
    expect(responseParts(record())).toMatchObject({ answer: TRUTH, errors: [] });
    expect(responseParts(record({ response: 'no tags at all' })).errors).toEqual([
      'no <think> tag',
      'no <answer> tag',
      'no {…} block',
    ]);
  });

  it('scores without throwing: the format term holds, the answer terms are 0', () => {
    const score = scoreResult(broken, TRUTH, params());
    expect(score).toMatchObject({ thinkFormat: 1, answerFormat: 0, boxIoU: 0, boxL1: 0, pointL1: 0 });
    expect(score.reward).toBe(1);
  });
});

describe('rescoring', () => {
  it('gives a correct answer all five terms and applies the hard budget L_base + α·u', () => {
    const long = record({ response: responseOf(300), difficulty: 8, uncertainty: 0.4 });
    const score = scoreResult(long, TRUTH, params());
    expect(score.accuracy).toBe(5);
    expect(score.level).toBe('hard');
    expect(score.budget).toBeCloseTo(256 + 25 * 0.4, 12);
    expect(score.lengthFactor).toBeCloseTo(1 - (long.words - 266) / 500, 12);
    expect(scoreResult(long, TRUTH, params({ preset: 'seg-zero' })).reward).toBe(5);
  });

  it('counts the stored reasoning tokens in reasoning-tokens mode', () => {
    const score = scoreResult(
      record({ difficulty: 2, tokens: 196 }),
      TRUTH,
      params({ lengthMode: 'reasoning-tokens' }),
    );
    expect(score).toMatchObject({ level: 'easy', lengthUsed: 196, budget: 96, lengthFactor: 0.8 });
  });

  it('lengthTerms agrees with scoreResponse for every level, γ, preset and length mode', () => {
    const grid: Partial<RewardParams>[] = [
      {},
      { gamma: 0.7 },
      { gamma: 0, tau1: 4, tau2: 2 },
      { preset: 'seg-zero' },
      { lengthMode: 'reasoning-tokens', lowBudget: 10 },
    ];
    for (const over of grid)
      for (const difficulty of [null, 1, 3.6, 5, 9.5])
        for (const uncertainty of [null, 0.1, 0.9]) {
          const r = record({ response: responseOf(120), difficulty, uncertainty, tokens: 150 });
          const { effectiveDifficulty, level, lengthUsed, budget, lengthFactor } = scoreResult(
            r,
            TRUTH,
            params(over),
          );
          expect(lengthTerms(r, params(over))).toEqual({
            effectiveDifficulty,
            level,
            lengthUsed,
            budget,
            lengthFactor,
          });
        }
  });
});

describe('ground truth and correctness', () => {
  const sample: StoredSample = {
    id: 'val-3',
    imageId: 'img',
    query: 'q',
    gt: {
      bbox: [1, 2, 3, 4],
      points: [
        [1, 2],
        [2, 3],
      ],
    },
    difficulty: 4,
    difficultySource: 'shapeworld',
    createdAt: 0,
  };

  it('prefers the inline ground truth, else takes the sample the result refers to', () => {
    expect(resultGroundTruth(record({ sampleId: 'val-3' }), sample)).toBe(TRUTH);
    const referenced = record({ sampleId: 'val-3', groundTruth: null });
    expect(resultGroundTruth(referenced, sample)).toEqual({ bbox: sample.gt.bbox, points: sample.gt.points });
    expect(resultGroundTruth(record({ sampleId: 'val-4', groundTruth: null }), sample)).toBeNull();
    expect(resultGroundTruth(referenced, null)).toBeNull();
  });

  it('calls a result correct above IoU 0.5, and unknown without an IoU', () => {
    expect(isCorrect(record({ iou: 0.51 }))).toBe(true);
    expect(isCorrect(record({ iou: 0.5 }))).toBe(false);
    expect(isCorrect(record({ iou: null }))).toBeNull();
  });
});

describe('the results store', () => {
  it('lists newest first, sets aside unreadable records, deletes one and clears all', async () => {
    const db = await openPlaygroundDb({ name: 'results-test' });
    const { id: _drop, ...fresh } = stored();
    const first = await db.add('results', { ...fresh, createdAt: 10 });
    const second = await db.add('results', { ...fresh, createdAt: 30 });
    const third = await db.add('results', { ...fresh, createdAt: 20 });
    await db.add('results', { ...fresh, words: -1, createdAt: 40 });

    const list = await listResults(db);
    expect(list.records.map((r) => r.id)).toEqual([second, third, first]);
    expect(list.invalid).toEqual([{ id: 4, errors: ['words must be a non-negative integer'] }]);

    await deleteResult(db, third);
    expect((await listResults(db)).records.map((r) => r.id)).toEqual([second, first]);
    await clearResults(db);
    expect(await listResults(db)).toEqual({ records: [], invalid: [] });
    db.close();
  });
});
