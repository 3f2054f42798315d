/**
 * A set of listeners told of something in turn: one that throws is reported (`onError`) and the
 * others are still told; the teller never sees the failure.
 */
export class Listeners<Args extends unknown[]> {
  private readonly set = new Set<(...args: Args) => void>();

  constructor(private readonly onError: (error: unknown, ...args: Args) => void = () => undefined) {}

  /** Adds `listener`; returns the function that removes it. */
  add(listener: (...args: Args) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }

  /** How many are listening (a teller may skip preparing what nobody hears). */
  get size(): number {
    return this.set.size;
  }

  tell(...args: Args): void {
    for (const listener of this.set) {
      try {
        listener(...args);
      } catch (e) {
        this.onError(e, ...args);
      }
    }
  }

  clear(): void {
    this.set.clear();
  }
}
