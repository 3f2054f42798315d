/**
 * Hubs, demo daemons and API clients on loopback for hub tests; everything made is closed after
 * the file's tests (call `hubHarness()` once per test file, at the top level).
 */
import { after } from 'node:test';
import { DaemonConnector, type ConnectorOptions } from '../../src/connector/connector.js';
import { DemoCluster } from '../../src/demo/cluster.js';
import { FluxHttpClient } from '../../src/http/client.js';
import { Hub, type HubOptions, type ListenAddress } from '../../src/hub/hub.js';

export const HUB_TOKENS = new Map([
  ['tok-prod', 'prod'],
  ['tok-dev', 'dev'],
]);

/** Reconnect at once (tests must not wait for fluxd's 5 s). */
export const FAST_BACKOFF = { initialMs: 5, multiplier: 2, maxMs: 20, jitter: 0 };

export const callCtx = () => ({ signal: AbortSignal.timeout(10_000) });

export function hubHarness() {
  const closers: (() => Promise<unknown> | unknown)[] = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  async function startHub(options: Partial<HubOptions> = {}, port = 0): Promise<{ hub: Hub; addr: ListenAddress }> {
    const hub = new Hub({ tokens: HUB_TOKENS, ...options });
    const addr = await hub.listen(port, '127.0.0.1');
    closers.push(() => hub.close());
    return { hub, addr };
  }

  function connector(addr: ListenAddress, options: Partial<ConnectorOptions> = {}): DaemonConnector {
    const c = new DaemonConnector({ url: `${addr.url}/api/flux`, token: 'tok-prod', implementation: new DemoCluster(), backoff: FAST_BACKOFF, ...options });
    closers.push(() => c.close());
    return c;
  }

  /** Starts `c` and resolves once the hub has registered it for `instance`. */
  async function connected(hub: Hub, c: DaemonConnector, instance = 'prod'): Promise<void> {
    const signal = AbortSignal.timeout(10_000);
    const up = c.next('connected', signal);
    c.start();
    await up;
    await hub.registry.whenConnected(instance, signal);
  }

  const api = (addr: ListenAddress, token = 'tok-prod', base = '/api/flux') => new FluxHttpClient({ baseUrl: addr.url + base, token });

  return { startHub, connector, connected, api, closers };
}
