// Query programs: a tiny serialisable AST of set operations over a scene's objects, and its evaluator.
import { AREA_PER_RADIUS_SQUARED, type Colour, type Shape, type Size } from './attributes';
import type { Scene, SceneObject } from './scene';

export type Attribute = 'colour' | 'shape' | 'size';
export type Relation = 'left' | 'right' | 'above' | 'below';
/** What an ordering compares: the size of the objects, or their centre's x or y. */
export type OrderKey = 'size' | 'x' | 'y';

export type Program =
  /** Every object of the scene. */
  | { op: 'scene' }
  /** The objects of `of` whose attribute equals (or, negated, differs from) the value. */
  | { op: 'filter'; attribute: Attribute; value: Colour | Shape | Size; negate: boolean; of: Program }
  /** The object at `rank` (0 = first) when `of` is ordered by key, largest first for 'max'. */
  | { op: 'extreme'; key: OrderKey; order: 'max' | 'min'; rank: number; of: Program }
  /** The object of `of` nearest to the (unique) anchor among those clearly in the relation to it. */
  | { op: 'relate'; relation: Relation; anchor: Program; of: Program }
  /** The objects of `of`, other than the (unique) anchor, that share the attribute with the anchor. */
  | { op: 'same'; attribute: 'colour' | 'shape'; anchor: Program; of: Program };

/** A set of object indices, or the reason why the program is not clear-cut on this scene. */
export type Evaluation = { members: number[] } | { unclear: string };

/** Two positions are told apart only when they differ by this much (840 px). */
export const POSITION_MARGIN = 40;
/** Two sizes are told apart only when both extent and area differ by this factor. */
export const SIZE_RATIO = 1.2;
/** An object is in the cone of a direction (45° each side) or out of it by at least this much (840 px). */
export const CONE_MARGIN = 40;
/** The nearest object in a direction must be this many times closer than the next one. */
export const NEAREST_RATIO = 1.3;

export function area(object: SceneObject): number {
  return AREA_PER_RADIUS_SQUARED[object.shape] * object.radius * object.radius;
}

/** Position along a key, for the position orderings. */
function coordinate(object: SceneObject, key: 'x' | 'y'): number {
  return key === 'x' ? object.x : object.y;
}

/** −1/1 when a is clearly smaller/larger than b on the key, 0 when the difference is too small to see. */
export function compareClearly(a: SceneObject, b: SceneObject, key: OrderKey): -1 | 0 | 1 {
  if (key === 'size') {
    if (a.radius >= b.radius * SIZE_RATIO && area(a) >= area(b) * SIZE_RATIO) return 1;
    if (b.radius >= a.radius * SIZE_RATIO && area(b) >= area(a) * SIZE_RATIO) return -1;
    return 0;
  }
  const difference = coordinate(a, key) - coordinate(b, key);
  if (difference >= POSITION_MARGIN) return 1;
  if (difference <= -POSITION_MARGIN) return -1;
  return 0;
}

/** A sort value for ordering (the exact comparison for clarity is compareClearly). */
function sortValue(object: SceneObject, key: OrderKey): number {
  return key === 'size' ? area(object) : coordinate(object, key);
}

function evaluateExtreme(
  program: Extract<Program, { op: 'extreme' }>,
  scene: Scene,
  of: number[],
): Evaluation {
  const { key, order, rank } = program;
  const sign = order === 'max' ? -1 : 1;
  const objectAt = (i: number) => scene.objects[i] as SceneObject;
  const sorted = [...of].sort(
    (a, b) => sign * (sortValue(objectAt(a), key) - sortValue(objectAt(b), key)) || a - b,
  );
  if (sorted.length <= rank) return { members: [] };
  const chosen = objectAt(sorted[rank] as number);
  const before = sorted[rank - 1];
  const after = sorted[rank + 1];
  // Every neighbour of the chosen object in the order must be clearly on its own side.
  const expected = order === 'max' ? 1 : -1;
  if (before !== undefined && compareClearly(objectAt(before), chosen, key) !== expected)
    return { unclear: `rank ${rank} by ${key} is too close to rank ${rank - 1}` };
  if (after !== undefined && compareClearly(chosen, objectAt(after), key) !== expected)
    return { unclear: `rank ${rank} by ${key} is too close to rank ${rank + 1}` };
  return { members: [sorted[rank] as number] };
}

