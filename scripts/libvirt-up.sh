#!/usr/bin/env bash
# Bring up a local libvirt/QEMU stack on a machine without systemd or D-Bus
# (the dev/CI VMs), plus the "vmportal" storage pool. Safe to run repeatedly:
# every step checks first and only acts when something is missing.
#
# Env: VMPORTAL_POOL_DIR (default /var/lib/vmportal/pool),
#      VMPORTAL_POOL (default vmportal), LIBVIRT_URI (default qemu:///system),
#      LIBVIRT_WAIT_SECS (default 30).
#      VMPORTAL_ACCEL (kvm|tcg: skip the accelerator guess).
# Prints "accel=kvm" or "accel=tcg" as the last stdout line.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$(readlink -f "$0")")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root (starts system daemons)"
# Parallel callers (test jobs) must not race to start a second daemon.
mkdir -p /var/run/libvirt
exec 9>/var/run/libvirt/vmportal-libvirt-up.lock
flock 9

# genisoimage builds the NoCloud seed ISOs; the rest is the libvirt/QEMU stack
# plus what the Rust libvirt bindings need to build (libvirt-dev, pkg-config).
apt_install libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients \
    qemu-system-x86 qemu-utils libvirt-dev pkg-config genisoimage

# Normally created by libvirt-daemon-system / systemd-tmpfiles, which we lack.
mkdir -p /var/log/libvirt /var/log/libvirt/qemu /var/run/libvirt /var/lib/libvirt/qemu

# The QEMU driver refuses to start without the user it runs guests as
# (Debian builds libvirt with qemu user/group libvirt-qemu).
getent group kvm >/dev/null || groupadd --system kvm
getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
if ! getent passwd libvirt-qemu >/dev/null; then
    useradd --system --gid libvirt-qemu --groups kvm --no-create-home \
        --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu
fi
# Guests run as libvirt-qemu, which reaches /dev/kvm through group kvm.
[[ " $(id -nG libvirt-qemu) " == *" kvm "* ]] || usermod -aG kvm libvirt-qemu
if [ -c /dev/kvm ]; then
    chgrp kvm /dev/kvm
    chmod 660 /dev/kvm
fi

# A daemon counts as running when its pid file names a live process of that
# name; a stale pid file (e.g. after a machine restore) is ignored.
running() { # name pidfile
    local pid
    [ -s "$2" ] || return 1
    pid=$(cat "$2")
    [ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = "$1" ]
}

# virtlogd must come first: libvirtd hands QEMU's stdout/stderr to it.
if running virtlogd /var/run/virtlogd.pid; then
    log "virtlogd already running (pid $(cat /var/run/virtlogd.pid))"
else
    log "starting virtlogd"
    virtlogd -d 9>&-   # the daemons must not inherit (and hold forever) our lock
fi
if running libvirtd /var/run/libvirtd.pid; then
    log "libvirtd already running (pid $(cat /var/run/libvirtd.pid))"
else
    # A stale socket from a dead daemon would make clients hang or fail oddly.
    rm -f /var/run/libvirt/libvirt-sock /var/run/libvirt/libvirt-sock-ro
    log "starting libvirtd"
    libvirtd -d 9>&-
fi

# Bounded wait: libvirtd daemonizes before its socket and drivers are ready.
wait_secs="${LIBVIRT_WAIT_SECS:-30}"
deadline=$((SECONDS + wait_secs))
until virsh -q -c "$LIBVIRT_URI" version >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "libvirtd did not answer on $LIBVIRT_URI within ${wait_secs}s (see /var/log/libvirt)"
    sleep 0.5
done
log "libvirtd answers: $(virsh -c "$LIBVIRT_URI" version 2>/dev/null | grep -i 'running hypervisor' || true)"

# Storage pool for overlays and seed ISOs. Each step is checked separately so
# a half-done earlier run (defined but not built/started) gets completed.
mkdir -p "$VMPORTAL_POOL_DIR"
if ! virsh -q -c "$LIBVIRT_URI" pool-info "$VMPORTAL_POOL" >/dev/null 2>&1; then
    log "defining pool $VMPORTAL_POOL at $VMPORTAL_POOL_DIR"
    virsh -q -c "$LIBVIRT_URI" pool-define-as "$VMPORTAL_POOL" dir --target "$VMPORTAL_POOL_DIR" >/dev/null
    virsh -q -c "$LIBVIRT_URI" pool-build "$VMPORTAL_POOL" >/dev/null
fi
pool_info=$(virsh -c "$LIBVIRT_URI" pool-info "$VMPORTAL_POOL")
if ! grep -Eq '^State:[[:space:]]+running' <<<"$pool_info"; then
    virsh -q -c "$LIBVIRT_URI" pool-start "$VMPORTAL_POOL" >/dev/null
fi
if ! grep -Eq '^Autostart:[[:space:]]+yes' <<<"$pool_info"; then
    virsh -q -c "$LIBVIRT_URI" pool-autostart "$VMPORTAL_POOL" >/dev/null
fi
# Pick up volumes created behind libvirt's back (e.g. by qemu-img).
virsh -q -c "$LIBVIRT_URI" pool-refresh "$VMPORTAL_POOL" >/dev/null
log "pool $VMPORTAL_POOL ready at $(virsh -c "$LIBVIRT_URI" pool-dumpxml "$VMPORTAL_POOL" | sed -n 's:.*<path>\(.*\)</path>.*:\1:p')"

# Accelerator: KVM only when libvirt offers it AND the host KVM is a hardware
# one (kvm_intel/kvm_amd). Some nested sandboxes expose /dev/kvm through
# kvm_pvm, a paravirtual KVM that only runs PVM-enabled guest kernels: there
# libvirt still reports <domain>kvm and SeaBIOS starts, but syslinux dies with
# "KVM internal error ... emulation failure" and a stock Debian kernel hangs
# silently. VMPORTAL_ACCEL=kvm|tcg overrides the guess.
# domcapabilities is captured first: `virsh | grep -q` under pipefail fails at
# random when grep exits early and virsh dies of SIGPIPE.
domcaps=$(virsh -c "$LIBVIRT_URI" domcapabilities 2>/dev/null || true)
accel="${VMPORTAL_ACCEL:-}"
if [ -n "$accel" ]; then
    log "accelerator forced by VMPORTAL_ACCEL=$accel"
elif ! grep -q '<domain>kvm</domain>' <<<"$domcaps"; then
    accel=tcg
    log "libvirt offers no KVM (no /dev/kvm or no access)"
elif [ ! -d /sys/module/kvm_intel ] && [ ! -d /sys/module/kvm_amd ]; then
    accel=tcg
    mods=(/sys/module/kvm*)
    log "/dev/kvm is not hardware KVM (modules: ${mods[*]##*/}); stock guest kernels cannot run on it"
else
    accel=kvm
fi
case "$accel" in
kvm) log "guests will use KVM: <domain type='kvm'>" ;;
tcg) log "guests will use TCG: <domain type='qemu'> (slower boots)" ;;
*) die "VMPORTAL_ACCEL must be kvm or tcg, not '$accel'" ;;
esac
echo "accel=$accel"
