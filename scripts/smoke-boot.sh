#!/usr/bin/env bash
# End-to-end check of the local VM stack, and a reference for the Rust tests:
# base image -> qcow2 overlay + NoCloud seed ISO in the vmportal pool ->
# libvirt domain (QEMU user networking, SSH forwarded to 127.0.0.1) -> boot ->
# password SSH login as "tester" -> qemu-guest-agent answers -> full cleanup.
#
# Env: VMPORTAL_CACHE_DIR, VMPORTAL_POOL, LIBVIRT_URI (see lib.sh),
#      SMOKE_BOOT_TIMEOUT (seconds until SSH must work, default 180 with
#      KVM, 300 with TCG), VMPORTAL_ACCEL (see libvirt-up.sh),
#      SMOKE_SSH_PORT (default: a free port in 20000-29999),
#      SMOKE_DISK_SIZE (overlay virtual size, default 3G; bigger than the
#      base so cloud-init's growpart is exercised),
#      SMOKE_VCPUS (default 1), SMOKE_KEEP_XML (path: also save the
#      domain XML there).
set -euo pipefail
here="$(dirname "$(readlink -f "$0")")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root"
DISK_SIZE="${SMOKE_DISK_SIZE:-3G}"
VCPUS="${SMOKE_VCPUS:-1}"
virsh_() { virsh -q -c "$LIBVIRT_URI" "$@"; }

t_all=$SECONDS
accel=$("$here/libvirt-up.sh" | tail -n1)
accel=${accel#accel=}
# TCG boots take about a minute here; leave room for a busy CI machine.
if [ "$accel" = kvm ]; then BOOT_TIMEOUT="${SMOKE_BOOT_TIMEOUT:-180}"; else BOOT_TIMEOUT="${SMOKE_BOOT_TIMEOUT:-300}"; fi
apt_install sshpass openssh-client genisoimage iproute2

t=$SECONDS
base=$("$here/build-base-image.sh" | tail -n1)
t_image=$((SECONDS - t))
[ -f "$base" ] || die "base image missing: $base"
# Use the hashed file, not the debian-12-base.qcow2 symlink: a rebuild moves
# the symlink, and an overlay must keep the exact backing it was made on.
base=$(readlink -f "$base")

# Unique names so parallel runs and leftovers of a killed run do not clash.
dom="vmportal-smoke-$$-$RANDOM"
disk_vol="$dom.qcow2"
seed_vol="$dom-seed.iso"
password="smoke-$RANDOM$RANDOM"
work=$(mktemp -d)
serial_log="/var/log/libvirt/qemu/$dom-serial.log"

cleanup() {
    local rc=$?
    set +e
    if [ "$rc" -ne 0 ] && [ -f "$serial_log" ]; then
        log "FAILED (rc=$rc); last serial console lines:"
        tail -n 40 "$serial_log" >&2
    fi
    # Only what this run created, each step tolerant of not existing.
    if virsh_ dominfo "$dom" >/dev/null 2>&1; then
        virsh_ destroy "$dom" >/dev/null 2>&1
        virsh_ undefine "$dom" >/dev/null 2>&1
    fi
    for v in "$disk_vol" "$seed_vol"; do
        virsh_ vol-info --pool "$VMPORTAL_POOL" "$v" >/dev/null 2>&1 \
            && virsh_ vol-delete --pool "$VMPORTAL_POOL" "$v" >/dev/null 2>&1
    done
    rm -rf "$work"
    rm -f "$serial_log"
    # libvirt's per-domain QEMU log is kept only when something went wrong.
    [ "$rc" -eq 0 ] && rm -f "/var/log/libvirt/qemu/$dom.log"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A loopback port nobody listens on; the window until QEMU binds it is small.
port="${SMOKE_SSH_PORT:-}"
if [ -z "$port" ]; then
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 10000))
        if [ -z "$(ss -Htln "sport = :$p")" ]; then port=$p; break; fi
    done
    [ -n "$port" ] || die "no free loopback port found"
fi

# Overlay in the pool on top of the cached base (copy-on-write, instant).
# Volume XML rather than `vol-create-as --backing-vol`: virsh resolves that
# option to a volume of some pool and fails for a file outside any pool; the
# API itself (virStorageVolCreateXML) takes any backing path. compat 1.1:
# libvirt otherwise writes the old qcow2 v2 (compat 0.10) format.
cat >"$work/volume.xml" <<EOF
<volume>
  <name>$disk_vol</name>
  <capacity unit='bytes'>$(numfmt --from=iec "$DISK_SIZE")</capacity>
  <target><format type='qcow2'/><compat>1.1</compat></target>
  <backingStore><path>$base</path><format type='qcow2'/></backingStore>
</volume>
EOF
virsh_ vol-create "$VMPORTAL_POOL" "$work/volume.xml" >/dev/null

# NoCloud seed: an ISO9660 volume labelled "cidata" with the three files.
cat >"$work/user-data" <<EOF
#cloud-config
users:
  - name: tester
    lock_passwd: false
    plain_text_passwd: "$password"
    shell: /bin/bash
    sudo: "ALL=(ALL) NOPASSWD:ALL"
