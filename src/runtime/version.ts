/** This package's version (from package.json), for the default User-Agent `fluxrpc/<version>`. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    // dist/src/runtime/version.js → the package root is three levels up.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' && pkg.version !== '' ? pkg.version : 'unversioned';
  } catch {
    return 'unversioned';
  }
}

export const PACKAGE_VERSION = readVersion();
export const DEFAULT_USER_AGENT = `fluxrpc/${PACKAGE_VERSION}`;
