// One ShapeWorld-Reason sample as a pure function of (split, index): scene, query, difficulty, ground truth, references.
import { FRAME, type Box, type Point } from './attributes';
import { difficulty, levelOf, type Level } from './difficulty';
import { sceneGroundTruth, type GroundTruth } from './groundtruth';
import { nounPhrase } from './phrasing';
import { resolve, type Program } from './program';
import { QUERY_KINDS, generateProgram, type QueryKind } from './query';
import { createRandom, type Random } from './random';
import { referenceResponses } from './reasoning';
import { sampleScene, type Background, type Scene, type SceneObject } from './scene';
import { checkIndex, sampleId, seedOf, type Split } from './splits';

/** How often each kind of query is drawn; chosen with the difficulty formula so levels come out about even. */
export const KIND_WEIGHTS: Record<QueryKind, number> = {
  attribute: 0.3,
  negation: 0.1,
  superlative: 0.15,
  ordinal: 0.1,
  relation: 0.17,
  'multi-hop': 0.18,
};

const SCENE_ATTEMPTS = 200;

/** Everything about a sample that needs no rasterising: enough for difficulty and level statistics. */
export interface ShapeWorldQuery {
  id: string;
  split: Split;
  index: number;
  kind: QueryKind;
  query: string;
  program: Program;
  target: number;
  difficulty: number;
  level: Level;
  scene: Scene;
}

export interface ObjectRecord extends SceneObject {
  gt: GroundTruth;
}

/** A full sample record: JSON-serialisable, and a Scene itself (renderScene(record, 96) draws it). */
export interface ShapeWorldSample {
  id: string;
  split: Split;
  index: number;
  /** Coordinates of gt, objects and references are in this frame. */
  frame: number;
  query: string;
  kind: QueryKind;
  program: Program;
  difficulty: number;
  level: Level;
  target: number;
  background: Background;
  objects: ObjectRecord[];
  gt: { bbox: Box; points: [Point, Point] };
  references: { long: string; short: string };
}

function drawProgram(kind: QueryKind, random: Random): { scene: Scene; program: Program; target: number } {
  for (let attempt = 0; attempt < SCENE_ATTEMPTS; attempt++) {
    const scene = sampleScene(random);
    for (const target of random.shuffled(scene.objects.map((_, i) => i))) {
      const program = generateProgram(kind, scene, target, random);
      if (program) return { scene, program, target };
    }
  }
  // Not reached in practice (attribute queries almost always exist); kept so the function is total.
  throw new Error(`no ${kind} query found in ${SCENE_ATTEMPTS} scenes`);
}

/** Scene, program, query text and difficulty of sample (split, index), without rasterising anything. */
export function sampleQuery(split: Split, index: number): ShapeWorldQuery {
  checkIndex(split, index);
  const random = createRandom(seedOf(split, index));
  const kind = random.weighted(QUERY_KINDS.map((k) => [k, KIND_WEIGHTS[k]] as const));
  const { scene, program, target } = drawProgram(kind, random);
  if (resolve(program, scene) !== target) throw new Error('generated program does not resolve to its target');
  const query = nounPhrase(program, random);
  const d = difficulty(program, scene, target);
  return {
    id: sampleId(split, index),
    split,
    index,
    kind,
    query,
    program,
    target,
    difficulty: d,
    level: levelOf(d),
    scene,
  };
}

/** The full record of sample (split, index): a pure function of its arguments, identical in every engine. */
export function sample(split: Split, index: number): ShapeWorldSample {
  const q = sampleQuery(split, index);
  const groundTruth = sceneGroundTruth(q.scene);
  const targetTruth = groundTruth[q.target] as GroundTruth;
  return {
    id: q.id,
    split,
    index,
    frame: FRAME,
    query: q.query,
    kind: q.kind,
    program: q.program,
    difficulty: q.difficulty,
    level: q.level,
    target: q.target,
    background: q.scene.background,
    objects: q.scene.objects.map((object, i) => ({ ...object, gt: groundTruth[i] as GroundTruth })),
    gt: { bbox: targetTruth.bbox, points: targetTruth.points },
    references: referenceResponses({ ...q, groundTruth }),
  };
}
