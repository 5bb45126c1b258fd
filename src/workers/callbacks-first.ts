// Makes a worker API's calls resolve only after the UI has received every callback the call made before it ended.
//
// Comlink sends each proxied callback's calls over that callback's own MessagePort and the call's result over the
// worker's port, and two ports are not ordered with each other: without this, a job's result can overtake its last
// progress or token events, and the UI sees "step 3 of 4" after the job has finished. A proxied call returns a promise
// that settles once the other side has run it; awaiting the last one means every earlier one has run too.

type Method = (...args: unknown[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** Wraps a callback so that `settled()` waits until its calls so far have reached the other side. */
function tracked(callback: Method): { call: Method; settled: () => Promise<void> } {
  let last: Promise<unknown> = Promise.resolve();
  const call: Method = (...args) => {
    const delivery = callback(...args);
    // A callback the UI fails on is the UI's problem; it must not fail or stall the job that reported to it.
    if (isThenable(delivery)) last = Promise.resolve(delivery).catch(() => undefined);
    return undefined;
  };
  return { call, settled: () => last.then(() => undefined) };
}

/** The API with every method's function arguments delivered before its result; for Comlink.expose, where every call is async anyway. */
export function callbacksFirst<Api extends object>(api: Api): Api {
  const ordered: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(api)) {
    if (typeof member !== 'function') {
      ordered[name] = member;
      continue;
    }
    const method = member as Method;
    ordered[name] = async (...args: unknown[]) => {
      const callbacks = args.map((arg) => (typeof arg === 'function' ? tracked(arg as Method) : null));
      try {
        return await method.apply(
          api,
          args.map((arg, i) => callbacks[i]?.call ?? arg),
        );
      } finally {
        await Promise.all(callbacks.map((c) => c?.settled()));
      }
    };
  }
  return ordered as Api;
}
