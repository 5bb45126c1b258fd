// Scopes: `scope(fn)` disposes every tensor created inside fn that fn does not return (tf.tidy-like).

/** What a scope tracks: anything with an idempotent dispose and a way to be moved to another scope. */
export interface Scoped {
  dispose(): void;
  readonly isDisposed: boolean;
}

const stack: Set<Scoped>[] = [];

/** Called by every new tensor handle: the innermost open scope (if any) becomes its owner. */
export function registerInScope(item: Scoped): void {
  stack[stack.length - 1]?.add(item);
}

/** Takes a tensor out of every open scope so it outlives them (parameters created inside a scope). */
export function keep<T extends Scoped>(item: T): T {
  for (const owned of stack) owned.delete(item);
  return item;
}

/** Every Scoped reachable from a returned value: a tensor, or arrays / plain objects / Maps of them. */
function collectReturned(value: unknown, found: Set<Scoped>, seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if ('dispose' in value && 'isDisposed' in value) {
    found.add(value as Scoped);
    return;
  }
  const children =
    value instanceof Map ? value.values() : Array.isArray(value) ? value : Object.values(value);
  for (const child of children) collectReturned(child, found, seen);
}

/**
 * Runs fn; tensors created inside and not reachable from its result are disposed when it returns (or throws).
 * Returned tensors move to the enclosing scope. fn must be synchronous: kernels are enqueued synchronously, only
 * reads await, so forward and backward passes never need to await inside a scope.
 */
export function scope<T>(fn: () => T): T {
  const owned = new Set<Scoped>();
  stack.push(owned);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    stack.pop();
    for (const item of owned) item.dispose();
    throw err;
  }
  stack.pop();
  if (result instanceof Promise) {
    throw new TypeError('scope(fn): fn must be synchronous (await reads outside the scope)');
  }
  const returned = new Set<Scoped>();
  collectReturned(result, returned, new Set());
  for (const item of owned) {
    if (returned.has(item)) registerInScope(item);
    else item.dispose();
  }
  return result;
}
