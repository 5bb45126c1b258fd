// The difficulty estimator for photos: the loaded VLM rates a sample 1–10 on scene complexity, segmentation
// challenge and linguistic ambiguity (docs/difficulty-estimator.md); the answer is parsed leniently, cached per sample.
import { normalizeQuery, pyJsonLoads, type ChatMessage, type PyJsonValue } from '../../rl';
import type { HubGenerateOptions, HubGeneration, PolicyImage } from './hub-policy';

export const DIFFICULTY_MIN = 1;
export const DIFFICULTY_MAX = 10;

export const DIFFICULTY_ASPECTS = [
  'scene_complexity',
  'segmentation_challenge',
  'linguistic_ambiguity',
] as const;
export type DifficultyAspect = (typeof DIFFICULTY_ASPECTS)[number];

/** Enough for the JSON answer and a sentence around it; the estimator decodes greedily. */
export const DIFFICULTY_MAX_TOKENS = 160;

/** The user prompt, byte for byte as documented in docs/difficulty-estimator.md. */
export function buildDifficultyPrompt(query: string): string {
  return (
    `Rate how difficult it is to find and segment '${normalizeQuery(query)}' in this image. ` +
    'Score three aspects from 1 (easiest) to 10 (hardest): ' +
    'scene complexity (how cluttered the scene is: how many objects, how much occlusion, how many similar-looking ' +
    'distractors), ' +
    'segmentation challenge (how hard the target is to outline exactly: small, thin, transparent or partly ' +
    'hidden objects score high), ' +
    'linguistic ambiguity (how hard the request is to interpret: implicit references, relations, world ' +
    'knowledge or several plausible candidates score high). ' +
    'Then give an overall difficulty from 1 to 10. ' +
    'Answer with JSON only, in this form: ' +
    '{"scene_complexity": 4, "segmentation_challenge": 6, "linguistic_ambiguity": 3, "difficulty": 5}'
  );
}

/** System prompt, then one user turn in which the image precedes the text (like the method's prompt). */
export function buildDifficultyMessages(query: string): ChatMessage[] {
  return [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: [{ type: 'image' }, { type: 'text', text: buildDifficultyPrompt(query) }] },
  ];
}

export interface ParsedDifficulty {
  /** The overall score when the model gave a valid one, else the mean of the valid aspects; null if none. */
  difficulty: number | null;
  aspects: Record<DifficultyAspect, number | null>;
  /** The model's own overall score, when valid. */
  overall: number | null;
  /** How the numbers were found: a JSON object, labelled numbers in prose, or not at all. */
  method: 'json' | 'text' | 'none';
  /** What was wrong (missing aspects, values out of range, no JSON), for the UI. */
  issues: string[];
}

type Field = DifficultyAspect | 'overall';

/** Maps a key or label the model wrote ("Scene complexity", "segmentation", "overall_difficulty") to a field. */
function fieldOf(label: string): Field | null {
  const key = label.toLowerCase().replace(/[^a-z]/g, '');
  if (key.includes('scene') || key.includes('complex')) return 'scene_complexity';
  if (key.includes('segment') || key.includes('challeng')) return 'segmentation_challenge';
  if (key.includes('ling') || key.includes('ambig')) return 'linguistic_ambiguity';
  if (key.includes('overall') || key.includes('difficult') || key.includes('total') || key.includes('final'))
    return 'overall';
  return null;
}

/** A score from a JSON value: a number, or the first number of a string ("7", "7/10", "about 6"). */
function scoreOf(value: PyJsonValue | undefined): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const match = /-?\d+(?:\.\d+)?/.exec(value);
    return match ? Number(match[0]) : null;
  }
  return null;
}

function fromJson(text: string): Map<Field, number> | null {
  for (let from = text.indexOf('{'); from >= 0; from = text.indexOf('{', from + 1)) {
    const end = text.indexOf('}', from);
    if (end < 0) return null;
    const result = pyJsonLoads(text.slice(from, end + 1), { lenient: true });
    if (!result.ok || !(result.value instanceof Map)) continue;
    const found = new Map<Field, number>();
    for (const [key, value] of result.value) {
      const field = fieldOf(key);
      const score = scoreOf(value);
      if (field && score !== null && !found.has(field)) found.set(field, score);
    }
    if (found.size > 0) return found;
  }
  return null;
}

const LABELLED = [
  { field: 'scene_complexity', label: /scene[\s_-]*complexity/i },
  { field: 'segmentation_challenge', label: /segmentation[\s_-]*(?:challenge|difficulty)/i },
  { field: 'linguistic_ambiguity', label: /linguistic[\s_-]*ambiguity/i },
  { field: 'overall', label: /overall(?:[\s_-]*(?:difficulty|score))?|final[\s_-]*(?:difficulty|score)/i },
] as const;

