#!/usr/bin/env python3
"""Scale benchmark (not a test): the portal's lists at the size of a university department.

Seeds a fresh SQLite database with 10,000 machines (one succeeded provision job each), 1,000
users, 10,300 requests of which 300 pending, 50,000 audit events and 50 drift rows, starts the
release binary on loopback, and runs wrk against every list page and API list, as an
administrator and as a user, side by side with /healthz of the same process in the same run.

For each URL: the latency of one client alone (wrk -c1) and the rate 16 connections sustain
(wrk -c16), with that rate as a share of /healthz's; the portal's resident memory is read from
/proc while the load runs.

Needs: `apt-get install wrk` (Debian's package) and `cargo build --release -p vmportal`.
Run: `python3 bench/scale.py [--seconds 3]` (about two minutes). Prints a Markdown table for
docs/benchmarks.md. Everything lives in a temporary directory, removed at the end.
"""
import argparse, json, os, re, shutil, sqlite3, subprocess, sys, tempfile, threading, time, urllib.request

import portal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = portal.RELEASE
PASSWORD = "Bench-password-1234"
USERS, MACHINES, PENDING, AUDIT, DRIFT = 1000, 10_000, 300, 50_000, 50


def run(*args, stdin=None):
    r = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)}: {r.stderr}")
    return r.stdout


