#!/usr/bin/env python3
"""Console relay benchmark (not a test): the portal's websocket-to-VNC relay against websockify,
with raw TCP on loopback as the limit and a plain TCP forwarder as the floor of any relay, all
measured in one run by the same client.

  - websockify: the latest release from PyPI, installed into bench/.venv (not committed), run as
    the old project ran it: one `websockify PORT HOST:VNCPORT` process per machine, default options.
  - vmportal: the real `vmportal_web` app (bench/console-relay/src/bin/console_portal.rs), release
    build, with its machines' consoles on the bench's guest server.
  - TCP forwarder: bench/console-relay/src/bin/tcp_forward.rs, bytes both ways and nothing else.
  - console-load (bench/console-relay/src/main.rs): the guest server (a stand-in VNC server) and a
    lean websocket client; it measures and prints JSON, from which this script prints the table.

Run from anywhere: `python3 bench/console.py [--seconds 5] [--consoles 50]`. No root needed.
"""
import argparse, json, os, platform, re, socket, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "bench", ".venv")


def sh(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


def websockify():
    """The latest websockify in bench/.venv; its executable and version."""
    if not os.path.exists(os.path.join(VENV, "bin", "pip")):
        sh(sys.executable, "-m", "venv", VENV)
    sh(os.path.join(VENV, "bin", "pip"), "install", "--quiet", "--upgrade", "websockify")
    version = sh(os.path.join(VENV, "bin", "python"), "-c",
                 "import importlib.metadata as m; print(m.version('websockify'))").strip()
    return os.path.join(VENV, "bin", "websockify"), version


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_range(n):
    """The first of n consecutive free loopback ports."""
    for base in range(20000, 60000, n):
        try:
            socks = []
            for p in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    sys.exit("no free port range")


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def start_websockify(exe, first, n, guest, log):
    """One process per machine; returns them and the seconds until all listened."""
    started = time.monotonic()
    procs = [subprocess.Popen([exe, f"127.0.0.1:{first + i}", f"127.0.0.1:{guest}"],
                              stdout=log, stderr=log) for i in range(n)]
    for i in range(n):
        while not listening(first + i):
            if procs[i].poll() is not None:
                sys.exit(f"websockify on {first + i} exited; see {log.name}")
            time.sleep(0.02)
    return procs, time.monotonic() - started


def start_forwarder(guest):
    exe = os.path.join(ROOT, "target", "release", "tcp-forward")
    proc = subprocess.Popen([exe, "--guest-port", str(guest)], stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def start_portal(guest, n, log):
    exe = os.path.join(ROOT, "target", "release", "console-portal")
    proc = subprocess.Popen([exe, "--guest-port", str(guest), "--machines", str(n)],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    line = proc.stdout.readline()
    if not line:
        sys.exit(f"console-portal did not start; see {log.name}")
    return proc, line.strip()


def machine():
    cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
    mem = int(re.search(r"MemTotal:\s*(\d+)", open("/proc/meminfo").read()).group(1)) // 1024**2
    return (f"{cpu.group(1) if cpu else platform.machine()}, {os.cpu_count()} cores, {mem} GiB, "
            f"Linux {platform.release()}, Python {platform.python_version()}, "
            f"{sh('rustc', '--version').strip()}")


def median(runs):
    """Each figure's median over the runs (same shape as one run)."""
    if isinstance(runs[0], dict):
        return {k: median([r[k] for r in runs]) for k in runs[0]}
    return statistics.median(runs)


def table(r, ws_version, ws_start, n, slow_mib):
    raw, fwd, wsf, vmp = r["raw TCP"], r["TCP forwarder"], r["websockify"], r["vmportal"]
    rows = []

    def verdict(ok):
        return "met" if ok else "**missed**"

    def row(label, cells, target="", ok=None):
        cells = ["—" if c is None else c for c in cells]
        rows.append(f"| {label} | {' | '.join(cells)} | {target} | {'' if ok is None else verdict(ok)} |")

    def each(fmt, get, relays_only=False):
        return [None if relays_only and t is raw else fmt(get(t)) for t in (raw, fwd, wsf, vmp)]

    mbs, kib = (lambda v: f"{v:,.0f}"), (lambda v: f"{v:,.0f}")
    cpu = lambda v: f"{v:.2f}"
    down = lambda t: t["down"]["mb_per_s"]
    ok = down(vmp) >= 0.8 * down(raw) and down(vmp) >= 2 * down(wsf)
    row("guest → client, MB/s", each(mbs, down),
        f"≥ 80 % of raw and ≥ 2× websockify: {down(vmp) / down(raw):.0%}, {down(vmp) / down(wsf):.1f}×", ok)
    row("guest → client, average message, KiB", each(kib, lambda t: t["down"]["mb_per_s"] * 1e6 / t["down"]["messages_per_s"] / 1024, True))
    row("guest → client, relay CPU per GB, s", each(cpu, lambda t: t["down"]["relay_cpu_s_per_gb"], True))
    up = lambda t: t["up"]["mb_per_s"]
    row("client → guest, 64 KiB messages, MB/s", each(mbs, up),
        f"≥ 5× websockify: {up(vmp) / up(wsf):.1f}×", up(vmp) >= 5 * up(wsf))
    row("client → guest, relay CPU per GB, s", each(cpu, lambda t: t["up"]["relay_cpu_s_per_gb"], True))
    ev = lambda t: t["events"]["messages_per_s"]
    row("client → guest, 10-byte input events echoed in bursts of 100, thousands/s",
        each(lambda v: f"{v / 1000:,.0f}", ev), f"≥ 5× websockify: {ev(vmp) / ev(wsf):.1f}×", ev(vmp) >= 5 * ev(wsf))
    lat = lambda t: f"{t['latency']['p50_us']:,.0f} / {t['latency']['p99_us']:,.0f}"
    row("round trip of an 8-byte message, p50 / p99, µs", [lat(t) for t in (raw, fwd, wsf, vmp)])
    added = lambda t, q: t["latency"][q] - raw["latency"][q]
    row("added round trip over raw TCP, p50 / p99, µs",
        each(lambda t: f"{added(t, 'p50_us'):,.0f} / {added(t, 'p99_us'):,.0f}", lambda t: t, True),
        f"p99 ≤ 1/5 of websockify's: {added(vmp, 'p99_us') / added(wsf, 'p99_us'):.2f}",
        added(vmp, "p99_us") * 5 <= added(wsf, "p99_us"))
    many = lambda k: lambda t: t["many"][k]
    row(f"{n} consoles opened at once (vmportal: ticket, then upgrade), s", each(lambda v: f"{v:.2f}", many("open_s")))
    row(f"then a 3 MiB framebuffer to each of the {n}, s", each(lambda v: f"{v:.2f}", many("update_s")))
    pss = lambda t: f"{t['many']['pss_before_mib']:,.1f} / {t['many']['pss_open_mib']:,.1f}"
    mem = lambda t: t["many"]["pss_open_mib"]
    row(f"memory (PSS of the process tree) before / with the {n} open, MiB", each(lambda t: pss(t), lambda t: t, True),
        f"≤ 1/5 of websockify's: {mem(vmp) / mem(wsf):.2f}", mem(vmp) * 5 <= mem(wsf))
    row(f"slow reader: what the guest got rid of in 10 s (of {slow_mib} MiB), MiB",
        each(lambda v: f"{v:,.1f}", lambda t: t["slow"]["guest_pushed_mib"]))
    growth = lambda t: t["slow"]["pss_peak_mib"] - t["slow"]["pss_before_mib"]
    row("slow reader: relay memory growth (peak PSS − before), MiB", each(lambda v: f"{v:,.1f}", growth, True),
        "bounded: < 16 MiB", growth(vmp) < 16)
    row(f"starting the {n} websockify processes until all listen, s", [None, None, f"{ws_start:.2f}", None])
    head = (f"| measure | raw TCP | TCP forwarder | websockify {ws_version} | vmportal | target (vmportal) | |\n"
            "| --- | --- | --- | --- | --- | --- | --- |")
    return head + "\n" + "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=5, help="length of each throughput run")
    ap.add_argument("--consoles", type=int, default=50)
    ap.add_argument("--round-trips", type=int, default=10000)
    ap.add_argument("--slow-mib", type=int, default=200, help="what the guest pushes to the slow reader")
    ap.add_argument("--repeat", type=int, default=3, help="runs of every measurement; the table shows medians")
    ap.add_argument("--json", help="also write the raw figures here")
    a = ap.parse_args()

    exe, ws_version = websockify()
    subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "console-relay-bench"], cwd=ROOT, check=True)
    guest, first = free_port(), free_range(a.consoles)
    logdir = os.path.join(ROOT, "target", "bench-console")
    os.makedirs(logdir, exist_ok=True)
    procs = []
    try:
        with open(os.path.join(logdir, "websockify.log"), "w") as wlog, \
                open(os.path.join(logdir, "portal.log"), "w") as plog:
            ws_procs, ws_start = start_websockify(exe, first, a.consoles, guest, wlog)
            procs += ws_procs
            portal, ready = start_portal(guest, a.consoles, plog)
            procs.append(portal)
            forwarder, forward_port = start_forwarder(guest)
            procs.append(forwarder)
            load = [os.path.join(ROOT, "target", "release", "console-load"), "--guest-port", str(guest), "--raw",
                    "--forward-port", str(forward_port), "--forward-pid", str(forwarder.pid),
                    "--websockify-port", str(first), "--websockify-pids", ",".join(str(p.pid) for p in ws_procs),
                    "--portal", ready, "--portal-pid", str(portal.pid), "--seconds", str(a.seconds),
                    "--consoles", str(a.consoles), "--round-trips", str(a.round_trips), "--slow-mib", str(a.slow_mib)]
            # Each run measures the three one after the other, so that a busy moment of the
            # machine hits all three alike; medians over the runs smooth the rest.
            runs = [json.loads(subprocess.run(load, check=True, stdout=subprocess.PIPE, text=True).stdout)
                    for _ in range(a.repeat)]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(runs, f, indent=1)
    print(f"Machine: {machine()}; medians of {a.repeat} runs\n")
    print(table(median(runs), ws_version, ws_start, a.consoles, a.slow_mib))


if __name__ == "__main__":
    main()
