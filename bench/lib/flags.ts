/** A tiny `--name value` / `--flag` parser, the subset of Go's `flag` package rpcpeer's CLI uses. */

export class UsageError extends Error {
  override name = 'UsageError';
}

export class Flags {
  private readonly values = new Map<string, string>();
  private readonly booleans = new Set<string>();

  /** `booleanNames` take no value (`--report-rss`). */
  constructor(args: string[], booleanNames: string[] = []) {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      const m = /^--?([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
      if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
      const name = m[1]!;
      if (booleanNames.includes(name)) {
        if (m[2] !== undefined && m[2] !== 'true' && m[2] !== 'false') throw new UsageError(`--${name} takes no value`);
        if (m[2] !== 'false') this.booleans.add(name);
        continue;
      }
      const value = m[2] ?? args[++i];
      if (value === undefined) throw new UsageError(`flag needs an argument: --${name}`);
      this.values.set(name, value);
    }
  }

  /** Throws for any flag not in `allowed` (Go's flag package rejects unknown flags). */
  only(allowed: string[]): this {
    for (const name of [...this.values.keys(), ...this.booleans]) {
      if (!allowed.includes(name)) throw new UsageError(`flag provided but not defined: -${name}`);
    }
    return this;
  }

  has(name: string): boolean {
    return this.booleans.has(name);
  }

  string(name: string, fallback: string): string {
    return this.values.get(name) ?? fallback;
  }

  int(name: string, fallback: number): number {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    if (!/^-?\d+$/.test(raw)) throw new UsageError(`invalid value ${JSON.stringify(raw)} for flag --${name}`);
    return Number(raw);
  }
}
