/** Observing a test's side effects: large chunks arriving on a stream, process warnings. */
import type { ByteStream, StreamSink } from '../../src/transport/byte-stream.js';

/** Wraps `stream.start` so that the returned function tells whether a chunk of at least `minBytes` has been delivered. */
export function watchLargeChunk(stream: ByteStream, minBytes: number): () => boolean {
  let arrived = false;
  const start = stream.start.bind(stream);
  stream.start = (sink: StreamSink) =>
    start({
      data: (chunk) => {
        if (chunk.length >= minBytes) arrived = true;
        sink.data(chunk);
      },
      end: (e) => sink.end(e),
    });
  return () => arrived;
}

/** Runs `body` while recording the process's warnings (e.g. MaxListenersExceededWarning); returns them. */
export async function warningsDuring(body: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  try {
    await body();
    // process.emitWarning delivers on a later tick.
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}
