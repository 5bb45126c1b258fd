// The PixelThink prompt (method.md §1), the reward's strict answer checks, a lenient parser for display, and frame scaling.
import { ScaleInputError } from './errors';
import { isPyJsonObject, pyJsonLoads } from './pyjson';
import type { PyJsonObject, PyJsonValue } from './pyjson';
import { PY_WHITESPACE, pyNumber, pyRound, pyStrip } from './python';
import type { Box, BoxPoints, ImageSize, Point } from './types';

export const SYSTEM_PROMPT = 'You are a helpful assistant.';

/** The released models see every image resized to 840×840 (aspect ratio not kept). */
export const MODEL_FRAME_SIZE = 840;
export const MODEL_FRAME: Readonly<ImageSize> = { width: MODEL_FRAME_SIZE, height: MODEL_FRAME_SIZE };

/** Single quotes on purpose: the released prompt shows a Python dict, though the reward wants JSON. */
const ANSWER_EXAMPLE = "{'bbox': [10,100,200,210], 'points_1': [30,110], 'points_2': [35,180]}";

/** Lower-cased, leading and trailing '.' removed (Python's `query.lower().strip('.')`). */
export function normalizeQuery(query: string): string {
  return query.toLowerCase().replace(/^\.+|\.+$/g, '');
}

/** The user prompt, byte for byte as released: the sentences are joined without spaces. */
export function buildUserPrompt(query: string): string {
  return (
    `Please find '${normalizeQuery(query)}' with bbox and points.` +
    'Compare the difference between objects and find the most closely matched one.' +
    'Output the thinking process in <think> </think> and final answer in <answer> </answer> tags.' +
    'Output the one bbox and points of two largest inscribed circles inside the interested object in JSON format.' +
    `i.e., <think> thinking process here </think><answer>${ANSWER_EXAMPLE}</answer>`
  );
}

export type ChatContent = { type: 'image' } | { type: 'text'; text: string };

export interface ChatMessage {
  role: 'system' | 'user';
  content: string | ChatContent[];
}

/** System prompt, then one user turn in which the image precedes the text. */
export function buildChatMessages(query: string): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    {
      role: 'user',
      content: [{ type: 'image' }, { type: 'text', text: buildUserPrompt(query) }],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Strict checks: exactly what the released reward accepts.

/** re.fullmatch(r"<think>.*?</think>\s*<answer>.*?</answer>", s, re.DOTALL), with Python's `\s`. */
const THINK_FORMAT = new RegExp(`^<think>[\\s\\S]*?</think>${PY_WHITESPACE}*<answer>[\\s\\S]*?</answer>$`);

export function checkThinkFormat(response: string): boolean {
  return THINK_FORMAT.test(response);
}

/** re.search(r'{[^}]+}'): the first '{' followed by at least one non-'}' and a '}' — possibly in the think text. */
const BRACE_BLOCK = /\{[^}]+\}/g;

export interface BraceBlock {
  start: number;
  end: number;
  text: string;
}

export function findFirstBraceBlock(text: string, from = 0): BraceBlock | null {
  BRACE_BLOCK.lastIndex = from;
  const match = BRACE_BLOCK.exec(text);
  if (match === null) return null;
  return { start: match.index, end: match.index + match[0].length, text: match[0] };
}

export type AnswerJson =
  | { kind: 'none' }
  | { kind: 'invalid'; block: BraceBlock; message: string; position: number }
  | { kind: 'object'; block: BraceBlock; object: PyJsonObject };

/** The one JSON-extraction routine: first brace block from `from`, decoded like Python's json.loads. */
export function readAnswerJson(text: string, from = 0, lenient = false): AnswerJson {
  const block = findFirstBraceBlock(text, from);
  if (block === null) return { kind: 'none' };
  const result = pyJsonLoads(block.text, { lenient });
  if (!result.ok) return { kind: 'invalid', block, message: result.message, position: result.position };
  // A block that opens with '{' can only decode to an object.
  if (!isPyJsonObject(result.value)) return { kind: 'invalid', block, message: 'not an object', position: 0 };
  return { kind: 'object', block, object: result.value };
}

