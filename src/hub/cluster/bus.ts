/**
 * The replica's one NATS connection and its state, for everything else in the cluster.
 *
 * - URLs as config.ts reads them; or a `.creds` file (`--nats-creds`) instead of credentials in
 *   the URL.
 * - The connection is made in the background: the hub serves its own daemons from the start, and
 *   keeps trying (every 2 s) until NATS answers. Once connected, the client reconnects by itself
 *   without limit; if it ever gives up (closed), the loop starts over with a new connection.
 * - `onUp(nc)` runs on every (re)connection, `onDown()` on every loss: the other modules set up
 *   their bucket, stream, watch and subscriptions again there, and fail fast while down.
 * - Pings every 5 s, 3 missed → reconnect: a silent NATS server is noticed within ~15 s (the
 *   client's default is 4 minutes).
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../runtime/log.js';
import { BusConfigError, parseNatsUrls } from './config.js';

export type BusState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface BusOptions {
  /** NATS URLs (see config.ts). */
  servers: readonly string[];
  /** A NATS credentials file (JWT + nkey seed). */
  credsFile?: string;
  /** The connection's name on the NATS server (its monitoring pages show it). */
  name: string;
}

/** What the NATS client needs, from our URLs and credentials file; `shown` lists the servers without credentials. */
export function natsConnectionOptions(options: BusOptions): { connection: ConnectionOptions; shown: string[] } {
  const urls = parseNatsUrls(options.servers);
  const connection: ConnectionOptions = { servers: urls.servers, name: options.name, ...urls.auth };
  if (urls.tls) connection.tls = {};
  if (options.credsFile !== undefined) {
    if (urls.auth !== undefined) throw new BusConfigError('both --nats-creds and credentials in the NATS URL: give one');
    let creds: Uint8Array;
    try {
      creds = readFileSync(options.credsFile);
    } catch (e) {
      throw new BusConfigError(`cannot read the NATS credentials file ${options.credsFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    connection.authenticator = credsAuthenticator(creds);
  }
  return { connection, shown: urls.shown };
}

const RETRY_MS = 2_000;

export class Bus {
  private nc: NatsConnection | undefined;
  private stateNow: BusState = 'connecting';
  private changedAt = new Date();
  private error: string | undefined;
  private closing = false;
  private readonly ups: ((nc: NatsConnection) => void)[] = [];
  private readonly downs: (() => void)[] = [];
  private retry: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private readonly connection: ConnectionOptions;
  /** The servers, without credentials. */
  readonly servers: readonly string[];
  private readonly loopDone: Promise<void>;

  constructor(
    options: BusOptions,
    private readonly log: Logger,
  ) {
    const { connection, shown } = natsConnectionOptions(options);
    this.connection = { ...connection, maxReconnectAttempts: -1, reconnectTimeWait: 1_000, pingInterval: 5_000, maxPingOut: 3, timeout: 5_000 };
    this.servers = shown;
    this.loopDone = this.loop();
  }

  get state(): BusState {
    return this.stateNow;
  }

  /** When the state last changed. */
  get since(): Date {
    return this.changedAt;
  }

  /** Why the last connection attempt failed or the last connection ended. */
  get lastError(): string | undefined {
    return this.error;
  }

  /** The connection, only while connected. */
  get connected(): NatsConnection | undefined {
    return this.stateNow === 'connected' ? this.nc : undefined;
  }

  /** The server's largest message, while connected (1 MiB by default). */
  get maxPayload(): number {
    return this.nc?.info?.max_payload ?? 1024 * 1024;
  }

  /** Runs `f` on every (re)connection (also at once if connected now). */
  onUp(f: (nc: NatsConnection) => void): void {
    this.ups.push(f);
    if (this.connected) f(this.connected);
  }

  /** Runs `f` whenever the connection is lost. */
  onDown(f: () => void): void {
    this.downs.push(f);
  }

  /**
   * How a set-up step on a connection (the cluster's bucket and stream, the notifications
   * consumer) is retried after it failed: `again` runs after `ms` if this bus is then still on
   * connection `nc` and `current()` still holds (no newer set-up began). A new connection runs
   * its own set-up through `onUp`. The timer does not keep the process alive; clear it to cancel.
   * (Connecting itself is retried by the bus's own loop, every 2 s.)
   */
  retrySetup(nc: NatsConnection, ms: number, current: () => boolean, again: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (this.connected === nc && current()) again();
    }, ms);
    timer.unref();
    return timer;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retry);
    this.wakeRetry?.();
    const nc = this.nc;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
    await this.loopDone;
    this.setState('closed');
  }

  private setState(state: BusState): void {
    if (state === this.stateNow) return;
    this.stateNow = state;
    this.changedAt = new Date();
    if (state === 'connected') {
      this.error = undefined;
      this.log.info('NATS connected', { server: this.nc?.getServer(), natsVersion: this.nc?.info?.version, maxPayload: this.nc?.info?.max_payload });
      for (const f of this.ups) this.safely(() => f(this.nc!));
    } else {
      if (state === 'closed') this.log.info('NATS connection closed');
      else this.log.warn('NATS not connected', { state, error: this.error });
      for (const f of this.downs) this.safely(f);
    }
  }

  private safely(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.log.error('cluster handler failed', { error: e as Error });
    }
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.closing) {
      let nc: NatsConnection;
      try {
        nc = await connect(this.connection);
      } catch (e) {
        this.error = (e as Error).message;
        if (attempt++ % 15 === 0) this.log.warn('cannot connect to NATS; retrying every 2 s', { servers: this.servers, error: this.error });
        await new Promise<void>((resolve) => {
          this.wakeRetry = resolve;
          this.retry = setTimeout(resolve, RETRY_MS);
        });
        continue;
      }
      attempt = 0;
      if (this.closing) {
        await nc.close().catch(() => undefined);
        break;
      }
      this.nc = nc;
      void this.watch(nc);
      this.setState('connected');
      const ended = await nc.closed();
      this.error = ended instanceof Error ? ended.message : 'connection closed';
      this.nc = undefined;
      this.setState(this.closing ? 'closed' : 'connecting');
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (this.nc !== nc) return;
      if (s.type === 'disconnect' || s.type === 'staleConnection') {
        this.error = s.type === 'disconnect' ? `disconnected from ${s.server}` : 'the NATS server stopped answering pings';
        this.setState('reconnecting');
      } else if (s.type === 'reconnect') this.setState('connected');
      else if (s.type === 'error') this.log.warn('NATS error', { error: s.error });
      else if (s.type === 'slowConsumer') this.log.warn('NATS: a subscription is too slow', { subject: s.sub.getSubject(), pending: s.pending });
    }
  }
}
