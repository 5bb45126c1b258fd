// Reference reasoning in PixelThink's answer format: a long chain (every object, every step) and a short one.
import { article, type Box, type Point } from './attributes';
import type { GroundTruth } from './groundtruth';
import { ORDINALS, nounPhrase } from './phrasing';
import { coneSide, evaluate, splitFilters, squaredDistance, type FilterNode, type Program } from './program';
import { createRandom } from './random';
import type { Background, Scene, SceneObject } from './scene';
import { outline } from './shapes';

export interface AnswerBox {
  bbox: Box;
  points: [Point, Point];
}

/** The answer JSON exactly as the method prints it: integer 840-frame coordinates, no braces inside. */
export function formatAnswer({ bbox, points: [p1, p2] }: AnswerBox): string {
  const list = (values: readonly number[]) => `[${values.map((v) => Math.round(v)).join(',')}]`;
  return `{"bbox": ${list(bbox)}, "points_1": ${list(p1)}, "points_2": ${list(p2)}}`;
}

/** `<think>…</think><answer>…</answer>` with nothing before or after (the format reward checks the whole string). */
export function formatResponse(thinking: string, answer: AnswerBox): string {
  // The answer parser takes the first {…} of the whole response, so the reasoning must not contain braces.
  const think = thinking.replace(/[{}]/g, '').trim();
  return `<think>${think}</think><answer>${formatAnswer(answer)}</answer>`;
}

export interface ReasoningInput {
  scene: Scene;
  program: Program;
  target: number;
  query: string;
  groundTruth: readonly GroundTruth[];
}

const PLURAL_SHAPES: Record<string, string> = {
  circle: 'circles',
  square: 'squares',
  triangle: 'triangles',
  diamond: 'diamonds',
  star: 'stars',
  ring: 'rings',
};

/** "squares": the plural every chain's shape filters use ("the squares", "the ones that are not squares"). */
export function pluralShape(shape: string): string {
  return PLURAL_SHAPES[shape] ?? shape;
}

type Described = Pick<SceneObject, 'size' | 'colour' | 'shape' | 'x' | 'y'>;

function describe(object: Described): string {
  return `${object.size} ${object.colour} ${object.shape}`;
}

/** "large red circle at (120, 340)": how every chain names an object (and pixelthink-nano's object list too). */
export function objectPhrase(object: Described): string {
  return `${describe(object)} at (${Math.round(object.x)}, ${Math.round(object.y)})`;
}

/** "the large red circle at (120, 340)". */
function mention(scene: Scene, index: number): string {
  return `the ${objectPhrase(scene.objects[index] as SceneObject)}`;
}

