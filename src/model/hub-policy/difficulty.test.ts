// The difficulty estimator's prompt and its lenient parser: JSON, prose, malformed and out-of-range answers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDifficultyPrompt, parseDifficulty } from './difficulty';

describe('difficulty prompt', () => {
  it('names the three aspects, the 1–10 scale and the JSON form, with the normalised query', () => {
    const prompt = buildDifficultyPrompt('The cup on the LEFT.');
    expect(prompt).toContain("'the cup on the left'");
    for (const phrase of [
      'scene complexity',
      'segmentation challenge',
      'linguistic ambiguity',
      '1 (easiest) to 10',
    ])
      expect(prompt).toContain(phrase);
    expect(prompt.endsWith('"difficulty": 5}')).toBe(true);
  });

  it('is documented byte for byte in docs/difficulty-estimator.md', () => {
    expect(readFileSync('docs/difficulty-estimator.md', 'utf8')).toContain(
      `\n${buildDifficultyPrompt('{q}')}\n`,
    );
  });
});

describe('parseDifficulty', () => {
  it('reads a JSON answer, its overall score first', () => {
    const parsed = parseDifficulty(
      '{"scene_complexity": 8, "segmentation_challenge": 6, "linguistic_ambiguity": 2, "difficulty": 7}',
    );
    expect(parsed).toEqual({
      difficulty: 7,
      aspects: { scene_complexity: 8, segmentation_challenge: 6, linguistic_ambiguity: 2 },
      overall: 7,
      method: 'json',
      issues: [],
    });
  });

  it('takes the mean of the aspects when the overall score is missing, and accepts Python dicts and "7/10"', () => {
    const parsed = parseDifficulty(
      "Sure! {'Scene complexity': '7/10', 'segmentation': 4, 'ambiguity': 5} Hope this helps.",
    );
    expect(parsed.difficulty).toBeCloseTo(5.3, 5);
    expect(parsed.overall).toBeNull();
    expect(parsed.method).toBe('json');
  });

  it('reads labelled numbers from prose when there is no JSON', () => {
    const parsed = parseDifficulty(
      '**Scene complexity**: 6\n**Segmentation challenge** - 9/10\nLinguistic ambiguity: 2\nOverall difficulty: 8',
    );
    expect(parsed).toMatchObject({
      difficulty: 8,
      aspects: { scene_complexity: 6, segmentation_challenge: 9, linguistic_ambiguity: 2 },
      method: 'text',
    });
    expect(parsed.issues).toContain('no JSON object with the scores');
  });

  it('drops values outside 1–10 and says so', () => {
    const parsed = parseDifficulty('{"scene_complexity": 85, "segmentation_challenge": 4, "difficulty": 0}');
    expect(parsed.aspects.scene_complexity).toBeNull();
    expect(parsed.overall).toBeNull();
    expect(parsed.difficulty).toBe(4);
    expect(parsed.issues.join('; ')).toMatch(/scene complexity 85 is outside 1–10/);
    expect(parsed.issues.join('; ')).toMatch(/linguistic ambiguity is missing/);
  });

  it('gives null, never throws, on text without scores or with broken JSON', () => {
    for (const text of ['', 'I cannot rate this image.', '{"scene_complexity": }', '{{{', '}{'])
      expect(parseDifficulty(text).difficulty).toBeNull();
    expect(parseDifficulty('I cannot rate this image.').method).toBe('none');
  });

  it('reads a truncated JSON answer from its labels', () => {
    expect(parseDifficulty('{"scene_complexity": 3, "segmentation_challenge": 5, "lingu').difficulty).toBe(4);
  });
});
