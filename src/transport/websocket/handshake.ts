/**
 * The RFC 6455 opening handshake, both sides, as Flux's gorilla/websocket does it (docs/wire.md
 * §6.5, §7.3): the server checks the request in gorilla's order and answers a bad one with
 * gorilla's plain-text HTTP error (any origin, no subprotocol, no extensions: a permessage-deflate
 * offer is ignored); the client sends no Origin, subprotocol or extension offer, and accepts only
 * a 101 that names websocket and carries the right `Sec-WebSocket-Accept`.
 */
import { Buffer } from 'node:buffer';
import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { GoText } from '../../runtime/go-text.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash;

/** `Sec-WebSocket-Accept` for a key: base64(SHA-1(key + GUID)) (one-shot where node has `crypto.hash`: a hub computes one per registration). */
export function acceptKey(key: string): string {
  return oneShotHash !== undefined ? oneShotHash('sha1', key + GUID, 'base64') : createHash('sha1').update(key + GUID).digest('base64');
}

/** A fresh `Sec-WebSocket-Key`: 16 random bytes, base64. */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}

/** True if the comma-separated header holds `token` (case-insensitive), as gorilla's tokenListContainsValue. */
export function headerHasToken(value: string | string[] | undefined, token: string): boolean {
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  return values.some((v) => v.split(',').some((t) => t.trim().toLowerCase() === token));
}

/** A base64 key that decodes to 16 bytes. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;

export interface HandshakeRefusal {
  status: number;
  /** gorilla's HandshakeError text, for our logs; the peer only gets the status text. */
  reason: string;
}

const NOT_WEBSOCKET = 'websocket: the client is not using the websocket protocol: ';

/** Checks an upgrade request as gorilla's `Upgrader.Upgrade` does (in its order); undefined if fine. */
export function checkUpgradeRequest(method: string | undefined, headers: IncomingHttpHeaders): HandshakeRefusal | undefined {
  if (!headerHasToken(headers.connection, 'upgrade')) return { status: 400, reason: GoText.notWebSocketProtocol };
  if (!headerHasToken(headers.upgrade, 'websocket')) return { status: 400, reason: `${NOT_WEBSOCKET}'websocket' token not found in 'Upgrade' header` };
  if (method !== 'GET') return { status: 405, reason: `${NOT_WEBSOCKET}request method is not GET` };
  if (!headerHasToken(headers['sec-websocket-version'], '13')) return { status: 400, reason: "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header" };
  const key = headers['sec-websocket-key'];
  if (typeof key !== 'string' || key.trim() === '') return { status: 400, reason: "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header is missing or blank" };
  if (!KEY.test(key.trim())) return { status: 400, reason: "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length" };
  return undefined;
}

/** The 101 answer to a valid request (gorilla's exact header set). */
export function switchingProtocols(key: string): string {
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key.trim())}\r\n\r\n`;
}

/** gorilla's answer to a bad handshake: `http.Error(w, StatusText(status), status)` plus the version header. */
export function refusal(status: number): string {
  const body = `${STATUS_CODES[status] ?? ''}\n`;
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n` +
    `Sec-Websocket-Version: 13\r\n` +
    `X-Content-Type-Options: nosniff\r\n` +
    `Date: ${new Date().toUTCString()}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

/** Why a 101 answer is not a valid upgrade for our key, or undefined if it is. */
export function checkUpgradeResponse(key: string, headers: IncomingHttpHeaders): string | undefined {
  if (!headerHasToken(headers.upgrade, 'websocket')) return "websocket: bad handshake: the 101 answer's Upgrade header does not name websocket";
  if (!headerHasToken(headers.connection, 'upgrade')) return "websocket: bad handshake: the 101 answer's Connection header does not name upgrade";
  if (headers['sec-websocket-accept'] !== acceptKey(key)) return 'websocket: bad handshake: wrong Sec-WebSocket-Accept';
  if (headers['sec-websocket-extensions'] !== undefined) return `websocket: bad handshake: the server chose an extension we did not offer (${headers['sec-websocket-extensions']})`;
  if (headers['sec-websocket-protocol'] !== undefined) return `websocket: bad handshake: the server chose a subprotocol we did not offer (${headers['sec-websocket-protocol']})`;
  return undefined;
}
