"""Starting a portal for a benchmark: its own database, secret key and log in a temporary
directory, on a free loopback port. Shared by the benchmark scripts beside it."""
import os, re, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, "target/release/vmportal")


def wait(pred, limit, what, every=0.1):
    """`pred()`'s first true value, asked every `every` seconds for at most `limit` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < limit:
        v = pred()
        if v:
            return v
        time.sleep(every)
    sys.exit(f"timed out waiting for {what}")


def config(tmp, extra=""):
    """A config file in `tmp` with the database and key there, then `extra` (TOML)."""
    path = os.path.join(tmp, "portal.toml")
    with open(path, "w") as f:
        f.write(f'[database]\nurl = "sqlite://{tmp}/portal.db"\n[secrets]\nkey_file = "{tmp}/secret.key"\n{extra}')
    return path


def serve(tmp, cfg, binary=RELEASE, env=None):
    """Starts `vmportal serve`; returns the process, its address and, when this start made the
    first administrator, that account's generated password (else None)."""
    log = open(os.path.join(tmp, "portal.log"), "w+")
    proc = subprocess.Popen([os.path.abspath(binary), "serve", "--config", cfg, "--listen", "127.0.0.1:0"],
                            cwd=tmp, stdout=log, stderr=log, env=env)

    def listening():
        log.seek(0)
        text = log.read()
        if proc.poll() is not None:
            sys.exit("the portal stopped: " + text[-2000:])
        addr = re.search(r"addr=(\S+)", text)
        if not addr:
            return None
        # The first administrator is announced before the address, when this start made one.
        made = re.search(r"created user 'admin'.* path=(\S+)", text)
        return addr.group(1), made and made.group(1)

    addr, path = wait(listening, 30, "the portal to listen")
    password = None
    if path:
        with open(os.path.join(tmp, path)) as f:
            password = f.read().strip()
    return proc, addr, password
