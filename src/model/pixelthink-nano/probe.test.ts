// The decoder's pilot metrics: inventory parsing, picked target, the selector's pick and whether the answer followed it.
import { describe, expect, it } from 'vitest';
import { sample } from '../../data/shapeworld/index';
import { firstWrongSentence, listedObjects, probeResponse, summarizeProbe } from './probe';
import type { PerceivedObject } from './scene-text';
import { groundTruthObjects, leftToRightSample } from './sft-data';

function record(index: number) {
  const sorted = leftToRightSample(sample('val', index));
  const objects = groundTruthObjects(sorted);
  return { sorted, objects, target: objects[sorted.target] as PerceivedObject };
}

describe('pilot probe', () => {
  it('reads the inventory of a long chain item by item, and none from a short one', () => {
    const { sorted, objects } = record(0);
    expect(listedObjects(sorted.references.long)).toEqual(
      objects.map(({ size, colour, shape }) => ({ size, colour, shape })),
    );
    expect(listedObjects(sorted.references.short)).toEqual([]);
  });

  it('gives the reference chains full marks and a chain naming the wrong objects none', () => {
    const items = [0, 1, 2, 3].flatMap((i) => {
      const { sorted, objects, target } = record(i);
      return [
        probeResponse(sorted.references.long, objects, target, target, sorted.level),
        probeResponse(sorted.references.short, objects, target, target, sorted.level),
      ];
    });
    const summary = summarizeProbe(items);
    expect(summary).toMatchObject({
      samples: 8,
      formatted: 1,
      attributes: 1,
      picked: 1,
      selected: 1,
      followed: 1,
      meanAccuracyReward: 5,
    });

    const { sorted, objects, target } = record(0);
    const other = objects.find((o) => o !== target && o.colour !== target.colour) as PerceivedObject;
    const wrong = sorted.references.long
      .replaceAll(target.colour, target.colour === 'red' ? 'blue' : 'red')
      .replace(
        /<answer>.*<\/answer>/,
        `<answer>{"bbox": [${other.bbox.join(',')}], "points_1": [1,1], "points_2": [2,2]}</answer>`,
      );
    const item = probeResponse(wrong, objects, target, other, sorted.level);
    expect(item).toMatchObject({ picked: false, selected: false, followed: true });
    expect(item.listedRight).toBeLessThan(objects.length);
  });

  it('finds the first sentence or list entry that differs from the reference, ignoring the background', () => {
    const reference =
      '<think>The background is plain. I see 2 objects. The red ones: the small red ring at (1, 2); the large red star at (3, 4). So the target is the small red ring at (1, 2).</think>';
    expect(firstWrongSentence(reference.replace('plain', 'noisy'), reference)).toBeNull();
    expect(
      firstWrongSentence(
        reference.replace('the large red star at (3, 4)', 'the small blue star at (5, 6)'),
        reference,
      ),
    ).toEqual({ got: 'the small blue star at (5, 6).', want: 'the large red star at (3, 4).' });
    expect(firstWrongSentence('<think>The background is plain. I see 2 objects.</think>', reference)).toEqual(
      {
        got: '(nothing)',
        want: 'The red ones:',
      },
    );
  });
});
