// The object list the perception front end hands to pixelthink-nano's decoder, as the text inside the vision block.
import type { Box, Colour, Point, Shape, Size } from '../../data/shapeworld/index';

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

const list = (values: readonly number[]) => `[${values.map((v) => Math.round(v)).join(',')}]`;

/** "medium blue square at (643, 474) box [575,406,710,541] points [642,473] [691,522]". */
export function objectText(object: PerceivedObject): string {
  const [p1, p2] = object.points;
  return (
    `${object.size} ${object.colour} ${object.shape} at (${Math.round(object.x)}, ${Math.round(object.y)}) ` +
    `box ${list(object.bbox)} points ${list(p1)} ${list(p2)}`
  );
}

/** The vision block's text: the objects left to right, ";"-separated. */
export function sceneText(objects: readonly PerceivedObject[]): string {
  return leftToRight(objects).map(objectText).join('; ');
}
