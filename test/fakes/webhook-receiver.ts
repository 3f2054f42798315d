/**
 * A fake webhook receiver for the notification tests in cluster mode: it records each request
 * (the replica that sent it, from the last segment of the sink's URL path; the delivery id; the
 * event's message) and answers 200, except requests `hold` picks, which stay unanswered (a
 * delivery in flight) until `release`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  replica: string;
  id: string;
  message: string;
  answered: boolean;
}

export interface WebhookReceiver {
  readonly got: Delivery[];
  readonly port: number;
  /** URL of the sink of `replica`. */
  url(replica: string): string;
  hold(pick: ((d: Delivery) => boolean) | undefined): void;
  /** Answers the held requests. */
  release(): void;
  /** The requests for `message` that were answered (delivered). */
  answered(message: string): Delivery[];
  /** Every request for `message`, answered or not. */
  requests(message: string): Delivery[];
  close(): Promise<void>;
}

export async function webhookReceiver(): Promise<WebhookReceiver> {
  const got: Delivery[] = [];
  const held: { d: Delivery; res: http.ServerResponse }[] = [];
  let hold: ((d: Delivery) => boolean) | undefined;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const d: Delivery = { replica: (req.url ?? '').split('/').pop()!, id: String(req.headers['x-fluxrpc-delivery']), message: (JSON.parse(body) as { message: string }).message, answered: false };
      got.push(d);
      if (hold?.(d)) return void held.push({ d, res });
      d.answered = true;
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    got,
    port,
    url: (replica) => `http://127.0.0.1:${port}/hook/${replica}`,
    hold: (pick) => (hold = pick),
    release() {
      hold = undefined;
      for (const { d, res } of held.splice(0)) {
        d.answered = true;
        res.writeHead(200).end('ok');
      }
    },
    answered: (message) => got.filter((d) => d.message === message && d.answered),
    requests: (message) => got.filter((d) => d.message === message),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
