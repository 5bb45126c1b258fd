// Tests of the prompt (byte for byte), the strict checks, the lenient display parser and frame scaling.
import { describe, expect, it } from 'vitest';
import { ScaleInputError } from './errors';
import {
  SYSTEM_PROMPT,
  buildChatMessages,
  buildUserPrompt,
  checkAnswerFormat,
  checkThinkFormat,
  describeIssue,
  extractReasoning,
  issueSeverity,
  normalizeQuery,
  parseResponse,
  scaleAnswerToFrame,
  scaleAnswerToImage,
} from './prompt';
import type { ResponseIssue } from './prompt';
import { SeededRandom } from './test-support';
import type { BoxPoints } from './types';

describe('prompt', () => {
  it('is the released user prompt, byte for byte', () => {
    const expected =
      "Please find 'the red mug left of the laptop' with bbox and points.Compare the difference between objects and find the most closely matched one.Output the thinking process in <think> </think> and final answer in <answer> </answer> tags.Output the one bbox and points of two largest inscribed circles inside the interested object in JSON format.i.e., <think> thinking process here </think><answer>{'bbox': [10,100,200,210], 'points_1': [30,110], 'points_2': [35,180]}</answer>";
    expect(buildUserPrompt('The red mug left of the laptop.')).toBe(expected);
    expect(SYSTEM_PROMPT).toBe('You are a helpful assistant.');
  });

  it('lower-cases the query and strips only dots at its ends', () => {
    expect(normalizeQuery('..The Cup..')).toBe('the cup');
    expect(normalizeQuery(' Cup. ')).toBe(' cup. ');
    expect(normalizeQuery('a.b')).toBe('a.b');
  });

  it('puts the image before the text', () => {
    const [system, user] = buildChatMessages('Dog');
    expect(system).toEqual({ role: 'system', content: SYSTEM_PROMPT });
    expect(user?.content).toEqual([{ type: 'image' }, { type: 'text', text: buildUserPrompt('Dog') }]);
  });
});

const ANSWER = '{"bbox": [100, 100, 200, 200], "points_1": [120, 130], "points_2": [180, 170]}';
const GOOD = `<think>the cup</think>\n<answer>${ANSWER}</answer>`;

function kinds(issues: readonly ResponseIssue[]): string[] {
  return issues.map((issue) => issue.kind);
}

describe('strict checks', () => {
  it('match the whole response, with Python whitespace between the blocks', () => {
    expect(checkThinkFormat(GOOD)).toBe(true);
    expect(checkThinkFormat(` ${GOOD}`)).toBe(false);
    expect(checkThinkFormat(`${GOOD}\n`)).toBe(false);
    expect(checkThinkFormat(GOOD.replace('\n', '\x1c'))).toBe(true);
    expect(checkThinkFormat(GOOD.replace('\n', '\ufeff'))).toBe(false);
  });

  it('read the first {…} anywhere for the answer format', () => {
    expect(checkAnswerFormat(GOOD)).toBe(true);
    expect(checkAnswerFormat(GOOD.replace('the cup', 'the {cup}'))).toBe(false);
  });

  it('extract the reasoning the way the released length counter does', () => {
    expect(extractReasoning('<think>\n  a b </think><think>c</think>')).toBe('a b');
    expect(extractReasoning('no tags')).toBe('');
  });
});

