"""A real SMTP server for the mail tests: aiosmtpd on a loopback port, STARTTLS required (a test
CA's certificate), AUTH required after it. Every message it accepts is written to OUT_DIR as
NNNN.json: the envelope, the login that sent it, the raw message, and its headers and parts as
Python's email package reads them. Prints "ready" when it listens; stops when stdin closes.

usage: server.py PORT CERT KEY OUT_DIR USER PASSWORD
"""

import asyncio
import email
import email.policy
import json
import os
import ssl
import sys

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

# aiosmtpd itself still sets its deprecated login_data, and logs a warning each time.
logging.getLogger("mail.log").setLevel(logging.ERROR)

port, cert, key, out_dir, user, password = sys.argv[1:7]


class Save:
    def __init__(self):
        self.count = len([n for n in os.listdir(out_dir) if n.endswith(".json")])

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        parts = {}
        for part in msg.walk():
            if not part.is_multipart():
                parts[part.get_content_type()] = part.get_content()
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": session.auth_data.login.decode() if session.authenticated else None,
            "tls": session.ssl is not None,
            "raw": raw.decode("utf-8", "replace"),
            "headers": [[k, str(v)] for k, v in msg.items()],
            "parts": parts,
        }
        path = os.path.join(out_dir, "%04d.json" % self.count)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == user
        and auth_data.password.decode() == password
    )
    # handled=False: aiosmtpd answers a refusal itself (535).
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(
    Save(),
    hostname="127.0.0.1",
    port=int(port),
    tls_context=context,
    require_starttls=True,
    auth_required=True,
    auth_require_tls=True,
    authenticator=authenticate,
    server_hostname="mail.test",
    ready_timeout=10,
)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
