// Pointer input over the stage image, shared by the segmenter's box drag and the labelling overlay.

export type Corners = [number, number, number, number];

export interface Drag {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The pointer's position in image pixels over an element that covers the image, clamped to the image. */
export function imagePoint(
  event: PointerEvent,
  element: Element,
  width: number,
  height: number,
): [number, number] {
  const rect = element.getBoundingClientRect();
  const x = ((event.clientX - rect.left) / rect.width) * width;
  const y = ((event.clientY - rect.top) / rect.height) * height;
  return [Math.min(width - 1, Math.max(0, x)), Math.min(height - 1, Math.max(0, y))];
}

/** A drag as a box with ordered corners, or null when it was a click (under `min` image pixels a side). */
export function dragBox(drag: Drag, min = 3): Corners | null {
  const [x1, x2] = [Math.min(drag.x0, drag.x1), Math.max(drag.x0, drag.x1)];
  const [y1, y2] = [Math.min(drag.y0, drag.y1), Math.max(drag.y0, drag.y1)];
  return x2 - x1 < min || y2 - y1 < min ? null : [x1, y1, x2, y2];
}
