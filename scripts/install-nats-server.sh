#!/usr/bin/env bash
# Installs Debian's nats-server (with JetStream) for the cluster-mode tests (test/cluster/,
# src/hub/cluster/*.test.ts, test/interop/hub-cluster.interop.test.ts). Idempotent: does nothing
# when nats-server is already on the PATH or in /usr/sbin. Needs root (or sudo) and apt-get;
# .ci/run calls it before `npm test`. The tests start their own servers on random loopback ports.
set -euo pipefail
for candidate in "$(command -v nats-server 2>/dev/null || true)" /usr/sbin/nats-server /usr/bin/nats-server; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then
    echo "install-nats-server: $("$candidate" --version 2>/dev/null || echo nats-server) already installed at $candidate"
    exit 0
  fi
done
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends nats-server >/dev/null
installed="$(command -v nats-server 2>/dev/null || echo /usr/sbin/nats-server)"
echo "install-nats-server: installed $("$installed" --version 2>/dev/null || echo nats-server) at $installed"