function listing(scene: Scene, members: readonly number[]): string {
  if (members.length === 0) return 'none';
  return members.map((i) => mention(scene, i)).join('; ');
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function members(program: Program, scene: Scene): number[] {
  const evaluation = evaluate(program, scene);
  return 'unclear' in evaluation ? [] : evaluation.members;
}

function filterLabel(filter: FilterNode): string {
  const value = filter.attribute === 'shape' ? pluralShape(filter.value) : filter.value;
  if (filter.attribute === 'shape') return filter.negate ? `the ones that are not ${value}` : `the ${value}`;
  return filter.negate ? `the ones that are not ${value}` : `the ${value} ones`;
}

const SIDES = { x: ['left', 'right'], y: ['top', 'bottom'] } as const;

/** Sentences that carry out one program node after its inputs, for the long chain. */
function explain(program: Program, scene: Scene): string[] {
  switch (program.op) {
    case 'scene':
      return [];
    case 'filter': {
      const first = program.of.op === 'scene';
      const label = filterLabel(program);
      const found = listing(scene, members(program, scene));
      return [...explain(program.of, scene), `${first ? capital(label) : `Of these, ${label}`}: ${found}.`];
    }
    case 'extreme':
      return [...explain(program.of, scene), ...explainOrdering(program, scene)];
    case 'relate':
      return [
        ...explainAnchor(program.anchor, scene),
        ...explain(program.of, scene),
        ...explainRelation(program, scene),
      ];
    case 'same': {
      const anchor = members(program.anchor, scene)[0] ?? -1;
      const value = scene.objects[anchor]?.[program.attribute] ?? '';
      const shared =
        program.attribute === 'shape'
          ? `the other ${PLURAL_SHAPES[value] ?? value}`
          : `the other ${value} ones`;
      return [
        ...explainAnchor(program.anchor, scene),
        program.attribute === 'shape' ? `It is ${article(value)} ${value}.` : `Its colour is ${value}.`,
        ...explain(program.of, scene),
        `${program.of.op === 'scene' ? capital(shared) : `Of these, ${shared}`}: ${listing(scene, members(program, scene))}.`,
      ];
    }
  }
}

function explainAnchor(anchor: Program, scene: Scene): string[] {
  const found = members(anchor, scene)[0] ?? -1;
  return [...explain(anchor, scene), `So the reference object is ${mention(scene, found)}.`];
}

function explainOrdering(program: Extract<Program, { op: 'extreme' }>, scene: Scene): string[] {
  const { key, order, rank } = program;
  const inputs = members(program.of, scene);
  const chosen = members(program, scene)[0] ?? -1;
  const ordinal = rank === 0 ? '' : `${ORDINALS[rank] ?? `number ${rank + 1}`} `;
  if (key === 'size') {
    const sizes = inputs.map(
      (i) => `the ${describe(scene.objects[i] as SceneObject)} spans about ${sizeText(scene, i)}`,
    );
    const superlative = order === 'max' ? 'largest' : 'smallest';
    return [
      `Comparing sizes: ${sizes.join('; ')}.`,
      `The ${ordinal}${superlative} is ${mention(scene, chosen)}.`,
    ];
  }
  const [lowSide, highSide] = SIDES[key];
  const from = order === 'min' ? lowSide : highSide;
  const to = order === 'min' ? highSide : lowSide;
  const position = (i: number) => (key === 'x' ? scene.objects[i]?.x : scene.objects[i]?.y);
  const sorted = [...inputs].sort(
    (a, b) => (order === 'min' ? 1 : -1) * ((position(a) ?? 0) - (position(b) ?? 0)),
  );
  const sequence = sorted.map(
    (i) => `${describe(scene.objects[i] as SceneObject)} (${key} = ${position(i)})`,
  );
  const pick = rank === 0 ? `The one furthest to the ${from}` : `The ${ordinal}one from the ${from}`;
  return [`From ${from} to ${to}: ${sequence.join(', ')}.`, `${pick} is ${mention(scene, chosen)}.`];
}

/** "150×143 px": the extent of the object's outline in the 840 frame. */
function sizeText(scene: Scene, index: number): string {
  const object = scene.objects[index] as SceneObject;
  const shape = outline(object.shape, object.radius);
  if (shape.kind === 'disc') return `${2 * shape.radius}×${2 * shape.radius} px`;
  const xs = shape.vertices.map(([x]) => x);
  const ys = shape.vertices.map(([, y]) => y);
  return `${Math.max(...xs) - Math.min(...xs)}×${Math.max(...ys) - Math.min(...ys)} px`;
}

function explainRelation(program: Extract<Program, { op: 'relate' }>, scene: Scene): string[] {
  const anchorIndex = members(program.anchor, scene)[0] ?? -1;
  const anchor = scene.objects[anchorIndex] as SceneObject;
  const target = members(program, scene)[0] ?? -1;
  const direction = { left: 'to the left of', right: 'to the right of', above: 'above', below: 'below' }[
    program.relation
  ];
  const inCone = members(program.of, scene).filter(
    (i) => i !== anchorIndex && coneSide(anchor, scene.objects[i] as SceneObject, program.relation) === 'in',
  );
  const distance = (i: number) =>
    Math.round(Math.sqrt(squaredDistance(anchor, scene.objects[i] as SceneObject)));
  inCone.sort((a, b) => distance(a) - distance(b));
  const candidates = inCone.map((i) => `${mention(scene, i)} (${distance(i)} px away)`).join('; ');
  const lead =
    program.of.op === 'scene' ? `Objects ${direction} the reference` : `Of these, ${direction} the reference`;
  return [`${lead}: ${candidates}.`, `The nearest is ${mention(scene, target)}.`];
}

function backgroundSentence(background: Background): string {
  const texture = {
    plain: 'plain',
    stripes: `covered in faint ${background.direction} stripes`,
    checker: 'covered in a faint checker pattern',
    noise: 'covered in faint noise',
  }[background.pattern];
  return `The background is light grey and ${texture}.`;
}

/** Long chain: restate the query, look at every object left to right, then filter step by step. */
export function longReasoning({ scene, program, target, query }: ReasoningInput): string {
  const order = scene.objects
    .map((_, i) => i)
    .sort((a, b) => (scene.objects[a]?.x ?? 0) - (scene.objects[b]?.x ?? 0));
  const inventory = order.map((i) => {
    return `a ${objectPhrase(scene.objects[i] as SceneObject)}`;
  });
  return [
    `The query asks for "${query}".`,
    `${backgroundSentence(scene.background)} I see ${scene.objects.length} objects. From left to right: ${inventory.join('; ')}.`,
    ...explain(program, scene),
    `So the target is ${mention(scene, target)}.`,
  ].join(' ');
}

/** A canonical phrase for a sub-program (paraphrase choice fixed, so short chains are stable). */
function canonical(program: Program): string {
  return nounPhrase(program, createRandom('shapeworld-canonical-phrasing'));
}

/** Short chain: only the decisive facts (the anchor, then the target). */
export function shortReasoning({ scene, program, target }: ReasoningInput): string {
  const targetObject = scene.objects[target] as SceneObject;
  const result = `the ${objectPhrase(targetObject)}`;
  if (program.op === 'relate' || program.op === 'same') {
    const anchorIndex = members(program.anchor, scene)[0] ?? -1;
    const anchor = scene.objects[anchorIndex] as SceneObject;
    const anchorFact = `${capital(canonical(program.anchor))} is ${mention(scene, anchorIndex)}.`;
    if (program.op === 'relate') {
      const { filters } = splitFilters(program.of);
      const noun = filters.find((f) => f.attribute === 'shape')?.value ?? 'object';
      const direction = { left: 'left of', right: 'right of', above: 'above', below: 'below' }[
        program.relation
      ];
      return `${anchorFact} The nearest ${noun} ${direction} it is ${result}.`;
    }
    const value = anchor[program.attribute];
    const exclusions = splitFilters(program.of).filters.filter((f) => f.negate);
    const kind = program.attribute === 'shape' ? value : `${value} object`;
    const clause = exclusions
      .map((f) => ` that is not ${f.attribute === 'shape' ? `${article(f.value)} ${f.value}` : f.value}`)
      .join('');
    return `${anchorFact} The other ${kind}${clause} is ${result}.`;
  }
  return `${capital(canonical(program))} is ${result}.`;
}

export function referenceResponses(input: ReasoningInput): { long: string; short: string } {
  const gt = input.groundTruth[input.target];
  if (!gt) throw new RangeError(`no ground truth for target ${input.target}`);
  return {
    long: formatResponse(longReasoning(input), gt),
    short: formatResponse(shortReasoning(input), gt),
  };
}
