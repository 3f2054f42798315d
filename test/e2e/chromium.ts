/**
 * What the browser tests share: Debian's Chromium (/usr/bin/chromium, installed by
 * scripts/install-chromium.sh; never a downloaded browser), the flags it runs with, where
 * screenshots go, and the skip rule (skipped without it, except in CI, where it fails).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** dist/e2e of the repository: screenshots. */
export const SCREENSHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'e2e');
/** The dashboard page's live stream is open (main.js writes the state in the footer). */
export const LIVE = "document.getElementById('live-status')?.textContent === 'live'";

/** False (after skipping the test) when Chromium is missing and the browser tests are optional. */
export function requireChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `${CHROMIUM} is not installed (run scripts/install-chromium.sh)`;
  if (process.env.CI === 'true' || process.env.FLUXRPC_INTEROP_REQUIRED === '1') assert.fail(message + ' — required in CI');
  t.skip(message);
  return false;
}
