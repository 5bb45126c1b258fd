// Node side of the sam suite's browser half: runs page.html in Chromium and collects its timings.
import { runBenchPage } from '../browser-page';
import type { SamPageResult } from './timing';

/** The page's samples for `scenes` test scenes × `passes`; a failure to start becomes the result's error. */
export async function benchBrowser(scenes: number, passes: number): Promise<SamPageResult> {
  try {
    const search = new URLSearchParams({ scenes: String(scenes), passes: String(passes) });
    return await runBenchPage<SamPageResult>('scripts/bench/sam/page.html', search, 'samBench');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { adapter: 'none', wasmThreads: 0, results: {}, errors: { browser: reason } };
  }
}
