/** What a command may touch: output streams and the signal to stop long-running commands. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the command should stop (SIGINT/SIGTERM for the real CLI). */
  stopped: Promise<void>;
  /** Environment: `FLUXRPC_TOKEN` is the default of `--token` (daemon, call). */
  env: Record<string, string | undefined>;
  /** Reads a secret (a password): from a terminal without echo, else a line of standard input. */
  readSecret?: (prompt: string) => Promise<string>;
}
