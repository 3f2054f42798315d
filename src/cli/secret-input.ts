/** Reading a password for `hash-password`: without echo on a terminal, else the first line of stdin. */
import { createInterface } from 'node:readline';

const MAX_CHARS = 4096;

export function readSecret(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (input.isTTY) {
    return new Promise((resolve, reject) => {
      output.write(prompt);
      let text = '';
      input.setRawMode(true);
      input.resume();
      input.setEncoding('utf8');
      const done = (error?: Error) => {
        input.setRawMode(false);
        input.pause();
        input.off('data', onData);
        output.write('\n');
        if (error) reject(error);
        else resolve(text);
      };
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
          if (ch === '\u0003') return done(new Error('interrupted'));
          if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
          else if (text.length < MAX_CHARS) text += ch;
        }
      };
      input.on('data', onData);
    });
  }
  return new Promise((resolve) => {
    const rl = createInterface({ input, terminal: false });
    let done = false;
    rl.once('line', (line) => {
      done = true;
      resolve(line.slice(0, MAX_CHARS));
      rl.close();
    });
    rl.once('close', () => done || resolve(''));
  });
}