describe('lenient parser', () => {
  it('reads a good response with no issues', () => {
    const parsed = parseResponse(GOOD);
    expect(parsed.issues).toEqual([]);
    expect(parsed.think).toBe('the cup');
    expect(parsed.answer).toEqual({
      bbox: [100, 100, 200, 200],
      points: [
        [120, 130],
        [180, 170],
      ],
    });
    expect(parsed).toMatchObject({ thinkFormat: true, answerFormat: true });
  });

  it('prefers the block inside <answer> but says the reward reads another', () => {
    const parsed = parseResponse(GOOD.replace('the cup', 'the {cup}'));
    expect(parsed.answer?.bbox).toEqual([100, 100, 200, 200]);
    expect(kinds(parsed.issues)).toEqual(['json-outside-answer']);
    expect(parsed.answerFormat).toBe(false);
  });

  it('takes the answer after </think>, not one mentioned in the reasoning', () => {
    const draft = '<answer>{"bbox": [1, 2, 3, 4]}</answer>';
    const parsed = parseResponse(`<think>I will write ${draft}</think>\n<answer>${ANSWER}</answer>`);
    expect(parsed.answerText).toBe(ANSWER);
    expect(parsed.answer?.bbox).toEqual([100, 100, 200, 200]);
  });

  it('reads single quotes leniently and flags them as a recoverable syntax error', () => {
    const parsed = parseResponse(GOOD.replaceAll('"', "'"));
    expect(parsed.answer).not.toBeNull();
    expect(parsed.issues).toEqual([expect.objectContaining({ kind: 'json-syntax', recoverable: true })]);
    expect(parsed.answerFormat).toBe(false);
  });

  it('names text around the blocks', () => {
    expect(parseResponse(` ${GOOD}`).issues).toEqual([
      { kind: 'format-mismatch', reason: 'text-before-think' },
    ]);
    expect(parseResponse(`${GOOD}\n`).issues).toEqual([
      { kind: 'format-mismatch', reason: 'text-after-answer' },
    ]);
    expect(parseResponse(GOOD.replace('\n', ' so ')).issues).toEqual([
      { kind: 'format-mismatch', reason: 'text-between-tags' },
    ]);
  });

  it('reports missing and unclosed tags', () => {
    expect(kinds(parseResponse(ANSWER).issues)).toEqual(['missing-think', 'missing-answer']);
    expect(kinds(parseResponse(`<think>hmm <answer>${ANSWER}`).issues)).toEqual([
      'unclosed-think',
      'unclosed-answer',
    ]);
    expect(parseResponse('<think>nothing</think><answer></answer>').issues).toEqual([{ kind: 'no-json' }]);
  });

  it('types what is wrong with the answer object', () => {
    const parsed = parseResponse(
      '<think>x</think><answer>{"bbox": [200, 100, 100], "points_1": ["12", 7.5], "label": "cup"}</answer>',
    );
    expect(parsed.issues).toEqual([
      { kind: 'wrong-shape', key: 'bbox', expectedLength: 4, actualLength: 3 },
      { kind: 'coerced', key: 'points_1', index: 0, from: 'string' },
      { kind: 'non-integer', key: 'points_1', index: 1 },
      { kind: 'missing-key', key: 'points_2' },
      { kind: 'extra-key', key: 'label' },
    ]);
    expect(parsed.answer).toBeNull();
  });

  it('checks geometry with the reward’s truncation, and the frame when given', () => {
    const json = '{"bbox": [300, 100, 200, 900], "points_1": [250.9, 120], "points_2": [null, 5]}';
    const parsed = parseResponse(`<think>x</think><answer>${json}</answer>`, {
      frame: { width: 840, height: 840 },
    });
    // In parse order: the coordinates key by key, then the geometry.
    expect(parsed.issues).toEqual([
      { kind: 'non-integer', key: 'points_1', index: 0 },
      { kind: 'non-numeric', key: 'points_2', index: 0 },
      { kind: 'inverted-box' },
      { kind: 'point-outside-box', key: 'points_1' },
      { kind: 'out-of-frame', key: 'bbox', index: 3 },
    ]);
  });

  it('never throws, and agrees with the reward’s format checks', () => {
    const random = new SeededRandom(5);
    const pieces = [
      '<think>',
      '</think>',
      '<answer>',
      '</answer>',
      '{',
      '}',
      '"bbox"',
      ':',
      '[1, 2, 3, 4]',
      ',',
      "'",
      ' ',
    ];
    for (let i = 0; i < 500; i++) {
      const response = Array.from({ length: random.int(0, 30) }, () => random.pick(pieces)).join('');
      const parsed = parseResponse(response, { frame: { width: 840, height: 840 } });
      expect(parsed.thinkFormat).toBe(checkThinkFormat(response));
      expect(parsed.answerFormat).toBe(checkAnswerFormat(response));
      for (const issue of parsed.issues) expect(describeIssue(issue)).not.toBe('');
    }
  });

  it('describes every issue and gives it a severity', () => {
    const issue: ResponseIssue = { kind: 'point-outside-box', key: 'points_2' };
    expect(describeIssue(issue)).toBe('points_2 lies outside the predicted box');
    expect(issueSeverity(issue)).toBe('error');
    expect(issueSeverity({ kind: 'extra-key', key: 'label' })).toBe('warning');
    expect(issueSeverity({ kind: 'coerced', key: 'bbox', index: 0, from: 'string' })).toBe('error');
    expect(issueSeverity({ kind: 'coerced', key: 'points_1', index: 0, from: 'string' })).toBe('warning');
  });
});

describe('frame scaling', () => {
  const answer: BoxPoints = {
    bbox: [1, 3, 5, 7.9],
    points: [
      [10.9, 1],
      [-1.5, 840],
    ],
  };

  it('truncates, scales by W/840 and rounds half to even, like the released evaluation', () => {
    // x factor 1260/840 = 1.5, y factor 420/840 = 0.5
    expect(scaleAnswerToImage(answer, { width: 1260, height: 420 })).toEqual({
      bbox: [2, 2, 8, 4], // 1.5→2, 1.5→2, 7.5→8, int(7.9)=7 → 3.5→4
      points: [
        [15, 0], // int(10.9)=10 → 15, 0.5→0
        [-2, 420], // int(-1.5)=-1 → -1.5→-2
      ],
    });
  });

  it('scales image pixels back to the frame, rounding half to even', () => {
    const fromImage: BoxPoints = {
      bbox: [3, 5, 1260, 420],
      points: [
        [9, 1],
        [0, 0],
      ],
    };
    expect(scaleAnswerToFrame(fromImage, { width: 1260, height: 420 })).toEqual({
      bbox: [2, 10, 840, 840], // 3/1.5 = 2
      points: [
        [6, 2],
        [0, 0],
      ],
    });
    expect(scaleAnswerToFrame(fromImage, { width: 1680, height: 840 }).bbox).toEqual([2, 5, 630, 420]); // 1.5→2
  });

  it('refuses sizes that are not positive', () => {
    expect(() => scaleAnswerToImage(answer, { width: 0, height: 10 })).toThrow(ScaleInputError);
    expect(() => scaleAnswerToFrame(answer, { width: 10, height: NaN })).toThrow(
      expect.objectContaining({ field: 'image.height' }),
    );
  });
});