ssh_pwauth: true
EOF
cat >"$work/meta-data" <<EOF
instance-id: $dom
local-hostname: $dom
EOF
# The image boots with net.ifnames=0, so the only NIC is eth0; the ENI
# renderer cloud-init uses here cannot match interfaces by pattern.
cat >"$work/network-config" <<'EOF'
version: 2
ethernets:
  eth0:
    dhcp4: true
EOF
genisoimage -quiet -output "$work/seed.iso" -volid cidata -joliet -rock \
    "$work/user-data" "$work/meta-data" "$work/network-config"
virsh_ vol-create-as "$VMPORTAL_POOL" "$seed_vol" "$(stat -c %s "$work/seed.iso")" --format raw >/dev/null
virsh_ vol-upload --pool "$VMPORTAL_POOL" "$seed_vol" "$work/seed.iso"

# No <cpu> element (QEMU's default model): host-passthrough makes QEMU 7.2
# abort under nested KVM here ("failed to set MSR 0x10a", arch-capabilities).
if [ "$accel" = kvm ]; then dom_type=kvm; else dom_type=qemu; fi
# Networking: libvirt 9.0 in bookworm rejects the passt backend, and a libvirt
# network would need a private-range bridge. QEMU user networking via
# qemu:commandline gives the guest a NIC whose only way in is a hostfwd on
# 127.0.0.1; restrict=on keeps the guest from reaching anything else (the
# forward still works). The explicit PCI slot avoids libvirt's own devices.
cat >"$work/domain.xml" <<EOF
<domain type='$dom_type' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>$dom</name>
  <memory unit='MiB'>1024</memory>
  <vcpu>$VCPUS</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features><acpi/><apic/></features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source pool='$VMPORTAL_POOL' volume='$disk_vol'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <!-- IDE, not SATA: Debian's cloud kernel has ata_piix but no ahci. -->
    <disk type='volume' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source pool='$VMPORTAL_POOL' volume='$seed_vol'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <serial type='pty'>
      <log file='$serial_log' append='off'/>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <graphics type='vnc' autoport='yes' listen='127.0.0.1'>
      <listen type='address' address='127.0.0.1'/>
    </graphics>
    <video><model type='vga'/></video>
    <memballoon model='virtio'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-netdev'/>
    <qemu:arg value='user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22'/>
    <qemu:arg value='-device'/>
    <qemu:arg value='virtio-net-pci,netdev=n0,bus=pci.0,addr=0x10'/>
  </qemu:commandline>
</domain>
EOF
[ -n "${SMOKE_KEEP_XML:-}" ] && cp "$work/domain.xml" "$SMOKE_KEEP_XML"

virsh_ define "$work/domain.xml" >/dev/null
t_start=$SECONDS
virsh_ start "$dom" >/dev/null
log "started $dom ($dom_type), ssh 127.0.0.1:$port, vnc $(virsh_ domdisplay "$dom" 2>/dev/null || echo '?')"

ssh_opts=(-p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
    -o LogLevel=ERROR -o ConnectTimeout=5 -o PreferredAuthentications=password
    -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1)
# Until sshd is up, QEMU's slirp accepts the TCP connection and closes it at
# once, so "connected" means nothing: only a full login counts.
out=""
deadline=$((t_start + BOOT_TIMEOUT))
# The remote command always exits 0 so that a cloud-init error is reported
# below instead of looking like a failed login.
until out=$(SSHPASS="$password" timeout 60 sshpass -e ssh "${ssh_opts[@]}" tester@127.0.0.1 \
        'hostname; cloud-init status --wait --long 2>&1; df -h / | tail -n1; true' 2>/dev/null); do
    [ "$SECONDS" -lt "$deadline" ] || die "no SSH login within ${BOOT_TIMEOUT}s"
    [ "$(virsh_ domstate "$dom")" = running ] || die "domain stopped: $(virsh_ domstate --reason "$dom")"
    sleep 2
done
t_ssh=$((SECONDS - t_start))
log "SSH login after ${t_ssh}s:"
printf '  %s\n' "${out//$'\n'/$'\n  '}" >&2
grep -qx "$dom" <<<"$out" || die "unexpected hostname (cloud-init meta-data not applied?)"
grep -q 'status: done' <<<"$out" || die "cloud-init did not finish cleanly"

# The agent starts when udev sees its virtio port; allow it a short while.
deadline=$((SECONDS + 30))
until agent=$(virsh_ qemu-agent-command "$dom" '{"execute":"guest-network-get-interfaces"}' 2>&1); do
    [ "$SECONDS" -lt "$deadline" ] || die "guest agent did not answer: $agent"
    sleep 1
done
grep -q '"name":"eth0"' <<<"$agent" || die "agent answer lacks eth0: $agent"
log "guest agent answers: $(grep -o '"ip-address":"[0-9.]*"' <<<"$agent" | tr '\n' ' ')"

echo "accel=$accel image_build_s=$t_image boot_to_ssh_s=$t_ssh total_s=$((SECONDS - t_all))"
