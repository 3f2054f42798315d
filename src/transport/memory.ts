/**
 * An in-memory pair of connected byte streams, for tests and in-process use. Data is delivered
 * asynchronously, in order; a paused reader holds its writer back through the high-water mark, as
 * a slow network peer would.
 */
import { Buffer } from 'node:buffer';
import type { FlowOptions } from './byte-stream.js';
import { StreamBase } from './stream-base.js';

export class MemoryStream extends StreamBase {
  peer!: MemoryStream;
  private inbound: Buffer[] = [];
  /** The peer closed gracefully: deliver the end once the inbound queue is empty. */
  private peerEnded: Error | undefined | null = null;
  private paused = false;
  private scheduled = false;

  constructor(
    readonly remote: string,
    options?: FlowOptions,
  ) {
    super(options);
  }

  protected override onStart(): void {
    this.schedule();
  }

  protected send(data: Buffer): void {
    if (this.peer.isFinished) {
      this.delivered(data.length);
      return;
    }
    this.peer.inbound.push(data);
    this.peer.schedule();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  close(): void {
    if (this.isFinished) return;
    this.peer.peerEnded ??= undefined;
    this.peer.schedule();
    this.finish(undefined);
  }

  destroy(error?: Error): void {
    if (this.isFinished) return;
    const peer = this.peer;
    peer.inbound = [];
    peer.peerEnded = new Error('connection reset by peer');
    peer.schedule();
    this.finish(error);
  }

  private schedule(): void {
    if (this.scheduled || !this.sink) return;
    this.scheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.scheduled = false;
    const sink = this.sink;
    if (!sink || this.ended) return;
    // One chunk per turn of the event loop, as a socket delivers them, so that work a chunk starts
    // (and the backpressure it causes) is visible before the next chunk arrives.
    if (!this.paused && this.inbound.length > 0) {
      const chunk = this.inbound.shift()!;
      this.peer.delivered(chunk.length);
      sink.data(chunk);
      if (this.inbound.length > 0 || this.peerEnded !== null) this.schedule();
      return;
    }
    if (this.inbound.length === 0 && this.peerEnded !== null) {
      const error = this.peerEnded;
      this.endRead(error);
      if (error) this.finish(error);
    }
  }
}

/** Two connected streams: what one writes the other reads. */
export function memoryPipe(options?: FlowOptions): [MemoryStream, MemoryStream] {
  const a = new MemoryStream('memory:a', options);
  const b = new MemoryStream('memory:b', options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