export const ANSWER_KEYS = ['bbox', 'points_1', 'points_2'] as const;
export type AnswerKey = (typeof ANSWER_KEYS)[number];

function expectedLength(key: AnswerKey): number {
  return key === 'bbox' ? 4 : 2;
}

/** The reward's answer-format test: the keys exist and hold lists of 4, 2 and 2 items (of any type). */
export function hasAnswerShape(object: PyJsonObject): boolean {
  return ANSWER_KEYS.every((key) => {
    const value = object.get(key);
    return Array.isArray(value) && value.length === expectedLength(key);
  });
}

export function checkAnswerFormat(response: string): boolean {
  const json = readAnswerJson(response);
  return json.kind === 'object' && hasAnswerShape(json.object);
}

const FIRST_THINK = /<think>([\s\S]*?)<\/think>/;

/** The reasoning the released code counts in 'reasoning-tokens' mode: first <think> block, stripped, or ''. */
export function extractReasoning(response: string): string {
  const match = FIRST_THINK.exec(response);
  return match === null ? '' : pyStrip(match[1] ?? '');
}

// ---------------------------------------------------------------------------------------------------------
// Lenient parsing for display: take what can be used and say precisely what is wrong.

export type ResponseIssue =
  | { kind: 'missing-think' }
  | { kind: 'unclosed-think' }
  | { kind: 'missing-answer' }
  | { kind: 'unclosed-answer' }
  | { kind: 'format-mismatch'; reason: 'text-before-think' | 'text-after-answer' | 'text-between-tags' }
  | { kind: 'no-json' }
  | { kind: 'json-outside-answer' }
  | { kind: 'json-syntax'; message: string; position: number; recoverable: boolean }
  | { kind: 'missing-key'; key: AnswerKey }
  | { kind: 'wrong-shape'; key: AnswerKey; expectedLength: number; actualLength: number | null }
  | { kind: 'non-numeric'; key: AnswerKey; index: number }
  | { kind: 'coerced'; key: AnswerKey; index: number; from: 'string' | 'boolean' }
  | { kind: 'non-integer'; key: AnswerKey; index: number }
  | { kind: 'inverted-box' }
  | { kind: 'point-outside-box'; key: 'points_1' | 'points_2' }
  | { kind: 'out-of-frame'; key: AnswerKey; index: number }
  | { kind: 'extra-key'; key: string };

export type IssueSeverity = 'error' | 'warning';

/** 'error' when the issue costs a reward term or makes the answer unusable; 'warning' otherwise. */
export function issueSeverity(issue: ResponseIssue): IssueSeverity {
  switch (issue.kind) {
    case 'coerced':
      // int() accepts numeric strings in points, but the box terms do arithmetic on the raw values.
      return issue.key === 'bbox' && issue.from === 'string' ? 'error' : 'warning';
    case 'non-integer':
    case 'out-of-frame':
    case 'extra-key':
      return 'warning';
    default:
      return 'error';
  }
}

export function describeIssue(issue: ResponseIssue): string {
  switch (issue.kind) {
    case 'missing-think':
      return 'no <think> tag';
    case 'unclosed-think':
      return '<think> is never closed';
    case 'missing-answer':
      return 'no <answer> tag';
    case 'unclosed-answer':
      return '<answer> is never closed';
    case 'format-mismatch':
      return `the response is not exactly <think>…</think><answer>…</answer>: ${issue.reason.replaceAll('-', ' ')}`;
    case 'no-json':
      return 'no {…} block';
    case 'json-outside-answer':
      return 'the reward reads an earlier {…} block, outside <answer>';
    case 'json-syntax':
      return `invalid JSON at ${issue.position}: ${issue.message}${issue.recoverable ? ' (read leniently)' : ''}`;
    case 'missing-key':
      return `missing "${issue.key}"`;
    case 'wrong-shape':
      return `"${issue.key}" must be a list of ${issue.expectedLength}, got ${issue.actualLength === null ? 'no list' : `${issue.actualLength} items`}`;
    case 'non-numeric':
      return `${issue.key}[${issue.index}] is not a number`;
    case 'coerced':
      return `${issue.key}[${issue.index}] is a ${issue.from}, read as a number`;
    case 'non-integer':
      return `${issue.key}[${issue.index}] is not an integer`;
    case 'inverted-box':
      return 'the box has x2 < x1 or y2 < y1';
    case 'point-outside-box':
      return `${issue.key} lies outside the predicted box`;
    case 'out-of-frame':
      return `${issue.key}[${issue.index}] lies outside the model frame`;
    case 'extra-key':
      return `unexpected key "${issue.key}"`;
  }
}

