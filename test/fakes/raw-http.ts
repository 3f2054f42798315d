/**
 * HTTP by hand over a loopback socket, for requests a client library would not send (an h2c offer,
 * an upgrade with a body) and for seeing exactly what a server wrote.
 */
import net from 'node:net';

/**
 * Sends `head` on a raw connection to `127.0.0.1:port` (and `body` once the server has answered
 * `100 Continue`, or at once with `bodyNow`), and resolves with everything the server wrote once
 * it has closed the connection. `endAfterWrite` half-closes the connection after writing.
 */
export function rawExchange(port: number, head: string, body?: string, options: { endAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    let bodySent = body === undefined;
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
      if (options.endAfterWrite) socket.end();
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (!bodySent && received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        bodySent = true;
        socket.write(body!);
      }
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

/** An h2c upgrade offer, as `curl --http2` sends it. */
export const H2C_OFFER = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n';
