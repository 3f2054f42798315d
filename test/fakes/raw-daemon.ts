/**
 * A daemon that answers by hand: the test sees each request (method, params, id and its exact
 * text) and returns the raw response text, or `undefined` to stay silent. For client tests that
 * need replies our server would never send (wrong form, null/null, odd application errors).
 */
import { Buffer } from 'node:buffer';
import { memoryPipe, type MemoryStream } from '../../src/transport/memory.js';

export interface RawRequest {
  readonly method: string;
  readonly params: unknown;
  readonly id: number;
  /** The request line as sent, without the newline. */
  readonly text: string;
}

export type RawAnswer = (request: RawRequest) => string | undefined;

/** A success response carrying `result` (JSON text). */
export const okReply = (result: string) => (r: RawRequest) => `{"id":${r.id},"result":${result},"error":null}`;
/** An RPC error response. */
export const errorReply = (message: string) => (r: RawRequest) => `{"id":${r.id},"result":null,"error":${JSON.stringify(message)}}`;

export interface RawDaemon {
  /** The client's end of the pipe. */
  readonly stream: MemoryStream;
  /** The daemon's end (destroy or close it to break the connection). */
  readonly peer: MemoryStream;
  readonly requests: RawRequest[];
  /** Replaces the answering function. */
  answer: RawAnswer;
}

export function rawDaemon(answer: RawAnswer = () => undefined): RawDaemon {
  const [stream, peer] = memoryPipe();
  const daemon: RawDaemon = { stream, peer, requests: [], answer };
  let pending = '';
  peer.start({
    data: (chunk) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const text = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const parsed = JSON.parse(text) as { method: string; params: unknown; id: number };
        const request = { method: parsed.method, params: parsed.params, id: parsed.id, text };
        daemon.requests.push(request);
        const reply = daemon.answer(request);
        if (reply !== undefined) peer.write(Buffer.from(reply + '\n'));
      }
    },
    end: () => undefined,
  });
  return daemon;
}
