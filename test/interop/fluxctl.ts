/**
 * Running the real fluxctl (flux v1.25.4's cmd/fluxctl, built by build-peers.mjs into
 * test/interop/go/bin/fluxctl) against a hub and a demo daemon (or a relay) started in this
 * process, as a user of `npm start` would: `fluxctl --url <hub>/api/flux --token T …`.
 *
 * fluxctl runs with an empty HOME (no kubeconfig, no git identity), so the namespace it assumes is
 * `default` and the user it reports is empty, whatever the machine's setup; each run is bounded.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hub } from '../../src/hub/hub.js';
import { DaemonConnector } from '../../src/connector/connector.js';
import { silentLogger } from '../../src/runtime/log.js';
import { relayTo } from '../../src/connector/relay.js';
import { demoConnector } from '../../src/cli/daemon-command.js';
import { waitForDaemon } from '../../src/cli/demo-command.js';
import { goBin } from './go-peer.js';

export interface FluxctlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TOKEN = 'fluxctl-interop-token';
const INSTANCE = 'demo';
/** Longest a single fluxctl run may take before it is killed (its own --timeout is shorter). */
const RUN_LIMIT_MS = 60_000;

/** A hub on 127.0.0.1 (port 0) with the demo daemon connected over the real protocol. */
export class DemoUnderTest {
  private constructor(
    readonly hub: Hub,
    readonly connector: DaemonConnector,
    readonly apiUrl: string,
    private readonly home: string,
  ) {}

  /** The demo daemon, or (with `relayToFluxd`) a relay in front of that fluxd API URL. */
  static async start(relayToFluxd?: string): Promise<DemoUnderTest> {
    const hub = new Hub({ tokens: new Map([[TOKEN, INSTANCE]]) });
    const addr = await hub.listen(0, '127.0.0.1');
    const url = `${addr.url}/api/flux`;
    const connector =
      relayToFluxd === undefined
        ? demoConnector({ url, token: TOKEN, logger: silentLogger })
        : new DaemonConnector({ url, token: TOKEN, logger: silentLogger, implementation: relayTo({ fluxdUrl: relayToFluxd }) });
    const up = waitForDaemon(hub.registry, INSTANCE, connector);
    connector.start();
    try {
      await up;
    } catch (e) {
      await connector.close();
      await hub.close();
      throw e;
    }
    return new DemoUnderTest(hub, connector, `${addr.url}/api/flux`, mkdtempSync(join(tmpdir(), 'fluxctl-home-')));
  }

  /** Runs `fluxctl --url … --token … <args>` to completion. */
  fluxctl(...args: string[]): Promise<FluxctlRun> {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.home, GIT_CONFIG_NOSYSTEM: '1' };
    const child = spawn(goBin('fluxctl'), ['--url', this.apiUrl, '--token', TOKEN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`fluxctl ${args.join(' ')} did not finish within ${RUN_LIMIT_MS} ms; stderr so far: ${stderr}`));
      }, RUN_LIMIT_MS);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** The events the demo daemon posted to the hub, oldest first. */
  events() {
    return this.hub.events.list(INSTANCE).map((e) => e.event).reverse();
  }

  async close(): Promise<void> {
    await this.connector.close();
    await this.hub.close();
    rmSync(this.home, { recursive: true, force: true });
  }
}
