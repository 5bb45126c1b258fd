// Query programs for a chosen target: one generator per kind of query, each checked by running the program.
import type { Colour, Shape, Size } from './attributes';
import {
  filterChain,
  resolve,
  splitFilters,
  evaluate,
  type Attribute,
  type FilterNode,
  type OrderKey,
  type Program,
  type Relation,
} from './program';
import type { Random } from './random';
import type { Scene, SceneObject } from './scene';

export const QUERY_KINDS = [
  'attribute',
  'negation',
  'superlative',
  'ordinal',
  'relation',
  'multi-hop',
] as const;
export type QueryKind = (typeof QUERY_KINDS)[number];

type Filter = Omit<FilterNode, 'op' | 'of'>;

const ATTRIBUTE_SETS: readonly (readonly [readonly Attribute[], number])[] = [
  [['shape'], 3],
  [['colour', 'shape'], 3],
  [['colour'], 1.5],
  [['size', 'shape'], 1.5],
  [['size', 'colour', 'shape'], 1],
  [['size', 'colour'], 0.5],
];

function positive(object: SceneObject, attribute: Attribute): Filter {
  return { attribute, value: object[attribute] as Colour | Shape | Size, negate: false };
}

function setSize(program: Program, scene: Scene): number {
  const evaluation = evaluate(program, scene);
  return 'unclear' in evaluation ? 0 : evaluation.members.length;
}

/** Pick one candidate program that resolves to the target and passes `keep`, trying them in random order. */
function firstThatResolves(
  candidates: readonly Program[],
  scene: Scene,
  target: number,
  random: Random,
  keep: (program: Program) => boolean = () => true,
): Program | null {
  for (const program of random.shuffled(candidates)) {
    if (resolve(program, scene) === target && keep(program)) return program;
  }
  return null;
}

/** "the red circle", "the large triangle": attributes of the target only, without `avoid`. */
export function attributeDescription(
  scene: Scene,
  target: number,
  random: Random,
  avoid: Attribute | null = null,
): Program | null {
  const object = scene.objects[target] as SceneObject;
  const usable = ATTRIBUTE_SETS.filter(([set]) => !avoid || !set.includes(avoid));
  const unique = usable.filter(
    ([set]) => resolve(filterChain(set.map((a) => positive(object, a))), scene) === target,
  );
  if (unique.length === 0) return null;
  const set = random.weighted(unique);
  return filterChain(set.map((a) => positive(object, a)));
}

/** "the triangle that is not red", "the green shape that is not a star", "the object that is not blue". */
function negation(scene: Scene, target: number, random: Random): Program | null {
  const object = scene.objects[target] as SceneObject;
  const candidates: Program[] = [];
  for (const other of scene.objects) {
    if (other.colour !== object.colour) {
      const exclusion: Filter = { attribute: 'colour', value: other.colour, negate: true };
      candidates.push(filterChain([positive(object, 'shape'), exclusion]), filterChain([exclusion]));
    }
    if (other.shape !== object.shape) {
      const exclusion: Filter = { attribute: 'shape', value: other.shape, negate: true };
      candidates.push(filterChain([positive(object, 'colour'), exclusion]));
    }
  }
  // The negation must do the work: the positive part alone matches several objects.
  return firstThatResolves(candidates, scene, target, random, (program) => {
    const { filters } = splitFilters(program);
    return setSize(filterChain(filters.filter((f) => !f.negate)), scene) >= 2;
  });
}

function baseSets(object: SceneObject): Filter[][] {
  return [[], [positive(object, 'colour')], [positive(object, 'shape')]];
}

function orderings(
  object: SceneObject,
  keys: readonly OrderKey[],
  ranks: readonly number[],
): Extract<Program, { op: 'extreme' }>[] {
  const programs: Extract<Program, { op: 'extreme' }>[] = [];
  for (const base of baseSets(object))
    for (const key of keys)
      for (const order of ['max', 'min'] as const)
        for (const rank of ranks) programs.push({ op: 'extreme', key, order, rank, of: filterChain(base) });
  return programs;
}