export interface ParsedResponse {
  /** Text of the first <think> block (or after an unclosed <think>), stripped; null without <think>. */
  think: string | null;
  /** Text of the first <answer> block (or after an unclosed <answer>), stripped; null without <answer>. */
  answerText: string | null;
  /** The decoded answer object the display uses (leniently decoded if it had to be). */
  json: PyJsonObject | null;
  bbox: Box | null;
  points: readonly [Point, Point] | null;
  /** Box and both points, when all three are usable. */
  answer: BoxPoints | null;
  /** What the reward's two format terms will say. */
  thinkFormat: boolean;
  answerFormat: boolean;
  issues: ResponseIssue[];
}

export interface ParseOptions {
  /** Report coordinates outside this frame (the model's input size). */
  frame?: ImageSize;
}

interface TaggedSection {
  text: string | null;
  contentStart: number;
  /** Index just past the closing tag; for an unclosed block, where its text stops. */
  end: number;
  closed: boolean;
}

/** The first <tag> block from `from`; an unclosed block runs to `until` (if it occurs) or to the end. */
function readSection(response: string, tag: 'think' | 'answer', from = 0, until?: string): TaggedSection {
  const open = response.indexOf(`<${tag}>`, from);
  if (open < 0) return { text: null, contentStart: -1, end: from, closed: false };
  const contentStart = open + tag.length + 2;
  const close = response.indexOf(`</${tag}>`, contentStart);
  if (close < 0) {
    const stop = until === undefined ? -1 : response.indexOf(until, contentStart);
    const end = stop < 0 ? response.length : stop;
    return { text: pyStrip(response.slice(contentStart, end)), contentStart, end, closed: false };
  }
  const text = pyStrip(response.slice(contentStart, close));
  return { text, contentStart, end: close + tag.length + 3, closed: true };
}

function tagIssues(think: TaggedSection, answer: TaggedSection): ResponseIssue[] {
  const issues: ResponseIssue[] = [];
  if (think.text === null) issues.push({ kind: 'missing-think' });
  else if (!think.closed) issues.push({ kind: 'unclosed-think' });
  if (answer.text === null) issues.push({ kind: 'missing-answer' });
  else if (!answer.closed) issues.push({ kind: 'unclosed-answer' });
  return issues;
}

/** Why a response with both blocks closed still fails the strict think format. */
function formatMismatchReason(response: string): ResponseIssue {
  if (!response.startsWith('<think>')) return { kind: 'format-mismatch', reason: 'text-before-think' };
  if (!response.endsWith('</answer>')) return { kind: 'format-mismatch', reason: 'text-after-answer' };
  return { kind: 'format-mismatch', reason: 'text-between-tags' };
}

