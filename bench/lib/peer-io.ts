/**
 * What the TS bench peers (ts-peer, flux-peer) share with the Go peers' CLI: stdout lines, exiting
 * after they are flushed, and the upstream's one-websocket listener on 127.0.0.1.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketAcceptor, type WebSocketStream } from '../../src/transport/index.js';
import { Flags, UsageError } from './flags.js';

export const LOOPBACK = '127.0.0.1';
/** What flux's websocket package test sends (and the Go peers). */
export const USER_AGENT = 'fluxd/test';

/** Prints one whole line on stdout. */
export function emit(line: string): void {
  process.stdout.write(line + '\n');
}

export function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

/** Checks a `--dial` URL: ws://127.0.0.1:PORT/path only. */
export function checkDialUrl(command: string, dial: string): void {
  let url: URL;
  try {
    url = new URL(dial);
  } catch {
    throw new UsageError(`${command}: --dial ${dial}: not a URL`);
  }
  if (url.protocol !== 'ws:' || url.hostname !== LOOPBACK) throw new UsageError(`${command}: --dial ${dial}: must be ws://${LOOPBACK}:PORT/path`);
}

/** Waits for the first websocket upgrade on 127.0.0.1 (prints LISTEN); later ones get 409, as the Go peers do. */
export function acceptOne(listen: string, who: string): Promise<WebSocketStream> {
  const m = /^127\.0\.0\.1:(\d+)$/.exec(listen);
  if (!m) throw new UsageError(`client: --listen ${listen}: only ${LOOPBACK} is allowed`);
  const acceptor = new WebSocketAcceptor();
  const http = createServer((_req, res) => res.writeHead(426).end('websocket only\n'));
  let taken = false;
  return new Promise((resolve, reject) => {
    http.on('upgrade', (req, socket, head) => {
      if (taken) {
        socket.end('HTTP/1.1 409 Conflict\r\nContent-Length: 18\r\nConnection: close\r\n\r\nalready connected\n');
        return;
      }
      taken = true;
      acceptor.upgrade(req, socket, head).then(resolve, (e: Error) => {
        taken = false;
        process.stderr.write(`${who}: upgrade: ${e.message}\n`);
      });
    });
    http.once('error', reject);
    http.listen(Number(m[1]), LOOPBACK, () => {
      const addr = http.address() as AddressInfo;
      emit(`LISTEN ${addr.address}:${addr.port}`);
    });
  });
}

/** Prints RSS (if asked) and exits 0 on SIGTERM/SIGINT. */
export function exitOnSignals(reportRss: boolean, rss: () => number): void {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      if (reportRss) emit(`RSS ${rss()}`);
      exitAfterFlush(0);
    });
  }
}

/**
 * A bench peer's entry point: `serve …` or `client …`, usage errors on stderr with exit 2, any
 * other failure with its stack and exit 1 (same contract as the Go peers).
 */
export function runPeer(name: string, commands: { serve(flags: Flags): Promise<number>; client(flags: Flags): Promise<number> }): void {
  const main = async ([command, ...rest]: string[]): Promise<number> => {
    try {
      if (command === 'serve') return await commands.serve(new Flags(rest, ['report-rss']));
      if (command === 'client') return await commands.client(new Flags(rest));
      throw new UsageError(command === undefined ? 'missing command' : `unknown command ${JSON.stringify(command)}`);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      process.stderr.write(`${name}: ${e.message}\n`);
      return 2;
    }
  };
  main(process.argv.slice(2)).then(exitAfterFlush, (e: unknown) => {
    process.stderr.write(`${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    exitAfterFlush(1);
  });
}

/** The options every bench client role shares with rpcpeer's `client --scenario bench`. */
export interface BenchWindow {
  inflight: number;
  durationMs: number;
  warmupMs: number;
}

/**
 * Checks the flags every bench client accepts (`--transport ws --scenario bench`, plus `extra`)
 * and reads the measurement window.
 */
export function benchWindowFlags(flags: Flags, extra: string[]): BenchWindow {
  flags.only(['transport', 'listen', 'scenario', 'method', 'inflight', 'duration-ms', 'warmup-ms', ...extra]);
  if (flags.string('transport', 'tcp') !== 'ws') throw new UsageError('client: only --transport ws is implemented');
  if (flags.string('scenario', '') !== 'bench') throw new UsageError('client: only --scenario bench is implemented');
  const w = { inflight: flags.int('inflight', 1), durationMs: flags.int('duration-ms', 3000), warmupMs: flags.int('warmup-ms', 0) };
  if (w.inflight < 1) throw new UsageError('bench: --inflight must be at least 1');
  if (w.durationMs < 1) throw new UsageError('bench: --duration-ms must be at least 1');
  return w;
}
