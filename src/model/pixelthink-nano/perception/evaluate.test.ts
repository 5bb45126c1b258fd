// Evaluation arithmetic: a detection matches the object whose box holds its centre; duplicates and misses count.
import { describe, expect, it } from 'vitest';
import { sample } from '../../../data/shapeworld/index';
import type { DetectedObject } from './decode';
import { emptyTally, matchDetections, summarise, tallyImage } from './evaluate';

const record = sample('val', 7);
const [a, b] = record.objects as [(typeof record.objects)[0], (typeof record.objects)[0]];

function detectionOf(object: typeof a, score: number, shift = 0): DetectedObject {
  const [x1, y1, x2, y2] = object.gt.bbox;
  return {
    colour: object.colour,
    shape: object.shape,
    size: object.size,
    bbox: [x1 + shift, y1 + shift, x2 + shift, y2 + shift],
    points: object.gt.points,
    score,
    attributeScores: { colour: 1, shape: 1, size: 1 },
    cell: [0, 0],
  };
}

describe('perception evaluation', () => {
  it('matches by box centre, most confident first, one detection per object', () => {
    const detections = [detectionOf(a, 0.5, 3), detectionOf(a, 0.9), detectionOf(b, 0.7)];
    expect(matchDetections(record.objects, detections)).toEqual([-1, 0, 1]);
    const outside: DetectedObject = { ...detectionOf(a, 0.9), bbox: [0, 0, 4, 4] };
    expect(matchDetections(record.objects, [outside])).toEqual([-1]);
  });

  it('averages recall, precision, attribute accuracy, box L1 and point distance over matches', () => {
    const tally = emptyTally();
    const wrongColour = {
      ...detectionOf(b, 0.7, 12),
      colour: a.colour === 'red' ? 'blue' : 'red',
    } as DetectedObject;
    tallyImage(tally, record.objects, [detectionOf(a, 0.9, 4), wrongColour, detectionOf(a, 0.2)]);
    const m = summarise(tally, 2);
    expect(m.recall).toBeCloseTo(2 / record.objects.length, 9);
    expect(m.precision).toBeCloseTo(2 / 3, 9);
    expect(m.colourAccuracy).toBe(0.5);
    expect(m.shapeAccuracy).toBe(1);
    expect(m.meanBoxL1).toBe(8); // (4 + 12) / 2
    expect(m.boxL1Under10).toBe(0.5);
    expect(m.meanPointDistance).toBe(0);
    expect(m.imagesPerSecond).toBe(0.5);
  });
});
