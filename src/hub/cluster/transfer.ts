/**
 * Conversations between two replicas on core NATS, with payloads of any size.
 *
 * Each replica has one inbox subscription, `_INBOX.<nuid>.*`; a conversation (a `Channel`) is one
 * token below it. A frame is one NATS message: a JSON header line, `\n`, then raw bytes.
 *
 * A payload larger than one message (the server's `max_payload`, 1 MiB by default) goes as its
 * first piece inside the opening frame and the rest as chunk frames `{"k":"c","i":N}`. The
 * receiver grants credit, one chunk per `{"k":"credit"}` frame after it has copied a chunk; the
 * sender starts with `WINDOW` credits. So neither the NATS server nor the receiver ever holds more
 * than `WINDOW` chunks of one transfer in flight (the server cuts off a slow consumer whose
 * pending data grows too large), and a 32 MiB reply flows at the pace of the slower side.
 *
 * Everything waits under the conversation's signal (the call's deadline): a peer that vanishes
 * mid-transfer costs at most that long, and a late frame for a closed conversation is dropped.
 * What one replica holds of incoming payloads is charged to a `ByteBudget`.
 */
import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { ByteBudget } from '../../runtime/budget.js';

/** Chunks a sender may have in flight before the receiver grants more. */
export const WINDOW = 4;
/** Bytes of each message kept for the frame's header line. */
const HEADROOM = 1024;
/** The largest payload one conversation carries (a daemon's largest reply is 64 MiB of JSON). */
export const MAX_PAYLOAD_BYTES = 128 * 1024 * 1024;

export interface FrameHeader {
  /** The frame's kind. */
  k: string;
  [field: string]: unknown;
}

export interface Frame {
  h: FrameHeader;
  body: Uint8Array;
  /** The sender's address (its conversation), if it gave one. */
  reply?: string;
}

/** The kind given to the server's "no responders" status (503) on a request. */
export const NO_RESPONDERS = 'no-responders';

/** Something went wrong between the replicas (not in the call): a lost connection, a bad frame, a budget. */
export class BusError extends Error {
  override name = 'BusError';
  readonly code = 'FLUXRPC_ERR_BUS';
}

const NEWLINE = 0x0a;
/** The reason of a conversation closed without one (one instance: closing is frequent, a stack is not needed). */
const CLOSED = new BusError('conversation closed');

export function encodeFrame(header: FrameHeader, body?: Uint8Array): Uint8Array {
  const head = Buffer.from(JSON.stringify(header) + '\n', 'utf8');
  if (body === undefined || body.length === 0) return head;
  return Buffer.concat([head, body], head.length + body.length);
}

export function decodeFrame(msg: Msg): Frame {
  const data = msg.data;
  if (data.length === 0 && msg.headers?.code === 503) return { h: { k: NO_RESPONDERS }, body: data };
  const reply = msg.reply || undefined;
  const nl = data.indexOf(NEWLINE);
  if (nl < 0) throw new BusError('a frame without a header line');
  let h: unknown;
  try {
    h = JSON.parse(Buffer.from(data.buffer, data.byteOffset, nl).toString('utf8'));
  } catch {
    throw new BusError('a frame whose header is not JSON');
  }
  if (h === null || typeof h !== 'object' || typeof (h as FrameHeader).k !== 'string') throw new BusError('a frame header without a kind');
  return { h: h as FrameHeader, body: data.subarray(nl + 1), ...(reply === undefined ? {} : { reply }) };
}

/** The bytes of a payload that fit in one message next to a header. */
export function chunkSize(maxPayload: number): number {
  return Math.max(4096, maxPayload - HEADROOM);
}

/** The replica's inbox: one subscription, one token per conversation. */
export class Endpoint {
  private readonly prefix = createInbox();
  private readonly channels = new Map<string, Channel>();
  private sub: Subscription | undefined;
  private nc: NatsConnection | undefined;
  private nextId = 0;

  /** Subscribes on a (new) connection. */
  attach(nc: NatsConnection): void {
    if (this.nc === nc) return;
    this.sub?.unsubscribe();
    this.nc = nc;
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (err) return;
        const ch = this.channels.get(msg.subject.slice(this.prefix.length + 1));
        if (!ch) return; // a late frame for a finished conversation
        let frame: Frame;
        try {
          frame = decodeFrame(msg);
        } catch (e) {
          ch.close(e as Error);
          return;
        }
        ch.deliver(frame);
      },
    });
  }

  /** The connection was lost: every conversation fails (NATS drops what was in flight anyway). */
  detach(reason: Error): void {
    for (const ch of [...this.channels.values()]) ch.close(reason);
  }

  get open(): number {
    return this.channels.size;
  }

  /** A new conversation; it ends at `signal` or `close()`. Needs a connection (`attach`). */
  channel(signal: AbortSignal): Channel {
    if (!this.nc) throw new BusError('not connected to NATS');
    const id = (this.nextId++).toString(36);
    const ch = new Channel(this.nc, `${this.prefix}.${id}`, signal, () => this.channels.delete(id));
    this.channels.set(id, ch);
    return ch;
  }
}