/** "the largest blue shape", "the leftmost triangle": rank 0 over a set of at least two objects. */
function superlative(scene: Scene, target: number, random: Random): Program | null {
  const candidates = orderings(scene.objects[target] as SceneObject, ['size', 'x', 'y'], [0]);
  return firstThatResolves(
    candidates,
    scene,
    target,
    random,
    (p) => p.op === 'extreme' && setSize(p.of, scene) >= 2,
  );
}

/** "the second triangle from the left", "the third largest shape": rank 1–2 over enough objects. */
function ordinal(scene: Scene, target: number, random: Random): Program | null {
  const candidates = orderings(scene.objects[target] as SceneObject, ['x', 'y', 'size'], [1, 2]);
  return firstThatResolves(
    candidates,
    scene,
    target,
    random,
    (p) => p.op === 'extreme' && setSize(p.of, scene) >= p.rank + 2,
  );
}

/** "the square just below the green star": the anchor is named by attributes, the relation picks the target. */
function relation(scene: Scene, target: number, random: Random): Program | null {
  const object = scene.objects[target] as SceneObject;
  const candidates: Program[] = [];
  scene.objects.forEach((_, anchorIndex) => {
    if (anchorIndex === target) return;
    const anchor = attributeDescription(scene, anchorIndex, random);
    if (!anchor) return;
    for (const base of baseSets(object))
      for (const relation of ['left', 'right', 'above', 'below'] as Relation[])
        candidates.push({ op: 'relate', relation, anchor, of: filterChain(base) });
  });
  // The relation must do the work: without it, several objects (other than the anchor) match.
  return firstThatResolves(
    candidates,
    scene,
    target,
    random,
    (p) => p.op === 'relate' && setSize(p.of, scene) >= 3,
  );
}

/** An anchor named without the shared attribute: by its other attributes, or by a superlative (one more hop). */
function anchorDescriptions(scene: Scene, anchor: number, shared: Attribute, random: Random): Program[] {
  const descriptions: Program[] = [];
  const byAttributes = attributeDescription(scene, anchor, random, shared);
  if (byAttributes) descriptions.push(byAttributes);
  const other: Attribute = shared === 'colour' ? 'shape' : 'colour';
  const anchorObject = scene.objects[anchor] as SceneObject;
  for (const key of ['size', 'x', 'y'] as const)
    for (const order of ['max', 'min'] as const) {
      for (const base of [[], [positive(anchorObject, other)]]) {
        const program: Program = { op: 'extreme', key, order, rank: 0, of: filterChain(base) };
        if (resolve(program, scene) === anchor && setSize(program.of, scene) >= 2) descriptions.push(program);
      }
    }
  return descriptions;
}

/**
 * "the shape with the same colour as the smallest circle, but not a circle": find the anchor, read its
 * attribute, then select by it (and exclude the anchor's other attribute, or just the anchor itself).
 */
function multiHop(scene: Scene, target: number, random: Random): Program | null {
  const object = scene.objects[target] as SceneObject;
  const candidates: Program[] = [];
  scene.objects.forEach((anchorObject, anchor) => {
    if (anchor === target) return;
    for (const shared of ['colour', 'shape'] as const) {
      if (anchorObject[shared] !== object[shared]) continue;
      const other = shared === 'colour' ? 'shape' : 'colour';
      const exclusions: Filter[][] = [[]];
      if (anchorObject[other] !== object[other])
        exclusions.push([{ attribute: other, value: anchorObject[other], negate: true }]);
      for (const description of anchorDescriptions(scene, anchor, shared, random))
        for (const exclusion of exclusions)
          candidates.push({ op: 'same', attribute: shared, anchor: description, of: filterChain(exclusion) });
    }
  });
  return firstThatResolves(candidates, scene, target, random);
}

const GENERATORS: Record<QueryKind, (scene: Scene, target: number, random: Random) => Program | null> = {
  attribute: attributeDescription,
  negation,
  superlative,
  ordinal,
  relation,
  'multi-hop': multiHop,
};

/** A program of the given kind that designates exactly the target, or null if the scene does not allow one. */
export function generateProgram(
  kind: QueryKind,
  scene: Scene,
  target: number,
  random: Random,
): Program | null {
  const program = GENERATORS[kind](scene, target, random);
  return program && resolve(program, scene) === target ? program : null;
}
