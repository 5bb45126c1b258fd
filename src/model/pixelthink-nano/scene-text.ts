// The object list the perception front end hands to pixelthink-nano's decoder, as the text inside the vision block.
import type { Box, Colour, Point, Shape, Size } from '../../data/shapeworld/index';
import { formatAnswer, objectPhrase, pluralShape } from '../../data/shapeworld/index';

/** One object as perceived: attributes, centre, tight box and the two inscribed points, all in the 840 frame. */
export interface PerceivedObject {
  size: Size;
  colour: Colour;
  shape: Shape;
  x: number;
  y: number;
  bbox: Box;
  points: readonly [Point, Point];
}

/** Left to right (then top to bottom): the order the reasoning lists objects in, so the decoder copies in order. */
export function leftToRight<T extends { x: number; y: number }>(objects: readonly T[]): T[] {
  return [...objects].sort((a, b) => a.x - b.x || a.y - b.y);
}

/** `(643, 474) {"bbox": [575,406,710,541], "points_1": [642,473], "points_2": [691,522]}`: the answer about it. */
export function answerEntry(object: PerceivedObject): string {
  const [p1, p2] = object.points;
  return `(${Math.round(object.x)}, ${Math.round(object.y)}) ${formatAnswer({ bbox: object.bbox, points: [p1, p2] })}`;
}

/**
 * `large red stars: a large red star at (603, 607)`: the listing entry behind a header of its own attributes, the
 * shape in the plural the chains' filters write ("the stars: …"), so the decoder can copy that word as well.
 */
export function listingEntry(object: PerceivedObject): string {
  const { size, colour, shape } = object;
  return `${size} ${colour} ${pluralShape(shape)}: a ${objectPhrase(object)}`;
}

/**
 * The vision block's text, laid out for copying: first the objects left to right, each as the long chain lists it
 * ("a small green triangle at (105, 413)") behind a header naming its attributes; then, keyed by centre, each object's
 * answer JSON exactly as the answer writes it, so the answer is a copy of one entry; last, the object the selector
 * says the query means, as the chain names it ("target: a small green triangle at (105, 413)."), so the chain's
 * conclusion is a copy too (docs/models.md, "The selector"). The header is for the pointer: attention is causal, so
 * the key of an entry's first copied word ("small") cannot see the attributes written after it, and a filter step
 * ("the green ones: the …") could not look for the next green object; with the header in its token-shift window it
 * can (docs/models.md, pilot log, runs 5 and 6). `target` is null only for a scene without objects.
 */
export function sceneText(objects: readonly PerceivedObject[], target: PerceivedObject | null): string {
  const ordered = leftToRight(objects);
  const listing = `objects: ${ordered.map(listingEntry).join('; ')}. answers: ${ordered.map(answerEntry).join('; ')}.`;
  return target ? `${listing} target: a ${objectPhrase(target)}.` : listing;
}
