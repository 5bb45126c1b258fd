// Keeps one failed onnxruntime-web call from breaking every later one in the realm.
//
// transformers.js 4.3.1 (backends/onnx.js) queues every session creation on one promise per realm
// (`webInitChain = webInitChain.then(load)`) and every run on another (`webInferenceChain`). Once a call rejects, the
// chain stays rejected and every later creation or run fails with that same error: after one corrupt model file, no
// model loads again until the page (or worker) reloads; after one failed run (an out-of-memory on a large image), no
// model runs again. The guard makes the queued calls resolve, carrying a failure in a marker object instead, and the
// callers here (HubPolicy, SamSegmenter) turn markers back into the original error.

const FAILED = Symbol('onnxruntime call failed');

interface Failed {
  [FAILED]: unknown;
}

function isFailed(value: unknown): value is Failed {
  return typeof value === 'object' && value !== null && FAILED in value;
}

/** What the guard patches: onnxruntime-web's InferenceSession (the class transformers.js calls). */
export interface SessionClass {
  create: (...args: never[]) => Promise<unknown>;
  prototype: { run: (...args: never[]) => Promise<unknown> };
}

let installed: SessionClass | null = null;
/** Run failures since they were last taken: a failed run reaches transformers.js code as a marker, not an error. */
let runFailures: unknown[] = [];

/** A stand-in session for a creation that failed: empty interface, runs fail with the original error. */
function failedSession(error: unknown): Failed & Record<string, unknown> {
  return {
    [FAILED]: error,
    inputNames: [],
    outputNames: [],
    inputMetadata: [],
    outputMetadata: [],
    run: async () => {
      throw error;
    },
    release: async () => {},
  };
}

/** Patches the session class once per realm (browser pages and workers; Node does not queue its calls). */
export function installOrtGuard(Session: SessionClass): void {
  if (installed === Session) return;
  installed = Session;
  const create = Session.create.bind(Session);
  Session.create = (async (...args: never[]) => {
    try {
      return await create(...args);
    } catch (error) {
      return failedSession(error);
    }
  }) as SessionClass['create'];
  const run = Session.prototype.run;
  Session.prototype.run = async function (this: unknown, ...args: never[]) {
    try {
      return await run.apply(this, args);
    } catch (error) {
      runFailures.push(error);
      return { [FAILED]: error };
    }
  } as SessionClass['prototype']['run'];
}

/**
 * After a model's load: throws the first creation failure among its sessions (releasing the others), so a load
 * with a corrupt file fails with onnxruntime's own message.
 */
export async function assertSessionsCreated(model: unknown): Promise<void> {
  const sessions = Object.values((model as { sessions?: Record<string, unknown> }).sessions ?? {});
  const failed = sessions.find(isFailed);
  if (!failed) return;
  await Promise.all(
    sessions.map((s) => (s as { release?: () => Promise<unknown> }).release?.().catch(() => {}) ?? null),
  );
  throw failed[FAILED];
}

/**
 * Runs model code that calls sessions; if a session run failed meanwhile (transformers.js then trips over the marker
 * with an unrelated TypeError, or returns it), throws the run's own error instead.
 */
export async function guardRuns<T>(body: () => Promise<T>): Promise<T> {
  runFailures = [];
  let result: T;
  try {
    result = await body();
  } catch (error) {
    const [first] = runFailures;
    runFailures = [];
    throw first ?? error;
  }
  const [first] = runFailures;
  runFailures = [];
  if (first !== undefined || isFailed(result)) throw first ?? (result as Failed)[FAILED];
  return result;
}
