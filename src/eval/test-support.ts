// Test support for the eval tests: policies that fail in known ways and a runner wrapper (not part of the public API).
import { formatResponse } from '../data/shapeworld/index';
import { EvalError } from './errors';
import type { PolicyAnswer, PolicyRunner, SegmenterRunner } from './types';

/** Responses no parser can use and that fail every reward term (none has the <think>…<answer> shape). */
export const GARBAGE_RESPONSES: readonly string[] = [
  '',
  'I cannot tell which object that is.',
  '{"bbox": [1, 2]}',
  '<answer>{broken json</answer>',
  '\u0000\uffff}{',
  '<think>no closing tag<answer>{"bbox": [0,0,9,9], "points_1": [1,1]}',
];

function answer(response: string): PolicyAnswer {
  return { response, tokens: response.length, uncertainty: 0.5, timingsMs: {} };
}

export function garbagePolicy(): PolicyRunner {
  let calls = 0;
  return {
    id: 'garbage',
    tokenCounting: 'characters',
    answer: () => Promise.resolve(answer(GARBAGE_RESPONSES[calls++ % GARBAGE_RESPONSES.length] ?? '')),
  };
}

/** Answers perfectly formatted, with the ground truth of the object after the target: a confident mistake. */
export function wrongObjectPolicy(): PolicyRunner {
  return {
    id: 'wrong-object',
    tokenCounting: 'none',
    answer: ({ sample }) => {
      if (sample === undefined) throw new EvalError('wrong-object needs the sample');
      const wrong = sample.objects[(sample.target + 1) % sample.objects.length];
      if (wrong === undefined) throw new EvalError('sample without objects');
      return Promise.resolve(answer(formatResponse('It is this one.', wrong.gt)));
    },
  };
}

/** The same runner, asking for another render size. */
export function atRenderSize<T extends PolicyRunner | SegmenterRunner>(runner: T, renderSize: number): T {
  return { ...runner, renderSize };
}
