#!/usr/bin/env python3
"""Provisioning benchmark (not a test): on this machine's libvirt, measures

  1. approve -> "running with an address" through the portal, for one machine;
  2. the same steps done directly (virsh vol-create with a backing store, a genisoimage seed,
     virsh define/start, polling the guest agent), so the portal's own share is the difference;
  3. ten machines approved at once, with the engine's configured concurrency.

Run as root after scripts/libvirt-up.sh: `python3 bench/provision.py [--workers 4] [--count 10]`.
Prints a Markdown table for the README. Everything it creates is deleted at the end.
"""
import argparse, http.cookiejar, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.request

import portal
from portal import wait

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
URI = "qemu:///system"


def sh(*args, check=True):
    r = subprocess.run(args, capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"{' '.join(args)}: {r.stderr}")
    return r.stdout


def virsh(*args, check=True):
    return sh("virsh", "-q", "-c", URI, *args, check=check)


class Api:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method, headers={"content-type": "application/json"})
        try:
            with self.opener.open(req) as r:
                text = r.read().decode()
                return r.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode() or "null")


def start_portal(tmp, workers):
    cfg = portal.config(tmp, f"""
[engine]\nworkers = {workers}\npoll_millis = 100\nguest_prefix = "bench"\n
[[providers]]\nname = "local"\nkind = "libvirt"\nuri = "{URI}"\npool = "vmportal"\nboot_wait_secs = 600
network = {{ mode = "user_forward", first_port = 24000, last_port = 24099 }}\n""")
    proc, addr, password = portal.serve(tmp, cfg)
    admin = Api(f"http://{addr}")
    admin.call("POST", "/api/v1/login", {"username": "admin", "password": password})
    # A generated password must be changed at the first sign-in.
    admin.call("POST", "/api/v1/me/password", {"current_password": password, "new_password": "the bench's own password"})
    return proc, admin


def machine_running(api, mid):
    _, m = api.call("GET", f"/api/v1/machines/{mid}")
    if m["state"] == "failed":
        sys.exit(f"machine {mid} failed: {m['last_error']}")
    return m["state"] == "running" and m["address"] and m


def through_portal(api, template, names):
    ids = []
    for n in names:
        _, r = api.call("POST", "/api/v1/requests", {"template_id": template, "name": n, "cpus": 1, "memory_mib": 768, "disk_gib": 3, "purpose": "benchmark"})
        ids.append(r["id"])
    start = time.monotonic()
    approve_ms = []
    machines = []
    for rid in ids:
        t = time.monotonic()
        s, a = api.call("POST", f"/api/v1/requests/{rid}/approve")
        approve_ms.append((time.monotonic() - t) * 1000)
        machines.append(a["machine_id"])
    for mid in machines:
        wait(lambda: machine_running(api, mid), 1200, f"machine {mid}")
    return time.monotonic() - start, machines, max(approve_ms)


