// Binary masks as COCO-style uncompressed run-length encoding (column-major counts, starting with a run of zeros).

/**
 * COCO's uncompressed RLE: `size` is [height, width]; `counts` are run lengths over the mask read
 * column by column (x outer, y inner, i.e. Fortran order), alternating background and foreground and
 * always starting with background (so the first count may be 0). pycocotools reads it as is.
 */
export interface Rle {
  size: [number, number];
  counts: number[];
}

export class RleError extends Error {
  override readonly name = 'RleError';
}

/** Encodes a row-major mask (non-zero = inside) of width × height. */
export function encodeRle(mask: Uint8Array, width: number, height: number): Rle {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0)
    throw new RleError(`mask size must be non-negative integers, got ${width}×${height}`);
  if (mask.length !== width * height)
    throw new RleError(`mask has ${mask.length} values, expected ${width}×${height} = ${width * height}`);
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const value = mask[y * width + x] ? 1 : 0;
      if (value !== current) {
        counts.push(run);
        current = value;
        run = 0;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

/** Decodes to a row-major 0/1 mask; throws when the counts do not add up to height × width. */
export function decodeRle(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  const total = rle.counts.reduce((sum, count) => sum + count, 0);
  if (total !== width * height)
    throw new RleError(`RLE counts add up to ${total}, expected ${width * height}`);
  if (rle.counts.some((count) => !Number.isInteger(count) || count < 0))
    throw new RleError('RLE counts must be non-negative integers');
  const mask = new Uint8Array(width * height);
  let position = 0;
  rle.counts.forEach((count, run) => {
    if (run % 2 === 1) {
      for (let k = position; k < position + count; k++) {
        const x = Math.floor(k / height);
        const y = k - x * height;
        mask[y * width + x] = 1;
      }
    }
    position += count;
  });
  return mask;
}

/** Number of foreground pixels, without decoding. */
export function rleArea(rle: Rle): number {
  return rle.counts.reduce((sum, count, run) => (run % 2 === 1 ? sum + count : sum), 0);
}
