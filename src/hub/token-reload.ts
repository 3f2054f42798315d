/**
 * The hub's tokens in use, and replacing them without a restart: from the tokens file when it
 * changes (`watch`), or in code (`Hub.setTokens`). A replacement disconnects the daemons whose
 * token is gone (or names another instance now) and forgets instances left without a token
 * (status, events); everyone else is untouched. Each reload is counted
 * (`fluxrpc_hub_token_reloads_total{outcome}`) and logged, never with a token in it.
 */
import type { Logger } from '../runtime/log.js';
import { TokenAuth, watchTokenFile } from './auth.js';
import type { EventStore } from './events.js';
import type { HubMetrics } from './metrics.js';
import type { DaemonRegistry } from './registry.js';

export class HubTokens {
  private tokenAuth: TokenAuth;

  /** Starts with `initial`: its instances are declared to the registry, its size is the tokens gauge. */
  constructor(
    initial: TokenAuth,
    private readonly registry: DaemonRegistry,
    private readonly events: EventStore,
    private readonly metrics: HubMetrics,
    private readonly log: Logger,
  ) {
    this.tokenAuth = initial;
    this.metrics.tokens.set(initial.size);
    for (const instance of initial.instances) this.registry.declare(instance);
  }

  /** The tokens in use. */
  get current(): TokenAuth {
    return this.tokenAuth;
  }

  /** See `Hub.setTokens`. */
  set(tokens: ReadonlyMap<string, string>, source: string): void {
    const next = new TokenAuth(tokens);
    const before = new Set(this.tokenAuth.instances);
    const after = new Set(next.instances);
    this.tokenAuth = next;
    for (const instance of after) this.registry.declare(instance);
    // (A connection registered without a credential, in code, is left to `forget` below.)
    const disconnected = this.registry.disconnectWhere((instance, info) => info.credential !== undefined && next.instanceOf(info.credential) !== instance, 'its token was removed from the tokens');
    const removed = [...before].filter((i) => !after.has(i));
    for (const instance of removed) {
      this.registry.forget(instance, 'its instance was removed from the tokens');
      this.events.forget(instance);
    }
    this.metrics.tokens.set(next.size);
    this.metrics.tokenReloads.inc({ outcome: 'ok' });
    const added = [...after].filter((i) => !before.has(i));
    this.log.info('tokens reloaded', { source, tokens: next.size, instances: after.size, addedInstances: added.length, removedInstances: removed.length, disconnected });
  }

  /**
   * Watches `file` and takes its tokens whenever it changes (after `debounceMs` of quiet); an
   * invalid new file is counted and logged, and the tokens in use stay. Returns the stop.
   */
  watch(file: string, debounceMs: number | undefined): () => void {
    return watchTokenFile(file, {
      debounceMs,
      onTokens: (tokens) => this.set(tokens, file),
      onError: (error) => {
        this.metrics.tokenReloads.inc({ outcome: 'error' });
        this.log.error('tokens file not reloaded', { error });
      },
    });
  }
}
