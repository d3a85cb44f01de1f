#!/usr/bin/env bash
# Installs the pinned Appium server (appium 3.8.0), Appium's fake driver (@appium/fake-driver
# 6.2.4) and the local harness-fake-device plugin into tools/appium/node_modules, exactly as
# package-lock.json says (npm ci). The contract tests start this server on 127.0.0.1.
# Needs Node 20.19+ / 22.12+ and npm. Idempotent: does nothing when the install is current.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
if ! command -v npm >/dev/null 2>&1; then
  echo "tools/appium/setup.sh: npm is missing (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
export APPIUM_HOME="$here"
stamp="node_modules/.harness-setup-stamp"
if [ -x node_modules/.bin/appium ] && [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] \
   && [ "$stamp" -nt harness-fake-device/index.js ]; then
  echo "tools/appium: up to date"
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
# Appium must list the fake driver and our plugin as installed
node_modules/.bin/appium driver list --installed 2>&1 | grep -q "fake@6.2.4" \
  || { echo "tools/appium: fake driver not registered after npm ci" >&2; exit 1; }
node_modules/.bin/appium plugin list --installed 2>&1 | grep -q "harness-fake-device" \
  || { echo "tools/appium: harness-fake-device plugin not registered after npm ci" >&2; exit 1; }
touch "$stamp"
echo "tools/appium: appium $(node_modules/.bin/appium --version 2>/dev/null | tail -n 1) ready"
