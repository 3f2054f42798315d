/**
 * Masking speed: our pure-JS in-place mask (32-bit words) against `bufferutil`'s native mask, for
 * one 32 MiB message and for small ones. `bufferutil` is no dependency of ours: the comparison runs
 * only where it happens to be installed (`npm install --no-save bufferutil`).
 *
 *   npm run build && node dist/bench/mask-speed.js
 */
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';
import { maskInPlace } from '../src/transport/websocket/mask.js';

type NativeMask = (source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number) => void;
let native: { mask: NativeMask; unmask: (buffer: Buffer, mask: Buffer) => void } | undefined;
try {
  native = createRequire(import.meta.url)('bufferutil');
} catch {
  native = undefined;
}

const KEY = 0x37fa213d;
const keyBuffer = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** Mean ns per call over `ms` of repeated calls (after a warm-up). */
function time(fn: () => void, ms: number): number {
  for (const end = performance.now() + ms / 4; performance.now() < end; ) fn();
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 16; i++) fn();
    calls += 16;
    now = performance.now();
  }
  return ((now - start) * 1e6) / calls;
}

const rows: string[] = ['| size | ours in place (JS) | bufferutil unmask in place | bufferutil mask into a copy | ours / bufferutil in place |', '|---|---|---|---|---|'];
for (const size of [64, 1024, 16 * 1024, 256 * 1024, 32 * 1024 * 1024]) {
  const buf = Buffer.alloc(size, 0x5a);
  // A view at an odd offset, as socket chunks and message slices are.
  const odd = Buffer.alloc(size + 3).subarray(3);
  const ms = size >= 1 << 20 ? 3000 : 1000;
  const ours = time(() => maskInPlace(buf, 0, size, KEY, 0), ms);
  const oursOdd = time(() => maskInPlace(odd, 0, size, KEY, 0), ms);
  const fmt = (ns: number) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
  const rate = (ns: number) => `${((size / ns) * 1e9 / 2 ** 30).toFixed(2)} GiB/s`;
  if (native) {
    const inPlace = time(() => native!.unmask(buf, keyBuffer), ms);
    const out = Buffer.allocUnsafe(size);
    const copy = time(() => native!.mask(buf, keyBuffer, out, 0, size), ms);
    rows.push(`| ${size} B | ${fmt(ours)} (${rate(ours)}; odd offset ${fmt(oursOdd)}) | ${fmt(inPlace)} (${rate(inPlace)}) | ${fmt(copy)} | ${(ours / inPlace).toFixed(1)}× |`);
  } else {
    rows.push(`| ${size} B | ${fmt(ours)} (${rate(ours)}; odd offset ${fmt(oursOdd)}) | – | – | – |`);
  }
}
console.log(rows.join('\n'));
if (!native) console.log('\n(bufferutil is not installed: only our figures)');