/** "Scene complexity: 7", "**Segmentation challenge** - 6/10": the first number after each label. */
function fromText(text: string): Map<Field, number> {
  const found = new Map<Field, number>();
  for (const { field, label } of LABELLED) {
    const match = new RegExp(`(?:${label.source})[^0-9\\n]{0,40}?(-?\\d+(?:\\.\\d+)?)`, 'i').exec(text);
    if (match) found.set(field, Number(match[1]));
  }
  return found;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Reads the three aspect scores and the overall difficulty from whatever the model wrote; never throws. */
export function parseDifficulty(response: string): ParsedDifficulty {
  const issues: string[] = [];
  const json = fromJson(response);
  const found = json ?? fromText(response);
  const method = json ? 'json' : found.size > 0 ? 'text' : 'none';
  if (!json) issues.push('no JSON object with the scores');
  const valid = (field: Field): number | null => {
    const value = found.get(field);
    if (value === undefined) return null;
    if (!Number.isFinite(value) || value < DIFFICULTY_MIN || value > DIFFICULTY_MAX) {
      issues.push(`${field.replaceAll('_', ' ')} ${value} is outside ${DIFFICULTY_MIN}–${DIFFICULTY_MAX}`);
      return null;
    }
    return value;
  };
  const aspects = Object.fromEntries(DIFFICULTY_ASPECTS.map((a) => [a, valid(a)])) as Record<
    DifficultyAspect,
    number | null
  >;
  for (const aspect of DIFFICULTY_ASPECTS)
    if (!found.has(aspect)) issues.push(`${aspect.replaceAll('_', ' ')} is missing`);
  const overall = valid('overall');
  const given = DIFFICULTY_ASPECTS.map((a) => aspects[a]).filter((v): v is number => v !== null);
  const mean = given.length > 0 ? given.reduce((s, v) => s + v, 0) / given.length : null;
  const difficulty = overall ?? (mean === null ? null : round1(mean));
  if (difficulty === null) issues.push('no score could be read');
  return { difficulty, aspects, overall, method, issues };
}

/** One estimate, as the UI shows it ('estimated', overridable) and the sample store keeps it. */
export interface DifficultyEstimate extends ParsedDifficulty {
  sampleId: string;
  modelId: string;
  source: 'estimated';
  /** The model's answer, as written. */
  response: string;
  /** True when it came from the cache instead of a new generation. */
  cached: boolean;
  ms: number;
}

/** Estimates per (model, sample): a sample is rated once per model unless asked again. */
export class DifficultyCache {
  private readonly estimates = new Map<string, DifficultyEstimate>();

  private key(modelId: string, sampleId: string): string {
    return `${modelId}\u0000${sampleId}`;
  }

  get(modelId: string, sampleId: string): DifficultyEstimate | undefined {
    return this.estimates.get(this.key(modelId, sampleId));
  }

  set(estimate: DifficultyEstimate): void {
    this.estimates.set(this.key(estimate.modelId, estimate.sampleId), estimate);
  }

  delete(modelId: string, sampleId: string): boolean {
    return this.estimates.delete(this.key(modelId, sampleId));
  }

  get size(): number {
    return this.estimates.size;
  }
}

/** Anything that generates from chat messages and an image: the hub policy. */
export interface DifficultyRater {
  readonly modelId: string;
  generate(
    messages: ChatMessage[],
    image: PolicyImage,
    options: HubGenerateOptions,
  ): Promise<Pick<HubGeneration, 'response'>>;
}

export interface DifficultyRequest {
  sampleId: string;
  image: PolicyImage;
  query: string;
  /** Ask the model again even when the cache has an estimate. */
  refresh?: boolean;
}

/** Rates a sample with the loaded VLM (greedy), or returns the cached estimate. */
export async function estimateDifficulty(
  rater: DifficultyRater,
  request: DifficultyRequest,
  cache: DifficultyCache,
  options: Pick<HubGenerateOptions, 'signal' | 'onToken'> & { maxNewTokens?: number } = {},
): Promise<DifficultyEstimate> {
  const hit = request.refresh ? undefined : cache.get(rater.modelId, request.sampleId);
  if (hit) return { ...hit, cached: true };
  const start = performance.now();
  const { response } = await rater.generate(buildDifficultyMessages(request.query), request.image, {
    maxNewTokens: options.maxNewTokens ?? DIFFICULTY_MAX_TOKENS,
    temperature: 0,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onToken ? { onToken: options.onToken } : {}),
  });
  const estimate: DifficultyEstimate = {
    ...parseDifficulty(response),
    sampleId: request.sampleId,
    modelId: rater.modelId,
    source: 'estimated',
    response,
    cached: false,
    ms: performance.now() - start,
  };
  cache.set(estimate);
  return estimate;
}
