#!/bin/sh
# Makes the Python virtual environment with aiosmtpd (PyPI, pinned) that the mail tests start as
# their SMTP server: crates/worker/tests/smtp/.venv (never committed). Idempotent.
set -eu
cd "$(dirname "$0")/../crates/worker/tests/smtp"
pinned=1.4.6
if [ -x .venv/bin/python ] && .venv/bin/python -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$pinned')" 2>/dev/null; then
    exit 0
fi
python3 -m venv .venv 2>/dev/null || { apt-get install -y -q python3-venv >/dev/null; python3 -m venv .venv; }
.venv/bin/pip install --quiet --disable-pip-version-check "aiosmtpd==$pinned"
