// Where each response token was copied from in the prompt: the supervision of pixelthink-nano's copy head.
/** Target of a query row that copies nothing (crossEntropy's ignore index). */
export const NO_SOURCE = -100;

/** Runs shorter than this (the token plus its matching neighbours) are coincidences, not copies. */
const MIN_RUN = 3;

function runLength(ids: readonly number[], a: number, b: number, step: 1 | -1, limitA: number): number {
  let n = 0;
  for (let k = 1; ; k++) {
    const i = a + step * k;
    const j = b + step * k;
    if (i < 0 || i >= limitA || j < 0 || j >= ids.length || ids[i] !== ids[j]) return n;
    n++;
  }
}

/**
 * For each position t from `from` to ids.length − 2 (the rows that predict ids[t + 1]), the prompt position s < start
 * holding the same token inside the longest matching run around it (backwards and forwards): the object-list token
 * the response is copying at that point. NO_SOURCE when the token is not part of a run of at least three, or when
 * two prompt positions match equally well (the copy is ambiguous).
 */
export function copySources(ids: readonly number[], start: number, from: number): number[] {
  const targets: number[] = [];
  for (let t = from; t < ids.length - 1; t++) {
    const r = t + 1;
    if (r < start) {
      targets.push(NO_SOURCE);
      continue;
    }
    let best = NO_SOURCE;
    let bestRun = 0;
    let tied = false;
    for (let s = 0; s < start; s++) {
      if (ids[s] !== ids[r]) continue;
      const run = 1 + runLength(ids, s, r, -1, start) + runLength(ids, s, r, 1, start);
      if (run > bestRun) [best, bestRun, tied] = [s, run, false];
      else if (run === bestRun) tied = true;
    }
    targets.push(bestRun >= MIN_RUN && !tied ? best : NO_SOURCE);
  }
  return targets;
}
