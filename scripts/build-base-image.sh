#!/usr/bin/env bash
# Build a small bootable Debian 12 (bookworm) qcow2 base image for test VMs:
# cloud kernel, cloud-init (NoCloud), openssh-server, qemu-guest-agent,
# extlinux on an MBR disk, serial console on ttyS0, NIC named eth0.
#
# The result is cached by a sha256 of the recipe (this script, lib.sh and the
# inputs below), so CI builds it once per machine:
#   $VMPORTAL_CACHE_DIR/base-<hash>.qcow2        the image (never in the repo)
#   $VMPORTAL_CACHE_DIR/debian-12-base.qcow2     stable symlink to it
# The last stdout line is the hashed image path. Overlays should use that
# real path as backing file, not the symlink, which moves on a rebuild.
#
# Env: VMPORTAL_CACHE_DIR (default /var/cache/vmportal),
#      VMPORTAL_IMAGE_SIZE (virtual disk size, default 2G),
#      VMPORTAL_EXTRA_PACKAGES (space-separated, default empty).
set -euo pipefail
here="$(dirname "$(readlink -f "$0")")"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root (loop devices, mounts, chroot)"

SUITE=bookworm
IMAGE_SIZE="${VMPORTAL_IMAGE_SIZE:-2G}"
EXTRA_PACKAGES="${VMPORTAL_EXTRA_PACKAGES:-}"
# Installed with apt-get inside the chroot rather than debootstrap --include,
# whose dependency resolution misses packages (e.g. python3-cffi-backend).
PACKAGES=(linux-image-cloud-amd64 systemd-sysv udev kmod openssh-server cloud-init
    qemu-guest-agent cloud-guest-utils fdisk e2fsprogs ifupdown isc-dhcp-client
    iproute2 netbase sudo python3-cffi-backend)
read -r -a extra <<<"$EXTRA_PACKAGES"
PACKAGES+=("${extra[@]}")

# The mirror is not part of the hash: any mirror serving bookworm gives an
# equivalent image, and CI machines differ only in where they fetch from.
recipe_hash=$( { cat "$0" "$here/lib.sh"; printf '%s\n' "$SUITE" "$IMAGE_SIZE" "${PACKAGES[*]}"; } \
    | sha256sum | cut -c1-16)
mkdir -p "$VMPORTAL_CACHE_DIR"
out="$VMPORTAL_CACHE_DIR/base-$recipe_hash.qcow2"
link="$VMPORTAL_CACHE_DIR/debian-12-base.qcow2"

point_link() { # atomic symlink swap, so readers never see it missing
    ln -sfn "$(basename "$out")" "$link.tmp.$$"
    mv -Tf "$link.tmp.$$" "$link"
}

if [ -f "$out" ]; then
    point_link
    echo "$out"
    exit 0
fi

# Serialise concurrent builds (parallel test jobs): the second waits, then
# finds the finished image.
exec 9>"$VMPORTAL_CACHE_DIR/.build.lock"
flock 9
if [ -f "$out" ]; then
    point_link
    echo "$out"
    exit 0
fi

apt_install debootstrap qemu-utils extlinux syslinux-common fdisk e2fsprogs util-linux
mirror=$(debian_mirror) || die "no Debian archive found in /etc/apt/sources.list{,.d/*}"

t0=$SECONDS
work=$(mktemp -d "$VMPORTAL_CACHE_DIR/build.XXXXXX")
root="$work/root"
raw="$work/disk.raw"
buildlog="$VMPORTAL_CACHE_DIR/build-$recipe_hash.log"
loopdev=""

