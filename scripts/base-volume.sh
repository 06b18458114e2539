#!/usr/bin/env bash
# Makes the Debian base image available as a volume of the storage pool, so templates can name it
# as their source. Prints the volume name as the last stdout line.
#
# The volume is a hard link to the cached image, named by the image's recipe hash: a rebuilt
# image gets a new name, so the overlays of existing machines never see their backing file change.
set -euo pipefail
here="$(dirname "$(readlink -f "$0")")"
source "$here/lib.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root"
"$here/libvirt-up.sh" >/dev/null
image=$(readlink -f "$("$here/build-base-image.sh" | tail -n1)")
hash=$(basename "$image" .qcow2)
hash=${hash#base-}
name="debian-12-$hash.qcow2"
target="$VMPORTAL_POOL_DIR/$name"
if [ ! -e "$target" ]; then
    ln "$image" "$target" 2>/dev/null || cp --reflink=auto "$image" "$target"
    chmod 0444 "$target"
fi
virsh -q -c "$LIBVIRT_URI" pool-refresh "$VMPORTAL_POOL" >/dev/null
echo "$name"