def directly(volume, tmp):
    """The provisioning steps by hand, as an administrator would script them."""
    name = "bench-direct"
    pool_path = virsh("pool-dumpxml", "vmportal")
    base = re.search(r"<path>(.*?)</path>", pool_path).group(1) + "/" + volume
    start = time.monotonic()
    vol = f"<volume><name>{name}.qcow2</name><capacity unit='G'>3</capacity><target><format type='qcow2'/></target><backingStore><path>{base}</path><format type='qcow2'/></backingStore></volume>"
    with open(os.path.join(tmp, "vol.xml"), "w") as f:
        f.write(vol)
    virsh("vol-create", "vmportal", os.path.join(tmp, "vol.xml"))
    seed = os.path.join(tmp, "seed")
    os.makedirs(seed)
    with open(os.path.join(seed, "user-data"), "w") as f:
        f.write("#cloud-config\nusers:\n  - name: bench\n    plain_text_passwd: Bench1234bench\n    lock_passwd: false\nssh_pwauth: true\n")
    with open(os.path.join(seed, "meta-data"), "w") as f:
        f.write(f"instance-id: {name}\nlocal-hostname: {name}\n")
    with open(os.path.join(seed, "network-config"), "w") as f:
        f.write("version: 2\nethernets:\n  eth0:\n    dhcp4: true\n")
    iso = os.path.join(tmp, "seed.iso")
    sh("genisoimage", "-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock", *[os.path.join(seed, n) for n in ("user-data", "meta-data", "network-config")])
    virsh("vol-create-as", "vmportal", f"{name}-seed.iso", str(os.path.getsize(iso)), "--format", "raw")
    virsh("vol-upload", "--pool", "vmportal", f"{name}-seed.iso", iso)
    dom_type = "kvm" if os.path.exists("/sys/module/kvm_intel") or os.path.exists("/sys/module/kvm_amd") else "qemu"
    xml = f"""<domain type='{dom_type}' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><name>{name}</name><memory unit='MiB'>768</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><features><acpi/><apic/></features>
<devices><disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='vmportal' volume='{name}.qcow2'/><target dev='vda' bus='virtio'/></disk>
<disk type='volume' device='cdrom'><driver name='qemu' type='raw'/><source pool='vmportal' volume='{name}-seed.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel><graphics type='vnc' autoport='yes' listen='127.0.0.1'/></devices>
<qemu:commandline><qemu:arg value='-netdev'/><qemu:arg value='user,id=n0,restrict=on'/><qemu:arg value='-device'/><qemu:arg value='virtio-net-pci,netdev=n0,bus=pci.0,addr=0x10'/></qemu:commandline></domain>"""
    with open(os.path.join(tmp, "dom.xml"), "w") as f:
        f.write(xml)
    virsh("define", os.path.join(tmp, "dom.xml"))
    virsh("start", name)
    wait(lambda: "10.0.2" in virsh("domifaddr", name, "--source", "agent", check=False), 600, "the direct guest's address")
    took = time.monotonic() - start
    virsh("destroy", name)
    virsh("undefine", name)
    virsh("vol-delete", "--pool", "vmportal", f"{name}.qcow2")
    virsh("vol-delete", "--pool", "vmportal", f"{name}-seed.iso")
    return took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--count", type=int, default=10)
    args = ap.parse_args()
    sh(os.path.join(ROOT, "scripts/libvirt-up.sh"))
    volume = sh(os.path.join(ROOT, "scripts/base-volume.sh")).strip().splitlines()[-1]
    sh("cargo", "build", "--release", "-q", "-p", "vmportal")
    tmp = tempfile.mkdtemp()
    proc, api = start_portal(tmp, args.workers)
    try:
        _, t = api.call("POST", "/api/v1/templates", {"name": "Debian 12", "provider": "local", "kind": "vm", "os_family": "linux", "source": volume,
                                                     "default_cpus": 1, "default_memory_mib": 768, "default_disk_gib": 3, "max_cpus": 2, "max_memory_mib": 2048, "max_disk_gib": 10})
        api.call("PATCH", "/api/v1/users/1", {"quota": {"machines": 100, "cpus": 100, "memory_mib": 1000000, "disk_gib": 10000}})
        one, first, approve_ms = through_portal(api, t["id"], ["one"])
        direct = directly(volume, tmp)
        many, rest, _ = through_portal(api, t["id"], [f"m{i}" for i in range(args.count)])
        for mid in first + rest:
            api.call("DELETE", f"/api/v1/machines/{mid}")
        for mid in first + rest:
            wait(lambda: api.call("GET", f"/api/v1/machines/{mid}")[1]["state"] == "deleted", 300, "deletion")
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    accel = "KVM" if os.path.exists("/sys/module/kvm_intel") or os.path.exists("/sys/module/kvm_amd") else "TCG"
    print(f"| measure ({accel}, {os.cpu_count()} cores) | seconds |\n| --- | --- |")
    print(f"| approve answered (HTTP) | {approve_ms / 1000:.3f} |")
    print(f"| approve -> running with an address, through the portal | {one:.1f} |")
    print(f"| the same steps by hand (virsh, genisoimage) | {direct:.1f} |")
    print(f"| portal's own share | {one - direct:.1f} |")
    print(f"| {args.count} machines approved at once, {args.workers} workers | {many:.1f} |")


if __name__ == "__main__":
    main()
