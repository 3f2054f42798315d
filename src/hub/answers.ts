/**
 * What the hub's own answers share: no caching for what changes all the time, and the plain-text
 * answer (`/healthz`, a request that failed).
 */
import type { ServerResponse } from 'node:http';
import { send, TEXT_CONTENT_TYPE } from '../http/respond.js';

/** Status, metrics and event lists change all the time: no caching. */
export const NO_STORE = { 'Cache-Control': 'no-store' };

export function text(res: ServerResponse, status: number, body: string): void {
  send(res, status, { 'Content-Type': TEXT_CONTENT_TYPE, ...NO_STORE }, body);
}