def seed(db):
    """The rows, written straight into the migrated database (the two accounts that sign in were
    made by `vmportal user add`, with real password hashes)."""
    c = sqlite3.connect(db)
    now = int(time.time())
    c.execute(
        "INSERT INTO templates (name, provider, kind, os_family, source, default_cpus, default_memory_mib, "
        "default_disk_gib, max_cpus, max_memory_mib, max_disk_gib, shutdown_timeout_secs, created_at) "
        "VALUES ('Debian 12', 'local', 'vm', 'linux', 'debian-12.qcow2', 1, 1024, 10, 4, 8192, 50, 60, ?)",
        (now,),
    )
    existing = c.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    c.executemany(
        "INSERT INTO users (username, display_name, email, role, source, created_at) VALUES (?, ?, ?, 'user', 'local', ?)",
        [(f"student{i:04d}", f"Student {i}", f"student{i:04d}@example.edu", now) for i in range(USERS - existing)],
    )
    users = [r[0] for r in c.execute("SELECT id FROM users ORDER BY id")]
    admin = users[0]
    requests, machines, jobs = [], [], []
    for i in range(MACHINES):
        owner = users[i % len(users)]
        name = f"vm-{i:05d}"
        t = now - (MACHINES - i) * 60
        requests.append((i + 1, owner, name, "approved", admin, t, t))
        state = ("running", "stopped", "running", "failed")[i % 4]
        machines.append((i + 1, i + 1, owner, name, state, f"node{i % 8}", f"{i + 1000}", f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", t, t))
        jobs.append((i + 1, t, t))
    c.executemany(
        "INSERT INTO requests (id, user_id, template_id, name, cpus, memory_mib, disk_gib, purpose, state, decided_by, decided_at, created_at) "
        "VALUES (?, ?, 1, ?, 1, 1024, 10, 'coursework', ?, ?, ?, ?)",
        requests,
    )
    c.executemany(
        "INSERT INTO requests (user_id, template_id, name, cpus, memory_mib, disk_gib, purpose, state, created_at) "
        "VALUES (?, 1, ?, 1, 1024, 10, 'coursework', 'pending', ?)",
        [(users[i % len(users)], f"asked-{i:03d}", now) for i in range(PENDING)],
    )
    c.executemany(
        "INSERT INTO machines (id, request_id, owner_id, template_id, provider, name, cpus, memory_mib, disk_gib, state, node, external_id, address, created_at, updated_at) "
        "VALUES (?, ?, ?, 1, 'local', ?, 1, 1024, 10, ?, ?, ?, ?, ?, ?)",
        machines,
    )
    c.executemany(
        "INSERT INTO jobs (kind, machine_id, state, progress, message, attempts, run_after, created_at, updated_at) "
        "VALUES ('provision', ?, 'succeeded', 100, 'running', 1, ?, ?, ?)",
        [(m, t, t, t) for m, t, _ in jobs],
    )
    actions = ("session.login", "request.create", "request.approve", "machine.state", "machine.credentials")
    c.executemany(
        "INSERT INTO audit_events (at, actor_id, actor, ip, action, object_type, object_id, detail) VALUES (?, ?, ?, '127.0.0.1', ?, 'machine', ?, ?)",
        [(now - AUDIT + i, users[i % len(users)], f"student{i % USERS:04d}", actions[i % len(actions)], i % MACHINES + 1, "running -> stopped") for i in range(AUDIT)],
    )
    c.executemany(
        "INSERT INTO drift (provider, kind, machine_id, external_id, name, detected_at) VALUES ('local', ?, ?, ?, ?, ?)",
        [(("missing", "unknown")[i % 2], (i + 1) if i % 2 == 0 else None, f"ext-{i}", f"vm-{i:05d}", now) for i in range(DRIFT)],
    )
    c.commit()
    c.close()


def start(tmp):
    cfg = portal.config(tmp)
    run(BINARY, "migrate", "--config", cfg)
    run(BINARY, "user", "add", "boss", "--admin", "--password-stdin", "--config", cfg, stdin=PASSWORD + "\n")
    run(BINARY, "user", "add", "alice", "--password-stdin", "--config", cfg, stdin=PASSWORD + "\n")
    seed(os.path.join(tmp, "portal.db"))
    proc, addr, _ = portal.serve(tmp, cfg, BINARY)
    return proc, f"http://{addr}"


def session(base, username):
    req = urllib.request.Request(
        base + "/api/v1/login",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req) as r:
        cookie = r.headers["set-cookie"].split(";")[0]
    return cookie


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(rf"{field}:\s+(\d+)", f.read()).group(1))


def wrk(url, cookie, connections, seconds):
    args = ["wrk", "-t", "1" if connections == 1 else "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = run(*args, url)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        sys.exit(f"{url}: {non_2xx.group(1)} error answers\n{out}")

    def ms(label):
        v, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    return rate, ms("Latency"), ms(" 99%")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=3, help="length of each loaded wrk run")
    a = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk missing: apt-get install wrk")
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release -p vmportal")
    tmp = tempfile.mkdtemp(prefix="vmportal-scale-")
    proc = None
    try:
        t = time.monotonic()
        proc, base = start(tmp)
        print(f"seeded and started in {time.monotonic() - t:.1f} s; RSS at rest {rss_kib(proc.pid) / 1024:.0f} MiB", file=sys.stderr)
        admin, user = session(base, "boss"), session(base, "alice")
        urls = [("—", "/healthz", None)]
        for who, cookie, paths in [
            ("admin", admin, ["/", "/machines", "/machines?q=vm-0042", "/admin/requests", "/admin/requests?state=pending",
                              "/admin/users", "/admin/audit", "/admin/drift", "/admin/jobs",
                              "/api/v1/machines", "/api/v1/machines?q=student0042", "/api/v1/requests?state=pending",
                              "/api/v1/users", "/api/v1/audit", "/api/v1/drift", "/api/v1/jobs"]),
            ("user", user, ["/", "/machines", "/api/v1/machines", "/api/v1/requests", "/api/v1/jobs"]),
        ]:
            urls += [(who, p, cookie) for p in paths]
        peak = [0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kib(proc.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        rows = []
        for who, path, cookie in urls:
            _, one_ms, one_p99 = wrk(base + path, cookie, 1, 1)
            rate, _, p99 = wrk(base + path, cookie, 16, a.seconds)
            rows.append((who, path, one_ms, one_p99, rate, p99))
            print(f"{who:6} {path:40} {one_ms:7.2f} ms  {rate:9.0f} req/s", file=sys.stderr)
        done.set()
        sampler.join()
        ceiling = rows[0][4]
        print(f"\n10,000 machines, 1,000 users, 50,000 audit events, 300 pending requests; SQLite; wrk on loopback, "
              f"{a.seconds} s per loaded run, 16 connections; one client: wrk -c1 for 1 s.\n")
        print("| caller | URL | one client: mean / p99 | 16 connections | share of /healthz |")
        print("| --- | --- | --- | --- | --- |")
        for who, path, one_ms, one_p99, rate, p99 in rows:
            print(f"| {who} | `{path}` | {one_ms:.2f} / {one_p99:.2f} ms | {rate:,.0f} req/s (p99 {p99:.1f} ms) | {100 * rate / ceiling:.1f} % |")
        print(f"\nPortal RSS: {rss_kib(proc.pid) / 1024:.0f} MiB after the runs, {peak[0] / 1024:.0f} MiB at most during them "
              f"(peak as the kernel counts it, VmHWM: {rss_kib(proc.pid, 'VmHWM') / 1024:.0f} MiB).")
    finally:
        if proc:
            proc.terminate()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
