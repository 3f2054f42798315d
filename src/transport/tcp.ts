/**
 * A `net.Socket` (TCP or Unix socket) as a ByteStream. The socket is half-open capable: after the
 * peer's FIN we may still write replies, as a Go server does after reading EOF. Writes made within
 * one tick are corked and leave together on the next tick: one `writev` instead of one syscall
 * per write.
 */
import net from 'node:net';
import type { Buffer } from 'node:buffer';
import type { FlowOptions } from './byte-stream.js';
import { StreamBase } from './stream-base.js';

export class SocketStream extends StreamBase {
  readonly remote: string;
  private corked = false;

  constructor(
    private readonly socket: net.Socket,
    options?: FlowOptions,
  ) {
    super(options);
    this.remote = socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'socket';
    socket.pause();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.sink?.data(chunk));
    socket.on('end', () => this.endRead(undefined));
    socket.on('error', (err) => this.finish(err));
    socket.on('close', () => this.finish(undefined));
  }

  protected override onStart(): void {
    this.socket.resume();
  }

  protected send(data: Buffer): void {
    // Writes made within one tick leave together: corked now, uncorked on the next tick (one writev).
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(uncork, this);
    }
    this.socket.write(data, (err) => {
      if (!err) this.delivered(data.length);
    });
  }

  /** Sends the writes of this tick. */
  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (this.sink) this.socket.resume();
  }

  close(): void {
    if (this.isFinished || this.socket.destroyed) return;
    this.flush();
    // Flush what is queued, send FIN, then close the socket without waiting for the peer.
    this.socket.end(() => this.socket.destroy());
  }

  destroy(error?: Error): void {
    this.socket.destroy();
    this.finish(error);
  }
}

/**
 * Connects to `host:port` (or a Unix socket path) and resolves with the stream. `signal` bounds the
 * connection attempt only (it is not passed to `net.connect`, which would keep it attached to the
 * socket for its whole life).
 */
export function dialTcp(target: { host: string; port: number } | { path: string }, options?: FlowOptions & { signal?: AbortSignal }): Promise<SocketStream> {
  const signal = options?.signal;
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const socket = net.connect({ ...target, allowHalfOpen: true } as net.NetConnectOpts);
    const settle = () => {
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const onError = (err: Error) => {
      settle();
      reject(err);
    };
    const onAbort = () => {
      settle();
      socket.destroy();
      reject(signal!.reason);
    };
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      settle();
      resolve(new SocketStream(socket, options));
    });
  });
}

/** A TCP (or Unix socket) server that hands each connection over as a stream. */
export function listenTcp(
  listen: { host: string; port: number } | { path: string },
  onStream: (stream: SocketStream) => void,
  options?: FlowOptions,
): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => onStream(new SocketStream(socket, options)));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function uncork(stream: SocketStream): void {
  stream.flush();
}
