#!/bin/sh
# Makes the virtual environment with cloudbase-init (PyPI) that the Windows seed test runs
# (crates/libvirt/tests/cloudbase.rs), pinned in crates/libvirt/tests/cloudbase/requirements.txt,
# under /var/cache/vmportal (never committed). Idempotent: nothing to do when the pins are in.
set -eu
cd "$(dirname "$0")/.."
venv="${CLOUDBASE_VENV:-/var/cache/vmportal/cloudbase-venv}"
requirements=crates/libvirt/tests/cloudbase/requirements.txt
if [ -f "$venv/requirements.txt" ] && cmp -s "$requirements" "$venv/requirements.txt"; then
    exit 0
fi
[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
cp "$requirements" "$venv/requirements.txt"