/** The object the display should use: prefer the block inside <answer>, read leniently if need be. */
function displayJson(response: string, answer: TaggedSection, issues: ResponseIssue[]): PyJsonObject | null {
  const rewardView = readAnswerJson(response);
  const preferred = answer.contentStart >= 0 ? readAnswerJson(response, answer.contentStart) : rewardView;
  const chosen = preferred.kind === 'none' ? rewardView : preferred;
  if (chosen.kind === 'none') {
    issues.push({ kind: 'no-json' });
    return null;
  }
  if (rewardView.kind !== 'none' && rewardView.block.start !== chosen.block.start) {
    issues.push({ kind: 'json-outside-answer' });
  }
  if (chosen.kind === 'object') return chosen.object;
  const lenient = readAnswerJson(response, chosen.block.start, true);
  const recoverable = lenient.kind === 'object';
  issues.push({ kind: 'json-syntax', message: chosen.message, position: chosen.position, recoverable });
  return recoverable ? lenient.object : null;
}

function readCoordinate(
  key: AnswerKey,
  index: number,
  value: PyJsonValue,
  issues: ResponseIssue[],
): number | null {
  if (typeof value === 'string') {
    const text = pyStrip(value);
    const parsed = text === '' ? NaN : Number(text);
    if (!Number.isFinite(parsed)) {
      issues.push({ kind: 'non-numeric', key, index });
      return null;
    }
    issues.push({ kind: 'coerced', key, index, from: 'string' });
    return parsed;
  }
  if (typeof value === 'boolean') issues.push({ kind: 'coerced', key, index, from: 'boolean' });
  const number = pyNumber(value);
  if (number === null || !Number.isFinite(number)) {
    issues.push({ kind: 'non-numeric', key, index });
    return null;
  }
  if (!Number.isInteger(number)) issues.push({ kind: 'non-integer', key, index });
  return number;
}

function readCoordinates(object: PyJsonObject, key: AnswerKey, issues: ResponseIssue[]): number[] | null {
  const value = object.get(key);
  if (value === undefined) {
    issues.push({ kind: 'missing-key', key });
    return null;
  }
  const length = expectedLength(key);
  if (!Array.isArray(value) || value.length !== length) {
    const actualLength = Array.isArray(value) ? value.length : null;
    issues.push({ kind: 'wrong-shape', key, expectedLength: length, actualLength });
    return null;
  }
  const numbers = value.map((item, index) => readCoordinate(key, index, item, issues));
  return numbers.every((n): n is number => n !== null) ? numbers : null;
}

function asBox(values: number[] | null): Box | null {
  if (values === null) return null;
  const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = values;
  return [x1, y1, x2, y2];
}

function asPoint(values: number[] | null): Point | null {
  if (values === null) return null;
  const [x = 0, y = 0] = values;
  return [x, y];
}

/** The reward truncates point coordinates before testing them against the box; so does this check. */
function pointInBox(point: Point, box: Box): boolean {
  const x = Math.trunc(point[0]);
  const y = Math.trunc(point[1]);
  return box[0] <= x && x <= box[2] && box[1] <= y && y <= box[3];
}

function geometryIssues(
  bbox: Box | null,
  points: (Point | null)[],
  frame: ImageSize | undefined,
): ResponseIssue[] {
  const issues: ResponseIssue[] = [];
  if (bbox !== null && (bbox[2] < bbox[0] || bbox[3] < bbox[1])) issues.push({ kind: 'inverted-box' });
  const pointKeys = ['points_1', 'points_2'] as const;
  pointKeys.forEach((key, i) => {
    const point = points[i];
    if (bbox !== null && point != null && !pointInBox(point, bbox))
      issues.push({ kind: 'point-outside-box', key });
  });
  if (frame !== undefined) issues.push(...frameIssues(bbox, points, frame));
  return issues;
}

function frameIssues(bbox: Box | null, points: (Point | null)[], frame: ImageSize): ResponseIssue[] {
  const issues: ResponseIssue[] = [];
  const check = (key: AnswerKey, values: readonly number[]) =>
    values.forEach((value, index) => {
      const limit = index % 2 === 0 ? frame.width : frame.height;
      if (value < 0 || value > limit) issues.push({ kind: 'out-of-frame', key, index });
    });
  if (bbox !== null) check('bbox', bbox);
  if (points[0]) check('points_1', points[0]);
  if (points[1]) check('points_2', points[1]);
  return issues;
}

