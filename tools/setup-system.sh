#!/usr/bin/env bash
# Installs the Debian packages the test suite uses for real: adb, JDK 17, gcc, Chromium.
# Skips what is already there. Needs root (CI and the dev machines run as root).
set -euo pipefail
need=()
command -v adb >/dev/null || need+=(adb)
command -v javac >/dev/null && javac -version 2>&1 | grep -q ' 17\.' || need+=(openjdk-17-jdk-headless)
command -v gcc >/dev/null || need+=(gcc)
command -v chromium >/dev/null || need+=(chromium)
command -v node >/dev/null || need+=(nodejs npm)
(fc-list 2>/dev/null | grep -qiE "wqy|cjk") || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -eq 0 ]; then echo "system packages: all present"; exit 0; fi
echo "installing Debian packages: ${need[*]}"
if [ "$(id -u)" != 0 ]; then echo "need root to install ${need[*]} (or install them yourself)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
