// A registry of runners by id: each entry creates its runner on demand, so heavy models load only when chosen.
import { EvalError, UnknownRunnerError } from './errors';
import type { RunnerKind } from './errors';

export interface RunnerEntry<T> {
  id: string;
  /** One line for listings (CLI help, the app's picker). */
  description: string;
  /** Creates the runner; may load weights, so it may be slow and asynchronous. */
  create: () => T | Promise<T>;
}

export class RunnerRegistry<T extends { readonly id: string }> {
  private readonly entries = new Map<string, RunnerEntry<T>>();

  constructor(readonly kind: RunnerKind) {}

  /** Adds a runner; an id may be registered once, so two plug-ins cannot silently shadow each other. */
  register(entry: RunnerEntry<T>): this {
    if (this.entries.has(entry.id)) throw new EvalError(`${this.kind} "${entry.id}" is already registered`);
    this.entries.set(entry.id, entry);
    return this;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  list(): RunnerEntry<T>[] {
    return [...this.entries.values()];
  }

  /** The entry of `id`; throws UnknownRunnerError listing the known ids. */
  entry(id: string): RunnerEntry<T> {
    const entry = this.entries.get(id);
    if (entry === undefined) throw new UnknownRunnerError(this.kind, id, this.ids());
    return entry;
  }

  async create(id: string): Promise<T> {
    const runner = await this.entry(id).create();
    // A factory registered under one id must not hand back another runner: tables and JSON name runners by id. The
    // one variant allowed is the entry's model with a LoRA adapter, which names itself `<id>+lora`.
    if (runner.id !== id && runner.id !== `${id}+lora`)
      throw new EvalError(`${this.kind} "${id}" created a runner with id "${runner.id}"`);
    return runner;
  }
}
