#!/bin/sh
# Installs the OpenID provider of the sign-in tests (`oidc-provider`, exactly as pinned in
# crates/web/tests/oidc-provider/package-lock.json) into that directory's node_modules (never
# committed). Idempotent; needs npm (and Debian's nodejs to run it).
set -eu
cd "$(dirname "$0")/../crates/web/tests/oidc-provider"
version() { sed -n 's/^ *"version": "\(.*\)",*$/\1/p' "$1" | head -n 1; }
pinned=$(grep -A 1 '"node_modules/oidc-provider"' package-lock.json | sed -n 's/^ *"version": "\(.*\)",*$/\1/p')
if [ -f node_modules/oidc-provider/package.json ] && [ "$(version node_modules/oidc-provider/package.json)" = "$pinned" ]; then
    exit 0
fi
command -v npm >/dev/null || { apt-get install -y -q npm >/dev/null; }
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
