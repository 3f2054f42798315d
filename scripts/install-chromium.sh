#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the browser tests
# (test/e2e/status-page.e2e.test.ts, test/e2e/dashboard.e2e.test.ts; playwright-core drives it, never a downloaded
# browser). Idempotent: does nothing when /usr/bin/chromium exists.
# Needs root (or sudo) and apt-get; .ci/run calls it before `npm test`.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "install-chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