/** Along the direction and across it, in 840 px, from the anchor to the object. */
function directionComponents(anchor: SceneObject, object: SceneObject, relation: Relation): [number, number] {
  const dx = object.x - anchor.x;
  const dy = object.y - anchor.y;
  switch (relation) {
    case 'left':
      return [-dx, Math.abs(dy)];
    case 'right':
      return [dx, Math.abs(dy)];
    case 'above':
      return [-dy, Math.abs(dx)];
    case 'below':
      return [dy, Math.abs(dx)];
  }
}

/** 'in' / 'out' of the 45° cone in the relation's direction, or 'unclear' near its edges. */
export function coneSide(
  anchor: SceneObject,
  object: SceneObject,
  relation: Relation,
): 'in' | 'out' | 'unclear' {
  const [along, across] = directionComponents(anchor, object, relation);
  const inside = along - across;
  if (inside >= CONE_MARGIN) return 'in';
  if (inside <= -CONE_MARGIN) return 'out';
  return 'unclear';
}

export function squaredDistance(a: SceneObject, b: SceneObject): number {
  return (a.x - b.x) ** 2 + (a.y - b.y) ** 2;
}

function evaluateRelate(
  relation: Relation,
  scene: Scene,
  anchorIndex: number,
  of: readonly number[],
): Evaluation {
  const anchor = scene.objects[anchorIndex] as SceneObject;
  const inCone: number[] = [];
  for (const i of of) {
    if (i === anchorIndex) continue;
    const side = coneSide(anchor, scene.objects[i] as SceneObject, relation);
    if (side === 'unclear') return { unclear: `object ${i} is on the edge of the ${relation} cone` };
    if (side === 'in') inCone.push(i);
  }
  const distance = (i: number) => squaredDistance(anchor, scene.objects[i] as SceneObject);
  inCone.sort((a, b) => distance(a) - distance(b) || a - b);
  const [nearest, next] = inCone;
  if (nearest === undefined) return { members: [] };
  if (next !== undefined && distance(next) < distance(nearest) * NEAREST_RATIO * NEAREST_RATIO)
    return { unclear: `two objects ${relation} the anchor are about as near` };
  return { members: [nearest] };
}

function singleAnchor(evaluation: Evaluation): number | string {
  if ('unclear' in evaluation) return evaluation.unclear;
  const [only, ...rest] = evaluation.members;
  if (only === undefined || rest.length > 0) return `the anchor matches ${evaluation.members.length} objects`;
  return only;
}

export type FilterNode = Extract<Program, { op: 'filter' }>;

/** The attribute filters at the top of a program and what they filter (a chain over 'scene' ends in it). */
export function splitFilters(program: Program): { filters: FilterNode[]; base: Program } {
  const filters: FilterNode[] = [];
  let node = program;
  while (node.op === 'filter') {
    filters.push(node);
    node = node.of;
  }
  return { filters: filters.reverse(), base: node };
}

/** A chain of attribute filters over the whole scene, applied in the given order. */
export function filterChain(filters: readonly Omit<FilterNode, 'op' | 'of'>[]): Program {
  return filters.reduce<Program>((of, filter) => ({ op: 'filter', ...filter, of }), { op: 'scene' });
}

/** Runs a program on a scene. */
export function evaluate(program: Program, scene: Scene): Evaluation {
  if (program.op === 'scene') return { members: scene.objects.map((_, i) => i) };
  const of = evaluate(program.of, scene);
  if ('unclear' in of) return of;
  switch (program.op) {
    case 'filter': {
      const { attribute, value, negate } = program;
      return { members: of.members.filter((i) => (scene.objects[i]?.[attribute] === value) !== negate) };
    }
    case 'extreme':
      return evaluateExtreme(program, scene, of.members);
    case 'relate':
    case 'same': {
      const anchor = singleAnchor(evaluate(program.anchor, scene));
      if (typeof anchor === 'string') return { unclear: anchor };
      if (program.op === 'relate') return evaluateRelate(program.relation, scene, anchor, of.members);
      const value = scene.objects[anchor]?.[program.attribute];
      return {
        members: of.members.filter((i) => i !== anchor && scene.objects[i]?.[program.attribute] === value),
      };
    }
  }
}

/** The one object the program designates, or null when it designates none, several, or is unclear. */
export function resolve(program: Program, scene: Scene): number | null {
  const evaluation = evaluate(program, scene);
  if ('unclear' in evaluation || evaluation.members.length !== 1) return null;
  return evaluation.members[0] ?? null;
}
