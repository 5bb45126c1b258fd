// Checks the reference reasoning: the method's exact response format, answers equal to ground truth, long vs short.
import { describe, expect, it } from 'vitest';
import { formatAnswer, formatResponse } from './reasoning';
import { sample, type ShapeWorldSample } from './sample';

/** The method's whole-response format check (think format reward), dot matching newlines. */
const THINK_FORMAT = /^<think>.*?<\/think>\s*<answer>.*?<\/answer>$/s;

function words(text: string): number {
  return text.trim().split(/\s+/).length;
}

/** The answer as the reward reads it: the first {…} without a closing brace inside, parsed as JSON. */
function firstJson(response: string): { bbox: number[]; points_1: number[]; points_2: number[] } {
  const match = /\{[^}]+\}/.exec(response);
  if (!match) throw new Error(`no JSON in ${response}`);
  return JSON.parse(match[0]) as { bbox: number[]; points_1: number[]; points_2: number[] };
}

describe('formatAnswer', () => {
  it('prints the exact answer JSON with integer coordinates', () => {
    expect(
      formatAnswer({
        bbox: [10, 100, 200, 210],
        points: [
          [30, 110],
          [35.4, 180],
        ],
      }),
    ).toBe('{"bbox": [10,100,200,210], "points_1": [30,110], "points_2": [35,180]}');
  });

  it('keeps braces out of the reasoning, where the parser would find them first', () => {
    const response = formatResponse(' a {b} c ', {
      bbox: [1, 2, 3, 4],
      points: [
        [1, 2],
        [3, 4],
      ],
    });
    expect(response).toBe(
      '<think>a b c</think><answer>{"bbox": [1,2,3,4], "points_1": [1,2], "points_2": [3,4]}</answer>',
    );
  });
});

describe('reference reasoning', () => {
  const samples: ShapeWorldSample[] = Array.from({ length: 200 }, (_, i) => sample('val', i));

  it('matches the whole-response format, with no whitespace around it', () => {
    for (const s of samples)
      for (const response of [s.references.long, s.references.short]) {
        expect(response).toMatch(THINK_FORMAT);
        expect(response).toBe(response.trim());
        expect(response.match(/<think>/g)).toHaveLength(1);
      }
  });

  it('answers with exactly the ground truth of the target', () => {
    for (const s of samples)
      for (const response of [s.references.long, s.references.short]) {
        const answer = firstJson(response);
        expect(answer).toEqual({ bbox: s.gt.bbox, points_1: s.gt.points[0], points_2: s.gt.points[1] });
        expect([...answer.bbox, ...answer.points_1, ...answer.points_2].every(Number.isInteger)).toBe(true);
      }
  });

  it('names the target and its position in both chains', () => {
    for (const s of samples) {
      const target = s.objects[s.target];
      if (!target) throw new Error('missing target');
      const mention = `${target.size} ${target.colour} ${target.shape} at (${target.x}, ${target.y})`;
      expect(s.references.long).toContain(mention);
      expect(s.references.short).toContain(mention);
    }
  });

  it('mentions every object in the long chain only', () => {
    for (const s of samples) {
      const think = s.references.long.slice(0, s.references.long.indexOf('</think>'));
      for (const o of s.objects)
        expect(think).toContain(`${o.size} ${o.colour} ${o.shape} at (${o.x}, ${o.y})`);
      expect(s.references.long).toContain(`I see ${s.objects.length} objects`);
    }
  });

  it('makes the long chain several times longer than the short one', () => {
    let long = 0;
    let short = 0;
    for (const s of samples) {
      expect(words(s.references.long)).toBeGreaterThan(words(s.references.short) + 20);
      long += words(s.references.long);
      short += words(s.references.short);
    }
    expect(long / short).toBeGreaterThan(3);
  });
});
