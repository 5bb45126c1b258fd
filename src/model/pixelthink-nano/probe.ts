// Pilot metrics of the decoder (issue #7's gate): does its chain list the objects right, does its answer pick the target?
import type { Level, Split } from '../../data/shapeworld/index';
import { accuracyTerms, DEFAULT_REWARD_PARAMS, type AccuracyTerms } from '../../rl/index';
import { generate } from '../generate/generate';
import type { Transformer } from '../transformer/transformer';
import type { PerceivedObject } from './scene-text';
import { sftExample } from './sft-data';
import { selectedPrompt, type Select } from './policy';
import type { PolicyTokenizer } from './tokens';

/** What a chain's "From left to right:" inventory names, item by item. */
export interface ListedObject {
  size: string;
  colour: string;
  shape: string;
}

const INVENTORY = /From left to right: (.*?)\.(?: |<\/think>|$)/s;
const ITEM = /^an? (\w+) (\w+) (\w+) at \(/;

/** The inventory of a long chain; empty when the chain has none (a short chain) or it cannot be read. */
export function listedObjects(response: string): ListedObject[] {
  const inventory = INVENTORY.exec(response)?.[1];
  if (!inventory) return [];
  return inventory.split('; ').flatMap((item) => {
    const match = ITEM.exec(item);
    return match ? [{ size: match[1] as string, colour: match[2] as string, shape: match[3] as string }] : [];
  });
}

/** The background sentence: the object list does not describe the background, so the decoder's guess there is free. */
const BACKGROUND = /The background is [^.]*\./;

function sentences(chain: string): string[] {
  return chain
    .replace(/<\/?think>/g, '')
    .replace(BACKGROUND, '')
    .split(/(?<=[.:;])\s+/)
    .filter((s) => s !== '');
}

/**
 * The first sentence (or list entry) of `response` that differs from `reference`, with the reference's version;
 * null when they agree. Everything before it is the reference's word for word, so it is a decision taken with a
 * perfect prefix (docs/models.md, "Where the first error happens").
 */
export function firstWrongSentence(
  response: string,
  reference: string,
): { got: string; want: string } | null {
  const got = sentences(response);
  const want = sentences(reference);
  const at = want.findIndex((sentence, i) => got[i] !== sentence);
  if (at >= 0) return { got: got[at] ?? '(nothing)', want: want[at] as string };
  return got.length > want.length ? { got: got[want.length] as string, want: '(nothing)' } : null;
}

export interface ProbeItem {
  level: Level;
  /** Objects of the scene, and how many the inventory named at their place with the right colour and shape. */
  objects: number;
  listedRight: number;
  /** The chain had an inventory at all. */
  listed: boolean;
  /** The answer's box overlaps the target's (IoU > 0.5, the reward's own term): the right object was picked. */
  picked: boolean;
  /** The selector's pick (the prompt's target line) was the target. */
  selected: boolean;
  /** The answer's box overlaps the selector's pick's: the decoder concluded on its target line. */
  followed: boolean;
  terms: AccuracyTerms;
}

const truthOf = (object: PerceivedObject) => ({
  bbox: [...object.bbox] as typeof object.bbox,
  points: [[...object.points[0]], [...object.points[1]]] as [[number, number], [number, number]],
});

/** Scores one response against the sample's object list, its target and the selector's pick. */
export function probeResponse(
  response: string,
  objects: readonly PerceivedObject[],
  target: PerceivedObject,
  selected: PerceivedObject | null,
  level: Level,
): ProbeItem {
  const listed = listedObjects(response);
  const listedRight = objects.filter((o, i) => {
    const named = listed[i];
    return named !== undefined && named.colour === o.colour && named.shape === o.shape;
  }).length;
  const terms = accuracyTerms(response, truthOf(target), DEFAULT_REWARD_PARAMS);
  const followed = selected
    ? accuracyTerms(response, truthOf(selected), DEFAULT_REWARD_PARAMS).boxIoU === 1
    : false;
  return {
    level,
    objects: objects.length,
    listedRight,
    listed: listed.length > 0,
    picked: terms.boxIoU === 1,
    selected: selected === target,
    followed,
    terms,
  };
}

export interface ProbeSummary {
  samples: number;
  /** Fully formatted answers (both format terms). */
  formatted: number;
  /** Of the objects of chains that list them: named with the right colour and shape at their place. */
  attributes: number;
  /** Right object picked, overall and per level. */
  picked: number;
  pickedByLevel: Partial<Record<Level, number>>;
  /** The selector's pick was the target; the answer followed the pick (whether or not it was right). */
  selected: number;
  followed: number;
  meanAccuracyReward: number;
}

export function summarizeProbe(items: readonly ProbeItem[]): ProbeSummary {
  const share = (xs: readonly ProbeItem[], f: (x: ProbeItem) => number) =>
    xs.length ? xs.reduce((n, x) => n + f(x), 0) / xs.length : NaN;
  const listing = items.filter((x) => x.listed);
  const totalObjects = listing.reduce((n, x) => n + x.objects, 0);
  const pickedByLevel: Partial<Record<Level, number>> = {};
  for (const level of ['easy', 'medium', 'hard'] as const) {
    const at = items.filter((x) => x.level === level);
    if (at.length) pickedByLevel[level] = share(at, (x) => Number(x.picked));
  }
  const terms = (x: ProbeItem) => Object.values(x.terms).reduce((n, v) => n + v, 0);
  return {
    samples: items.length,
    formatted: share(items, (x) => x.terms.thinkFormat * x.terms.answerFormat),
    attributes: totalObjects ? listing.reduce((n, x) => n + x.listedRight, 0) / totalObjects : NaN,
    picked: share(items, (x) => Number(x.picked)),
    pickedByLevel,
    selected: share(items, (x) => Number(x.selected)),
    followed: share(items, (x) => Number(x.followed)),
    meanAccuracyReward: share(items, terms),
  };
}

/** Greedy chains of the decoder on `count` samples of `split` (from `first`), given the true object lists and the selector's pick. */
export async function probeDecoder(
  decoder: Transformer,
  tokenizer: PolicyTokenizer,
  options: {
    split: Split;
    first: number;
    count: number;
    maxNewTokens: number;
    /** The policy's selector: the target line of each prompt is its pick, never the true target. */
    select: Select;
    /** Sees each response with its reference (e.g. to print a few, or where a miss went wrong). */
    onResponse?: (index: number, response: string, item: ProbeItem, reference: string) => void;
  },
): Promise<ProbeSummary> {
  const items: ProbeItem[] = [];
  for (let i = options.first; i < options.first + options.count; i++) {
    const { query, objects, target, level, response: reference } = sftExample(options.split, i, 'long');
    const { ids: prompt, target: picked } = await selectedPrompt(tokenizer, options.select, objects, query);
    const run = await generate(decoder, prompt, {
      maxNewTokens: options.maxNewTokens,
      stopTokens: [tokenizer.eosId],
      sampling: { temperature: 0 },
    });
    const response = tokenizer.decode(run.tokens.filter((t) => t !== tokenizer.eosId));
    const item = probeResponse(response, objects, target, picked, level);
    options.onResponse?.(i, response, item, reference);
    items.push(item);
  }
  return summarizeProbe(items);
}