cleanup() {
    local rc=$?
    # Reverse order of setup; lazy unmount as a last resort so a busy mount
    # never leaves the loop device (and the host's /dev) pinned.
    if mountpoint -q "$root" 2>/dev/null || grep -q " $root" /proc/mounts; then
        umount -R "$root" 2>/dev/null || umount -R -l "$root" 2>/dev/null || true
    fi
    if [ -n "$loopdev" ]; then
        losetup -d "$loopdev" 2>/dev/null || true
    fi
    rm -rf "$work"
    if [ "$rc" -ne 0 ]; then
        log "build failed (rc=$rc); last lines of $buildlog:"
        tail -n 30 "$buildlog" >&2 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building $out from $mirror (log: $buildlog)"
: >"$buildlog"

# Raw disk with one bootable primary partition at 1 MiB (MBR, for extlinux).
truncate -s "$IMAGE_SIZE" "$raw"
echo 'start=2048, type=83, bootable' | sfdisk -q "$raw" >>"$buildlog" 2>&1
part_start=$((2048 * 512))
disk_bytes=$(stat -c %s "$raw")
# Loop device over the partition alone (offset/sizelimit): no partition
# device nodes needed, which udev-less machines would not create.
loopdev=$(losetup --find --show --offset "$part_start" \
    --sizelimit $((disk_bytes - part_start)) "$raw")
# syslinux 6.04 cannot read ext4 with 64bit; orphan_file (e2fsprogs 1.47)
# is also left off so older tools can fsck/mount the image.
mkfs.ext4 -q -L vmroot -O ^64bit,^metadata_csum_seed,^orphan_file "$loopdev" >>"$buildlog" 2>&1 \
    || mkfs.ext4 -q -L vmroot -O ^64bit "$loopdev" >>"$buildlog" 2>&1
uuid=$(blkid -s UUID -o value "$loopdev")
mkdir -p "$root"
mount "$loopdev" "$root"

log "debootstrap $SUITE (minbase)"
debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >>"$buildlog" 2>&1

# Keep packages from starting daemons inside the chroot (sshd would bind the
# host's port 22); removed again before the image is sealed.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
# Keep docs/man pages out of the image; copyright files stay (Debian policy).
cat >"$root/etc/dpkg/dpkg.cfg.d/01-vmportal-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
EOF
# initramfs keeps MODULES=most: MODULES=dep would inspect the build host's
# root (a loop device), not the guest's virtio disk.
echo "UUID=$uuid / ext4 errors=remount-ro 0 1" >"$root/etc/fstab"

# A private, minimal /dev: bind-mounting the host's /dev let package scripts
# in the chroot re-own host nodes (/dev/kvm ended up in the chroot's kvm gid,
# which is ssl-cert on the host, and libvirt lost KVM). sysfs read-only for
# the same reason.
mount -t proc proc "$root/proc"
mount -t sysfs -o ro sysfs "$root/sys"
mount -t tmpfs -o mode=755,size=4m vmportal-dev "$root/dev"
for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r name maj min <<<"$n"
    mknod -m 666 "$root/dev/$name" c "$maj" "$min"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"

log "installing packages in chroot"
chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 \
    apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >>"$buildlog" 2>&1

log "configuring guest"
echo debian >"$root/etc/hostname"
# NoCloud only: a seed ISO labelled cidata. "None" lets the boot finish
# without a seed instead of probing cloud metadata addresses.
cat >"$root/etc/cloud/cloud.cfg.d/90_vmportal.cfg" <<'EOF'
datasource_list: [ NoCloud, None ]
# Debian's default en_US.UTF-8 is not generated in a minbase system and makes
# the locale module fail (cloud-init status: error); C.UTF-8 is built in.
locale: C.UTF-8
EOF
# cloud-init renders network-config as ifupdown (ENI); make sure interfaces.d
# is sourced and nothing else configures eth0.
cat >"$root/etc/network/interfaces" <<'EOF'
# Managed by cloud-init (interfaces.d/50-cloud-init).
auto lo
iface lo inet loopback
source /etc/network/interfaces.d/*
EOF
mkdir -p "$root/etc/network/interfaces.d"
# Host keys must differ per VM: drop the build's keys; cloud-init makes new
# ones, and the drop-in is a fallback if cloud-init did not run.
rm -f "$root"/etc/ssh/ssh_host_*
mkdir -p "$root/etc/systemd/system/ssh.service.d"
cat >"$root/etc/systemd/system/ssh.service.d/vmportal-hostkeys.conf" <<'EOF'
[Service]
ExecStartPre=/usr/bin/ssh-keygen -A
EOF
# Password login is governed by cloud-init's ssh_pwauth (it writes
# sshd_config); nothing in the image forces it either way.
# Each clone must get its own machine-id (and so its own DHCP client id).
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"

# extlinux reads its config from the ext4 root; kernel and initrd are
# referenced by their real names (syslinux does not need symlink support).
kernels=("$root"/boot/vmlinuz-*)
if [ "${#kernels[@]}" -ne 1 ] || [ ! -f "${kernels[0]}" ]; then
    die "expected one kernel, got: ${kernels[*]}"
fi
kver=${kernels[0]##*/vmlinuz-}
mkdir -p "$root/boot/extlinux"
cat >"$root/boot/extlinux/extlinux.conf" <<EOF
DEFAULT debian
TIMEOUT 1
PROMPT 0
SERIAL 0 115200
LABEL debian
    LINUX /boot/vmlinuz-$kver
    INITRD /boot/initrd.img-$kver
    APPEND root=UUID=$uuid ro console=tty0 console=ttyS0,115200n8 net.ifnames=0 biosdevname=0
EOF
extlinux --install "$root/boot/extlinux" >>"$buildlog" 2>&1
# MBR boot code that chain-loads the active partition's extlinux VBR.
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$raw" bs=440 count=1 conv=notrunc status=none

log "shrinking"
rm -f "$root/usr/sbin/policy-rc.d"
chroot "$root" apt-get clean >>"$buildlog" 2>&1
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
    "$root"/var/lib/cloud/* "$root"/tmp/* "$root"/var/tmp/*
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/*
find "$root/var/log" -type f -delete
# The build host's resolver means nothing to a guest; dhclient writes its own.
rm -f "$root/etc/resolv.conf"

umount -R "$root"
# Hand freed blocks back as holes so the qcow2 stays small.
e2fsck -f -y "$loopdev" >>"$buildlog" 2>&1 || [ $? -le 1 ]
mount "$loopdev" "$root"
fstrim "$root" >>"$buildlog" 2>&1 || true
umount "$root"
losetup -d "$loopdev"
loopdev=""

log "converting to qcow2"
qemu-img convert -O qcow2 -c "$raw" "$out.tmp"
# Read-only: it is shared by every overlay. libvirt's DAC driver chowns the
# whole backing chain to libvirt-qemu when a guest starts (and leaves it so);
# the mode keeps even that user from writing to it.
chmod 0444 "$out.tmp"
mv -f "$out.tmp" "$out"
point_link
log "done in $((SECONDS - t0))s: $(du -h "$out" | cut -f1) on disk, virtual $IMAGE_SIZE, kernel $kver"
echo "$out"
