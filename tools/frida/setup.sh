#!/bin/sh
# One-time setup for building the Frida agent and running the real-Frida tests.
#
#   tools/frida/setup.sh            # npm ci in hooks/ (fetches the pinned frida-java-bridge)
#
# System packages the Frida tests and bench need (Debian 12), installed by CI beforehand:
#   apt-get install -y openjdk-17-jdk-headless gcc
# (JDK 17 exactly: frida-java-bridge 7.0.13 does not support JDK 20+.)
# The compiled agent is committed (harness/instrumentation/agent/_agent.js), so users and the
# tests need no Node; only rebuilding it does:  python tools/frida/build_agent.py
set -eu
cd "$(dirname "$0")/../../hooks"
npm ci --no-audit --no-fund
