#!/bin/sh
# Installs the consent-management libraries the CMP test pages load (tests/fixtures/web/cmp),
# exactly as package-lock.json pins them: vanilla-cookieconsent 3.1.0, klaro 0.7.22, Osano's
# cookieconsent 3.1.1, and the IAB TCF v2 reference libraries @iabtcf/core, @iabtcf/cmpapi and
# @iabtcf/stub 1.5.6 (the TCF pages' CMP is built on them), into tools/cmp/node_modules (npm ci;
# no install scripts are run).
# The harness itself never downloads anything when it runs: the pages' loopback server serves
# the libraries' dist files from here. Idempotent: does nothing when the install is current.
set -eu
cd "$(dirname "$0")"
if ! command -v npm >/dev/null 2>&1; then
  echo "tools/cmp/setup.sh: npm is missing (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
stamp="node_modules/.harness-setup-stamp"
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ]; then
  echo "tools/cmp: up to date"
  exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
touch "$stamp"
echo "tools/cmp: CMP libraries installed"
