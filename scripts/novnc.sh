#!/bin/sh
# Installs noVNC for the console page, exactly as pinned in crates/web/novnc/package-lock.json,
# into crates/web/novnc/node_modules (never committed). Idempotent; needs npm.
set -eu
cd "$(dirname "$0")/../crates/web/novnc"
version() { sed -n 's/^ *"version": "\(.*\)",*$/\1/p' "$1" | head -n 1; }
pinned=$(grep -A 1 '"node_modules/@novnc/novnc"' package-lock.json | sed -n 's/^ *"version": "\(.*\)",*$/\1/p')
if [ -f node_modules/@novnc/novnc/package.json ] && [ "$(version node_modules/@novnc/novnc/package.json)" = "$pinned" ]; then
    exit 0
fi
command -v npm >/dev/null || { apt-get install -y -q npm >/dev/null; }
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
