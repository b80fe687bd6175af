#!/usr/bin/env bash
# Installs Debian's chromium (and a font) for the browser test when it is missing. Idempotent:
# a no-op when chromium is on PATH. Needs root and apt-get.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
echo "installing chromium (Debian package)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