/** One conversation: frames in order from the peer, frames out to `peer`. */
export class Channel {
  /** Where the peer sends to us. */
  peer: string | undefined;
  private readonly queue: Frame[] = [];
  private waiter: { resolve(f: Frame): void; reject(e: unknown): void } | undefined;
  private failure: unknown;
  private readonly onAbort = () => this.close(this.signal.reason);

  constructor(
    private readonly nc: NatsConnection,
    readonly address: string,
    private readonly signal: AbortSignal,
    private readonly forget: () => void,
  ) {
    if (signal.aborted) this.close(signal.reason);
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** Publishes a frame to `subject`, replies to come to this conversation. */
  open(subject: string, header: FrameHeader, body?: Uint8Array): void {
    this.nc.publish(subject, encodeFrame(header, body), { reply: this.address });
  }

  send(header: FrameHeader, body?: Uint8Array): void {
    if (this.failure !== undefined) return;
    if (this.peer === undefined) throw new BusError('no peer to send to');
    this.nc.publish(this.peer, encodeFrame(header, body), { reply: this.address });
  }

  /** The next frame from the peer. */
  next(): Promise<Frame> {
    const f = this.queue.shift();
    if (f) return Promise.resolve(f);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The next frame that is not a credit (credits left over from a finished `sendRest`). */
  async nextSkippingCredit(): Promise<Frame> {
    for (;;) {
      const f = await this.next();
      if (f.h.k !== 'credit') return f;
    }
  }

  deliver(frame: Frame): void {
    if (this.failure !== undefined) return;
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve(frame);
    } else this.queue.push(frame);
  }

  /** Ends the conversation; a pending and every later `next()` rejects with `reason`. */
  close(reason?: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = reason ?? CLOSED;
    this.queue.length = 0;
    this.signal.removeEventListener('abort', this.onAbort);
    this.forget();
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(reason);
  }

  /** Sends `payload` from byte `from` on as chunk frames, within the credit the receiver grants. */
  async sendRest(payload: Uint8Array, from: number, size: number): Promise<void> {
    let credit = WINDOW;
    for (let i = 1, at = from; at < payload.length; i++, at += size) {
      while (credit === 0) {
        const f = await this.next();
        if (f.h.k !== 'credit') throw new BusError(`expected credit, got a frame of kind ${JSON.stringify(f.h.k)}`);
        credit++;
      }
      this.send({ k: 'c', i }, payload.subarray(at, Math.min(payload.length, at + size)));
      credit--;
    }
  }

  /**
   * Receives a payload of `total` bytes whose first piece came in the opening frame, granting
   * credit as it goes; the bytes are charged to `budget` until `release` is called.
   */
  async receiveRest(total: number, first: Uint8Array, budget: ByteBudget): Promise<{ bytes: Buffer; release(): void }> {
    if (!Number.isSafeInteger(total) || total < first.length) throw new BusError(`a payload of ${total} bytes cannot start with ${first.length}`);
    if (total > MAX_PAYLOAD_BYTES) throw new BusError(`a payload of ${total} bytes is more than the ${MAX_PAYLOAD_BYTES} bytes a forwarded call may carry`);
    // A payload in one frame is copied out of the NATS client's message: the bytes are the caller's
    // and may outlive this turn (a forwarded reply is written to the HTTP response as it is).
    if (total === first.length) return { bytes: Buffer.from(first), release: () => undefined };
    if (!budget.fits(total)) throw new BusError(`this replica is already receiving ${budget.used} bytes of forwarded calls (limit ${budget.limit}); try again`);
    budget.charge(total);
    let released = false;
    const release = () => {
      if (!released) budget.release(total);
      released = true;
    };
    try {
      const bytes = Buffer.allocUnsafe(total);
      bytes.set(first, 0);
      let at = first.length;
      for (let i = 1; at < total; i++) {
        const f = await this.next();
        if (f.h.k !== 'c' || f.h.i !== i) throw new BusError(`expected chunk ${i}, got a frame of kind ${JSON.stringify(f.h.k)}`);
        if (f.body.length === 0 || f.body.length > total - at) throw new BusError(`chunk ${i} overruns the payload of ${total} bytes`);
        bytes.set(f.body, at);
        at += f.body.length;
        if (at < total) this.send({ k: 'credit' });
      }
      return { bytes, release };
    } catch (e) {
      release();
      throw e;
    }
  }
}
