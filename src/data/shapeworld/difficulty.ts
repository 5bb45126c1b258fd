// Difficulty 1–10 of a query on its scene (documented in docs/shapeworld.md) and its PixelThink level.
import { DEFAULT_REWARD_PARAMS, difficultyLevel, type DifficultyLevel } from '../../rl';
import type { Program } from './program';
import type { Scene, SceneObject } from './scene';

/** ShapeWorld labels levels with PixelThink's released thresholds (method §3): hard d ≥ τ1, medium τ2 ≤ d < τ1. */
export const TAU_HARD = DEFAULT_REWARD_PARAMS.tau1;
export const TAU_MEDIUM = DEFAULT_REWARD_PARAMS.tau2;

export type Level = DifficultyLevel;

/** Weights of the difficulty formula; see docs/shapeworld.md for how they were calibrated. */
export const DIFFICULTY_WEIGHTS = {
  steps: 1,
  distractor: 0.3,
  smallTarget: 0.6,
  clutter: 0.25,
  texture: 0.2,
} as const;

/**
 * Reasoning steps of a program: each attribute filter 1 (a negated one 1.5), a superlative 1, an ordinal
 * 1.5, a spatial relation or a same-attribute hop 2, plus the steps of their anchors and input sets.
 */
export function reasoningSteps(program: Program): number {
  switch (program.op) {
    case 'scene':
      return 0;
    case 'filter':
      return (program.negate ? 1.5 : 1) + reasoningSteps(program.of);
    case 'extreme':
      return (program.rank === 0 ? 1 : 1.5) + reasoningSteps(program.of);
    case 'relate':
    case 'same':
      return 2 + reasoningSteps(program.anchor) + reasoningSteps(program.of);
  }
}

/** Shared attributes between the target and every other object: sharing colour counts 1, shape 1, both 2. */
export function distractorScore(scene: Scene, target: number): number {
  const object = scene.objects[target] as SceneObject;
  return scene.objects.reduce(
    (score, other, i) =>
      i === target
        ? score
        : score + Number(other.colour === object.colour) + Number(other.shape === object.shape),
    0,
  );
}

export interface DifficultyTerms {
  steps: number;
  distractors: number;
  smallTarget: number;
  objects: number;
  textured: number;
}

export function difficultyTerms(program: Program, scene: Scene, target: number): DifficultyTerms {
  const size = scene.objects[target]?.size;
  return {
    steps: reasoningSteps(program),
    distractors: distractorScore(scene, target),
    smallTarget: size === 'small' ? 1 : size === 'medium' ? 0.5 : 0,
    objects: scene.objects.length,
    textured: scene.background.pattern === 'plain' ? 0 : 1,
  };
}

/**
 * d = 1 + (steps − 1) + 0.3·distractors + 0.6·small + 0.25·(objects − 3) + 0.2·textured,
 * clamped to [1, 10] and rounded to one decimal.
 */
export function difficultyFromTerms(terms: DifficultyTerms): number {
  const w = DIFFICULTY_WEIGHTS;
  const raw =
    1 +
    w.steps * Math.max(0, terms.steps - 1) +
    w.distractor * terms.distractors +
    w.smallTarget * terms.smallTarget +
    w.clutter * (terms.objects - 3) +
    w.texture * terms.textured;
  return Math.round(Math.min(10, Math.max(1, raw)) * 10) / 10;
}

export function difficulty(program: Program, scene: Scene, target: number): number {
  return difficultyFromTerms(difficultyTerms(program, scene, target));
}

export function levelOf(difficulty: number): Level {
  return difficultyLevel(difficulty, DEFAULT_REWARD_PARAMS);
}