function extraKeyIssues(object: PyJsonObject): ResponseIssue[] {
  const known: readonly string[] = ANSWER_KEYS;
  return [...object.keys()].filter((key) => !known.includes(key)).map((key) => ({ kind: 'extra-key', key }));
}

/** Parse a response for display: never throws, keeps whatever is usable, and lists what is wrong. */
export function parseResponse(response: string, options: ParseOptions = {}): ParsedResponse {
  const think = readSection(response, 'think', 0, '<answer>');
  // An <answer> mentioned inside the reasoning is not the answer.
  const answer = readSection(response, 'answer', think.closed ? think.end : 0);
  const thinkFormat = checkThinkFormat(response);
  const issues = tagIssues(think, answer);
  if (!thinkFormat && think.closed && answer.closed) issues.push(formatMismatchReason(response));

  const json = displayJson(response, answer, issues);
  let bbox: Box | null = null;
  let points: readonly [Point, Point] | null = null;
  if (json !== null) {
    bbox = asBox(readCoordinates(json, 'bbox', issues));
    const point1 = asPoint(readCoordinates(json, 'points_1', issues));
    const point2 = asPoint(readCoordinates(json, 'points_2', issues));
    points = point1 && point2 ? [point1, point2] : null;
    issues.push(...extraKeyIssues(json), ...geometryIssues(bbox, [point1, point2], options.frame));
  }
  return {
    think: think.text,
    answerText: answer.text,
    json,
    bbox,
    points,
    answer: bbox && points ? { bbox, points } : null,
    thinkFormat,
    answerFormat: checkAnswerFormat(response),
    issues,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Frame scaling.

function checkSize(size: ImageSize, field: string): void {
  for (const side of ['width', 'height'] as const) {
    if (!(Number.isFinite(size[side]) && size[side] > 0)) {
      throw new ScaleInputError(`${field}.${side}`, `must be a positive finite number, got ${size[side]}`);
    }
  }
}

function mapBoxPoints(
  answer: BoxPoints,
  mapX: (v: number) => number,
  mapY: (v: number) => number,
): BoxPoints {
  const all = [...answer.bbox, ...answer.points[0], ...answer.points[1]];
  const index = all.findIndex((v) => !Number.isFinite(v));
  if (index >= 0) throw new ScaleInputError('answer', `coordinate ${index} is not a finite number`);
  const [x1, y1, x2, y2] = answer.bbox;
  const [[px1, py1], [px2, py2]] = answer.points;
  return {
    bbox: [mapX(x1), mapY(y1), mapX(x2), mapY(y2)],
    points: [
      [mapX(px1), mapY(py1)],
      [mapX(px2), mapY(py2)],
    ],
  };
}

/**
 * From the model frame to image pixels as the released evaluation does it: round(int(v) * (W / 840)), with
 * Python's int() truncation and round() ties to even.
 */
export function scaleAnswerToImage(
  answer: BoxPoints,
  image: ImageSize,
  frame: ImageSize = MODEL_FRAME,
): BoxPoints {
  checkSize(image, 'image');
  checkSize(frame, 'frame');
  const xFactor = image.width / frame.width;
  const yFactor = image.height / frame.height;
  return mapBoxPoints(
    answer,
    (x) => pyRound(Math.trunc(x) * xFactor),
    (y) => pyRound(Math.trunc(y) * yFactor),
  );
}

/** From image pixels to the model frame (e.g. ground truth), rounding ties to even; no truncation first. */
export function scaleAnswerToFrame(
  answer: BoxPoints,
  image: ImageSize,
  frame: ImageSize = MODEL_FRAME,
): BoxPoints {
  checkSize(image, 'image');
  checkSize(frame, 'frame');
  const xFactor = frame.width / image.width;
  const yFactor = frame.height / image.height;
  return mapBoxPoints(
    answer,
    (x) => pyRound(x * xFactor),
    (y) => pyRound(y * yFactor),
  );
}
