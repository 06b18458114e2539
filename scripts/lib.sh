# shellcheck shell=bash
# Helpers shared by the vmportal scripts. Sourced, never executed.
# Kept free of side effects at source time so any script can include it.

VMPORTAL_CACHE_DIR="${VMPORTAL_CACHE_DIR:-/var/cache/vmportal}"
VMPORTAL_POOL_DIR="${VMPORTAL_POOL_DIR:-/var/lib/vmportal/pool}"
VMPORTAL_POOL="${VMPORTAL_POOL:-vmportal}"
LIBVIRT_URI="${LIBVIRT_URI:-qemu:///system}"

# Diagnostics go to stderr so that stdout stays machine-readable
# (build-base-image.sh promises the image path as the last stdout line).
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Install only the Debian packages that are missing; `apt-get update` runs at
# most once per script invocation and only when something must be installed,
# so repeated runs on a prepared machine cost nothing and need no network.
_VMP_APT_UPDATED=0
_missing_pkgs() {
    local p
    for p in "$@"; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = 'install ok installed' ] \
            || printf '%s\n' "$p"
    done
}
apt_install() {
    local missing
    export DEBIAN_FRONTEND=noninteractive
    # Two rounds: installing one package can remove another of the list (seen
    # here: qemu-system-x86 7.2 replaced a preinstalled backports qemu-utils
    # 10.0 by removing it), so check again after the first install.
    for _ in 1 2; do
        mapfile -t missing < <(_missing_pkgs "$@")
        [ "${#missing[@]}" -eq 0 ] && return 0
        log "installing: ${missing[*]}"
        if [ "$_VMP_APT_UPDATED" -eq 0 ]; then
            apt-get update -qq >&2
            _VMP_APT_UPDATED=1
        fi
        # --no-install-recommends: libvirt's recommends would pull in the
        # "default" NAT network (a 192.168.122.0/24 bridge), which we must not create.
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    done
    mapfile -t missing < <(_missing_pkgs "$@")
    [ "${#missing[@]}" -eq 0 ] || die "packages still missing after install: ${missing[*]}"
}

# Runs "$@" with service starts forbidden (a policy-rc.d that answers 101): packages such as
# nginx start a system server from their postinst otherwise, and the tests start private ones.
# A policy the machine already has is left as it is.
without_service_starts() {
    local policy=/usr/sbin/policy-rc.d rc=0
    if [ -e "$policy" ]; then
        "$@"
        return
    fi
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    "$@" || rc=$?
    rm -f "$policy"
    return "$rc"
}

# First Debian archive URI of the machine's enabled apt sources (one-line
# *.list and deb822 *.sources). Mirrors are never hard-coded: CI machines may
# point at a local proxy or a snapshot. Security/updates archives are skipped
# because debootstrap needs the main archive carrying dists/<suite>.
debian_mirror() {
    local f files=() uri="" etc="${VMPORTAL_APT_ETC:-/etc/apt}"  # override: tests
    [ -f "$etc/sources.list" ] && files+=("$etc/sources.list")
    for f in "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
        [ -f "$f" ] && files+=("$f")
    done
    for f in "${files[@]}"; do
        case "$f" in
        *.sources)
            # deb822: stanzas separated by blank lines; pick a "Types: deb"
            # stanza whose Suites include a plain codename (no -security etc.).
            uri=$(awk '
                function flush() {
                    if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" && uris != "" && plain)
                        { split(uris, u, /[ \t]+/); print u[1]; found=1; exit }
                    types=""; uris=""; plain=0; enabled=""
                }
                /^[ \t]*#/ { next }
                /^[ \t]*$/ { flush(); next }
                tolower($1) == "types:"   { $1=""; types=$0 }
                tolower($1) == "uris:"    { $1=""; sub(/^[ \t]+/, ""); uris=$0 }
                tolower($1) == "enabled:" { enabled=tolower($2) }
                tolower($1) == "suites:"  { for (i=2;i<=NF;i++) if ($i !~ /-/) plain=1 }
                END { if (!found) flush() }' "$f")
            ;;
        *)
            # one-line: "deb [opts] URI suite comp..."; options may contain spaces
            # only inside the brackets, so strip them first.
            uri=$(sed -E -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" \
                | awk '$1 == "deb" && $3 !~ /-/ { print $2; exit }')
            ;;
        esac
        # Only a Debian archive will do (third-party repos also live there).
        if [ -n "$uri" ] && { [[ "$uri" == */debian ]] || [[ "$uri" == */debian/ ]] \
            || apt_lists_have_bookworm "$uri"; }; then
            printf '%s\n' "${uri%/}"
            return 0
        fi
        uri=""
    done
    return 1
}

# Fallback test for mirrors not ending in /debian (e.g. an apt proxy path):
# apt must already hold a bookworm Release file from it. Reads only the
# package lists apt already downloaded, so no extra traffic.
apt_lists_have_bookworm() {
    local host
    host=$(printf '%s' "$1" | sed -E 's#^[a-z]+://##; s#/+$##; s#/#_#g')
    compgen -G "/var/lib/apt/lists/${host}_dists_bookworm_*Release" >/dev/null
}
