#!/usr/bin/env python3
"""How much a flood of sign-ins with random usernames slows down the portal for everyone else.

Starts the release binary on a fresh database, signs a user in, and measures that user's
GET /api/v1/me (p50/p95) first idle, then while 48 loopback addresses send sign-ins with random
usernames (each costs a password hash) at about 52 per second in all, each address staying within
its free failures. Both figures come from the same run, on the same machine.

    cargo build --release -p vmportal && python3 bench/signin.py [--seconds 20] [--rate 52]
"""

import argparse
import http.client
import json
import os
import random
import string
import sys
import tempfile
import threading
import time

import portal
from portal import wait

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "bench password 123"


class Client:
    """One keep-alive connection with a cookie, from a chosen source address."""

    def __init__(self, addr, source="127.0.0.1"):
        host, port = addr.rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
        self.cookie = None

    def call(self, method, path, body=None):
        headers = {"content-type": "application/json"}
        if self.cookie:
            headers["cookie"] = self.cookie
        self.conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        r = self.conn.getresponse()
        text = r.read().decode()
        set_cookie = r.getheader("set-cookie")
        if set_cookie and "=;" not in set_cookie.split(";")[0] + ";":
            self.cookie = set_cookie.split(";")[0]
        return r.status, (json.loads(text) if text else None)


def start_portal(tmp, binary):
    env = dict(os.environ, RUST_LOG="warn,vmportal=info")
    proc, addr, first = portal.serve(tmp, portal.config(tmp), binary, env)
    admin = Client(addr)
    assert admin.call("POST", "/api/v1/login", {"username": "admin", "password": first})[0] == 200
    s, _ = admin.call("POST", "/api/v1/me/password", {"current_password": first, "new_password": PASSWORD})
    assert s == 204, s
    s, _ = admin.call("POST", "/api/v1/users", {"username": "alice", "password": PASSWORD})
    assert s == 201, s
    alice = Client(addr)
    assert alice.call("POST", "/api/v1/login", {"username": "alice", "password": PASSWORD})[0] == 200
    return proc, addr, alice


def measure(alice, seconds, interval=0.05):
    """Latencies of GET /api/v1/me, in ms, one request every `interval` seconds."""
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.perf_counter()
        status, _ = alice.call("GET", "/api/v1/me")
        out.append((time.perf_counter() - t) * 1000)
        assert status == 200, status
        time.sleep(interval)
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def flood(addr, sources, rate, stop, counts, lock):
    """Each source sends sign-ins with random usernames at `rate / len(sources)` per second."""
    per = rate / len(sources)

    def one(source):
        c = Client(addr, source)
        next_at = time.monotonic() + random.random() / per
        while not stop.is_set():
            time.sleep(max(0, next_at - time.monotonic()))
            next_at += 1 / per
            name = "".join(random.choices(string.ascii_lowercase, k=12))
            try:
                status, _ = c.call("POST", "/api/v1/login", {"username": name, "password": "not it at all"})
            except (OSError, http.client.HTTPException):
                status = "error"
                c = Client(addr, source)
            with lock:
                counts[status] = counts.get(status, 0) + 1

    threads = [threading.Thread(target=one, args=(s,), daemon=True) for s in sources]
    for t in threads:
        t.start()
    return threads


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rate", type=float, default=52, help="sign-in attempts per second in all")
    ap.add_argument("--addresses", type=int, default=48)
    ap.add_argument("--binary", default=portal.RELEASE)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, addr, alice = start_portal(tmp, args.binary)
        try:
            measure(alice, 2)  # warm up
            idle = measure(alice, args.seconds)
            stop, lock, counts = threading.Event(), threading.Lock(), {}
            sources = [f"127.0.1.{i + 1}" for i in range(args.addresses)]
            started = time.monotonic()
            threads = flood(addr, sources, args.rate, stop, counts, lock)
            time.sleep(1)
            loaded = measure(alice, args.seconds)
            stop.set()
            for t in threads:
                t.join(timeout=35)
            elapsed = time.monotonic() - started
        finally:
            proc.terminate()
            proc.wait()
    attempts = sum(counts.values())
    print(f"GET /api/v1/me idle:         p50 {pct(idle, 50):6.1f} ms  p95 {pct(idle, 95):6.1f} ms  ({len(idle)} requests)")
    print(f"GET /api/v1/me under flood:  p50 {pct(loaded, 50):6.1f} ms  p95 {pct(loaded, 95):6.1f} ms  ({len(loaded)} requests)")
    print(f"p95 under flood / idle: {pct(loaded, 95) / pct(idle, 95):.2f}")
    print(f"flood: {attempts} sign-ins from {args.addresses} addresses in {elapsed:.0f} s "
          f"({attempts / elapsed:.1f}/s); answers {dict(sorted(counts.items(), key=str))}")


if __name__ == "__main__":
    main()
