/**
 * Cluster mode's settings that can be checked without loading any NATS code (the CLI checks its
 * flags with them): the replica ID, and `--nats URL[,URL…]`:
 * `nats://host:port`, `tls://host:port` (TLS required; all URLs or none) or `host:port` (port 4222
 * by default). Credentials as `nats://user:password@host` or `nats://token@host`, the same in
 * every URL. The NATS client itself drops a URL's scheme and credentials, so they are read here.
 */

export class BusConfigError extends Error {
  override name = 'BusConfigError';
  readonly code = 'FLUXRPC_ERR_NATS_CONFIG';
}

export interface NatsUrls {
  /** `host:port` each, for the client. */
  servers: string[];
  auth: { user: string; pass: string } | { token: string } | undefined;
  tls: boolean;
  /** The URLs without credentials, for logs and pages. */
  shown: string[];
}

/** A URL as it may be logged: without its credentials. */
function redactUrl(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@');
}

export function parseNatsUrls(urls: readonly string[]): NatsUrls {
  if (urls.length === 0) throw new BusConfigError('no NATS URL given');
  const servers: string[] = [];
  let auth: NatsUrls['auth'];
  let authKey: string | undefined;
  let tls: boolean | undefined;
  for (const raw of urls) {
    const text = raw.trim();
    if (text === '') throw new BusConfigError('an empty NATS URL');
    const shown = JSON.stringify(redactUrl(text));
    let url: URL;
    try {
      url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `nats://${text}`);
    } catch {
      throw new BusConfigError(`invalid NATS URL ${shown}`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new BusConfigError(`NATS URL ${shown}: the scheme must be nats:// or tls://`);
    if (url.hostname === '') throw new BusConfigError(`NATS URL ${shown} has no host`);
    if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') throw new BusConfigError(`NATS URL ${shown}: only scheme, credentials, host and port are allowed`);
    const isTls = url.protocol === 'tls:';
    if (tls !== undefined && tls !== isTls) throw new BusConfigError('mixed nats:// and tls:// URLs: use tls:// for all servers or for none');
    tls = isTls;
    let user: string;
    let pass: string;
    try {
      user = decodeURIComponent(url.username);
      pass = decodeURIComponent(url.password);
    } catch {
      throw new BusConfigError(`NATS URL ${shown}: bad percent-encoding in the credentials`);
    }
    const these: NatsUrls['auth'] = user === '' && pass === '' ? undefined : pass === '' ? { token: user } : { user, pass };
    const key = JSON.stringify(these ?? null);
    if (authKey !== undefined && authKey !== key) throw new BusConfigError('the NATS URLs carry different credentials: give the same in every URL (or none)');
    authKey = key;
    auth = these;
    servers.push(`${url.hostname}:${url.port || '4222'}`);
  }
  return { servers, auth, tls: tls === true, shown: servers.map((s) => `${tls ? 'tls' : 'nats'}://${s}`) };
}

const REPLICA_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A replica ID goes into keys' values, message IDs and pages: letters, digits, `.`, `_`, `-`. */
export function checkReplicaId(id: string): string {
  if (!REPLICA_ID.test(id)) throw new BusConfigError(`invalid replica ID ${JSON.stringify(id)}: use letters, digits, '.', '_', '-' (at most 64, starting with a letter or digit)`);
  return id;
}
