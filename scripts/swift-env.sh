#!/usr/bin/env bash
# Swift toolchain for Switchboard on Debian 12: Swift 6.0.3 from Debian trixie's `swiftlang`,
# inside a cached trixie chroot. See docs/swift-on-linux.md.
#
#   scripts/swift-env.sh setup [--rebuild]   create or update the cached chroot (fast no-op when ready)
#   scripts/swift-env.sh run [--] CMD...     run CMD inside the chroot (/proc mounted, extra binds)
#   scripts/swift-env.sh version             print `swift --version` from inside the chroot
#
# Environment:
#   SWITCHBOARD_SWIFT_CHROOT   cache dir (default /var/cache/switchboard/swift-trixie); it holds
#                              rootfs/ (the chroot), stamp, setup.log and a lock file
#   SWITCHBOARD_SWIFT_BINDS    "host_path:chroot_path[:ro] ..." bind mounts for `run`
#   SWITCHBOARD_SWIFT_CWD      working directory inside the chroot for `run` (default /)
#   SWITCHBOARD_SWIFT_PASSENV  names of host variables passed into the chroot (default "CI TERM");
#                              everything else starts from a clean environment
#   SWITCHBOARD_SWIFT_MIRROR   Debian mirror URL (default: the host's own Debian mirror from its
#                              apt sources, else http://deb.debian.org/debian)
#   SWIFT_ENV_NO_UNSHARE=1     mount in the host's namespace instead of private namespaces
#
# Needs root (debootstrap, chroot, mount). Runs without prompts.
set -euo pipefail

SUITE=trixie
# Packages installed into the chroot; changing this list (or RECIPE_VERSION) makes the next
# `setup` install the difference in place.
CHROOT_PACKAGES=(swiftlang libc6-dev libstdc++-14-dev)
RECIPE_VERSION=1
FALLBACK_MIRROR=http://deb.debian.org/debian

CACHE_DIR="${SWITCHBOARD_SWIFT_CHROOT:-/var/cache/switchboard/swift-trixie}"
ROOTFS="$CACHE_DIR/rootfs"
PARTIAL="$CACHE_DIR/rootfs.partial"
STAMP="$CACHE_DIR/stamp"
LOG="$CACHE_DIR/setup.log"
LOCK="$CACHE_DIR/lock"
SELF="$(readlink -f "${BASH_SOURCE[0]}")"
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive

say() { printf '==> swift-env: %s\n' "$*" >&2; }
die() {
    printf 'swift-env: error: %s\n' "$*" >&2
    exit 1
}

need_root() {
    [[ "$(id -u)" -eq 0 ]] || die "must run as root (debootstrap, chroot and mount need it)"
}

recipe() { printf 'suite=%s packages=%s recipe=%s' "$SUITE" "${CHROOT_PACKAGES[*]}" "$RECIPE_VERSION"; }

# Runs "$@" with its output appended to the setup log; on failure shows the log's tail and exits.
logged() {
    local what="$1"
    shift
    printf '\n### %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOG"
    local rc=0
    supervise "" "$@" >>"$LOG" 2>&1 || rc=$?
    if ((rc == 130 || rc == 143 || rc == 129)); then
        die "interrupted during $what; run \`setup\` again to finish"
    elif ((rc != 0)); then
        printf 'swift-env: error: %s failed; last 30 lines of %s:\n' "$what" "$LOG" >&2
        tail -n 30 "$LOG" >&2
        exit 1
    fi
}

# ---------------------------------------------------------------------------------------------
# Mounts. Every command in the chroot runs through `__inner`, which mounts /proc and the binds,
# runs the command, and unmounts them in reverse order from an EXIT trap. When it can, it runs in
# private mount and PID namespaces (unshare): its mounts are then invisible to the host and
# vanish with it even on SIGKILL, and processes the command left behind die with it.

# Mount points (under any root) currently mounted at or below $1, deepest first.
mounts_under() {
    local dir
    dir="$(readlink -f "$1")"
    awk -v d="$dir" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# Removes a directory tree only after making sure nothing is mounted inside it.
safe_remove() {
    local dir="$1" m
    [[ -e "$dir" ]] || return 0
    while read -r m; do
        [[ -n "$m" ]] || continue
        say "unmounting leftover mount $m"
        umount "$m" 2>/dev/null || umount -l "$m" || true
    done < <(mounts_under "$dir")
    if [[ -n "$(mounts_under "$dir")" ]]; then
        die "refusing to delete $dir: something is still mounted inside it"
    fi
    rm -rf --one-file-system "$dir"
}

MOUNTED=()
unmount_all() {
    local i
    trap '' INT TERM HUP # a second signal must not cut the cleanup short
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTED[i]}" 2>/dev/null || umount -l "${MOUNTED[i]}" 2>/dev/null ||
            printf 'swift-env: warning: could not unmount %s\n' "${MOUNTED[i]}" >&2
    done
    MOUNTED=()
}

# A device node the chroot can really use: debootstrap makes them with mknod, which a container
# may allow without letting anyone open the result.
dev_usable() { [[ -c "$1/dev/$2" ]] && { : >"$1/dev/$2"; } 2>/dev/null; }

SUPERVISED_PID=""
SUPERVISE_CHILDREN=""
SIGNALLED=""
forward_term() {
    if [[ -n "$SUPERVISE_CHILDREN" ]]; then
        pkill -TERM -P "$SUPERVISED_PID" 2>/dev/null || true
    else
        kill -TERM "$SUPERVISED_PID" 2>/dev/null || true
    fi
}

# Runs "$@" as a background child and waits for it, so that a signal to this script is handled
# at once (bash runs traps only between foreground commands). INT, TERM and HUP are passed on as
# SIGTERM (a background child ignores SIGINT), to the child's own children if $1 is "children".
# `<&0` keeps stdin (bash gives background commands /dev/null otherwise). Returns the child's
# status, or 128+signal when a signal arrived.
supervise() {
    SUPERVISE_CHILDREN="$1"
    shift
    local saved_traps rc
    saved_traps="$(trap -p INT TERM HUP)"
    "$@" <&0 &
    SUPERVISED_PID=$!
    trap 'forward_term; SIGNALLED=130' INT
    trap 'forward_term; SIGNALLED=143' TERM
    trap 'forward_term; SIGNALLED=129' HUP
    while :; do
        rc=0
        wait "$SUPERVISED_PID" || rc=$?
        kill -0 "$SUPERVISED_PID" 2>/dev/null || break # still there: a signal cut the wait short
    done
    trap - INT TERM HUP
    eval "$saved_traps"
    return "${SIGNALLED:-$rc}"
}

# Internal entry point: mounts what the chroot needs under $SWIFT_ENV_ROOT, runs "$@" inside it,
# unmounts, and exits with the command's status.
inner_run() {
    local root="$SWIFT_ENV_ROOT" cwd="${SWITCHBOARD_SWIFT_CWD:-/}"
    trap unmount_all EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    # SwiftPM leaves empty TemporaryDirectory.* dirs in /tmp on every run; sweep old ones.
    find "$root/tmp" -maxdepth 1 -name 'TemporaryDirectory.*' -mmin +60 -exec rm -rf {} + 2>/dev/null || true

    mount -t proc proc "$root/proc"
    MOUNTED+=("$root/proc")

    local dev
    for dev in null zero full random urandom; do
        if ! dev_usable "$root" "$dev" && [[ -c "/dev/$dev" ]]; then
            [[ -e "$root/dev/$dev" ]] || touch "$root/dev/$dev"
            mount --bind "/dev/$dev" "$root/dev/$dev"
            MOUNTED+=("$root/dev/$dev")
        fi
    done

    local spec host target opt real_root real_target
    real_root="$(readlink -f "$root")"
    for spec in ${SWITCHBOARD_SWIFT_BINDS:-}; do
        IFS=: read -r host target opt <<<"$spec"
        [[ -n "$host" && -n "$target" ]] || die "bad bind '$spec' (want host_path:chroot_path[:ro])"
        [[ "$target" == /* ]] || die "bind target must be absolute: '$spec'"
        [[ "/$target/" != */../* ]] || die "bind target must not contain '..': '$spec'"
        case "$target" in / | /proc | /proc/*) die "bind target not allowed: $target" ;; esac
        [[ -e "$host" ]] || die "bind source does not exist: $host"
        [[ -z "${opt:-}" || "$opt" == ro ]] || die "unknown bind option '$opt' in '$spec'"
        # Resolve before creating anything: an absolute symlink inside the rootfs would point
        # at the host.
        real_target="$(readlink -m "$root$target")"
        case "$real_target" in
            "$real_root" | "$real_root/proc" | "$real_root/proc/"*)
                die "bind target not allowed: $target" ;;
            "$real_root"/*) ;;
            *) die "bind target $target resolves outside the chroot ($real_target)" ;;
        esac
        if [[ -d "$host" ]]; then
            mkdir -p "$real_target"
        else
            mkdir -p "$(dirname "$real_target")"
            [[ -e "$real_target" ]] || touch "$real_target"
        fi
        mount --bind "$host" "$real_target"
        MOUNTED+=("$real_target")
        if [[ "${opt:-}" == ro ]]; then
            mount -o remount,bind,ro "$real_target"
        fi
    done

    local envs=(HOME=/root "PATH=$CHROOT_PATH" LANG=C.UTF-8 TMPDIR=/tmp) name
    for name in ${SWITCHBOARD_SWIFT_PASSENV-CI TERM}; do
        [[ -n "${!name+set}" ]] && envs+=("$name=${!name}")
    done

    # Then the EXIT trap unmounts; in a PID namespace this script is its init, and whatever the
    # command left running dies with it.
    local rc=0
    # shellcheck disable=SC2016 # $1 and $@ belong to the inner sh
    supervise "" chroot "$root" /usr/bin/env -i "${envs[@]}" \
        /bin/sh -c 'cd "$1" && shift && exec "$@"' swift-env "$cwd" "$@" || rc=$?
    exit "$rc"
}

# Whether `run` can use private namespaces: a mount namespace (mounts invisible to the host, gone
# with the process) and a PID namespace (every process the command left behind is killed when
# it ends). SWIFT_ENV_NO_UNSHARE=1 forces the plain path (mounts in the host namespace).
can_unshare() {
    [[ -z "${SWIFT_ENV_NO_UNSHARE:-}" ]] &&
        unshare --mount --propagation private --pid --fork true 2>/dev/null
}

# Runs "$@" inside the chroot at $1 with /proc (and binds) mounted; returns the command's status.
in_chroot() {
    local root="$1" rc=0
    shift
    export SWIFT_ENV_ROOT="$root"
    if can_unshare; then
        # unshare --fork ignores INT and TERM itself: pass them to its child (the inner script).
        supervise children unshare --mount --propagation private --pid --fork --kill-child \
            bash "$SELF" __inner "$@" || rc=$?
    else
        supervise "" bash "$SELF" __inner "$@" || rc=$?
    fi
    return "$rc"
}

# ---------------------------------------------------------------------------------------------
# Mirror selection.

# Debian archive URIs from the host's apt sources (one-line .list and deb822 .sources files).
host_debian_uris() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$f" ]] || continue
        # deb [options] URI suite components
        sed -e 's/#.*//' "$f" | awk '$1 == "deb" {
            i = 2
            if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
            print $i }'
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        sed -e 's/#.*//' "$f" | awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }'
    done
}

mirror_candidates() {
    local uri
    if [[ -n "${SWITCHBOARD_SWIFT_MIRROR:-}" ]]; then
        printf '%s\n' "${SWITCHBOARD_SWIFT_MIRROR%/}"
        return
    fi
    while read -r uri; do
        uri="${uri%/}"
        case "$uri" in http://* | https://*) ;; *) continue ;; esac
        # The main archive: a path component named exactly "debian" (snapshot URLs have a date
        # after it), and nothing security/debug/ports.
        case "/${uri#*://*/}/" in */debian/*) ;; *) continue ;; esac
        case "$uri" in *security* | *debug* | *ports*) continue ;; esac
        printf '%s\n' "$uri"
    done < <(host_debian_uris)
    printf '%s\n' "$FALLBACK_MIRROR"
}

mirror_has_suite() {
    local url="$1/dists/$SUITE/InRelease"
    if command -v curl >/dev/null; then
        curl -fsS -o /dev/null -I --max-time 20 "$url" 2>/dev/null
    elif command -v wget >/dev/null; then
        wget -q --spider --timeout=20 "$url" 2>/dev/null
    else
        return 0 # nothing to probe with: let debootstrap find out
    fi
}

pick_mirror() {
    local m
    while read -r m; do
        if mirror_has_suite "$m"; then
            printf '%s\n' "$m"
            return 0
        fi
        say "mirror $m does not serve $SUITE here; trying the next one"
    done < <(mirror_candidates | awk '!seen[$0]++')
    die "no reachable Debian mirror serves $SUITE (set SWITCHBOARD_SWIFT_MIRROR)"
}

# ---------------------------------------------------------------------------------------------
# Setup.

ensure_debootstrap() {
    [[ -x /usr/sbin/debootstrap ]] && return 0
    say "installing debootstrap on the host"
    if ! apt-get install -y -q debootstrap >>"$LOG" 2>&1; then
        logged "apt-get update (host)" apt-get update -q
        logged "apt-get install debootstrap (host)" apt-get install -y -q debootstrap
    fi
}

# Network and apt settings the chroot's apt needs; safe to repeat.
configure_chroot() {
    local root="$1" mirror="$2" proxy
    rm -f "$root/etc/resolv.conf"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
    printf 'deb %s %s main\n' "$mirror" "$SUITE" >"$root/etc/apt/sources.list"
    # No daemons may start inside the chroot.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    # The host's apt proxy, if it has one.
    proxy="$(apt-config dump 2>/dev/null | grep -i '^Acquire::https\?::Proxy ' || true)"
    if [[ -n "$proxy" ]]; then
        printf '%s\n' "$proxy" >"$root/etc/apt/apt.conf.d/01switchboard-proxy"
    fi
}

chroot_apt_install() {
    local root="$1"
    logged "apt-get update (chroot)" in_chroot "$root" apt-get update -q
    logged "dpkg --configure -a (chroot)" in_chroot "$root" dpkg --configure -a
    logged "apt-get install ${CHROOT_PACKAGES[*]} (chroot)" in_chroot "$root" \
        apt-get install -y -q -o Dpkg::Use-Pty=0 "${CHROOT_PACKAGES[@]}"
    logged "apt-get clean (chroot)" in_chroot "$root" apt-get clean
}

# Prints the first line of `swift --version` from the chroot at $1, or fails.
swift_version_in() {
    local out
    out="$(in_chroot "$1" swift --version 2>/dev/null)" || return 1
    out="$(printf '%s\n' "$out" | grep -m1 'Swift version')" || return 1
    printf '%s\n' "$out"
}

write_stamp() {
    local version="$1" mirror="$2"
    {
        printf 'swift=%s\n' "$version"
        printf 'recipe=%s\n' "$(recipe)"
        printf 'mirror=%s\n' "$mirror"
        printf 'built=%s\n' "$(date -u +%FT%TZ)"
    } >"$STAMP.tmp"
    mv -f "$STAMP.tmp" "$STAMP"
}

stamp_field() { sed -n "s/^$1=//p" "$STAMP" 2>/dev/null | head -n 1; }

# (/usr/bin/swift is an absolute symlink: test the link, not a host path it would resolve to.)
stamp_ok() { [[ -f "$STAMP" ]] && [[ -L "$ROOTFS/usr/bin/swift" || -f "$ROOTFS/usr/bin/swift" ]]; }

full_build() {
    local mirror started secs version include=()
    started=$(date +%s)
    : >"$LOG"
    ensure_debootstrap
    mirror="$(pick_mirror)"
    say "building a fresh $SUITE chroot in $ROOTFS from $mirror (log: $LOG)"
    rm -f "$STAMP"
    safe_remove "$PARTIAL"
    safe_remove "$ROOTFS"
    [[ "$mirror" == https://* ]] && include=(--include=ca-certificates)
    say "debootstrap --variant=minbase $SUITE (about 25 s here)"
    logged debootstrap debootstrap --variant=minbase "${include[@]}" "$SUITE" "$PARTIAL" "$mirror"
    configure_chroot "$PARTIAL" "$mirror"
    say "apt-get install ${CHROOT_PACKAGES[*]} inside the chroot (about 35 s here, 540 MB of downloads)"
    chroot_apt_install "$PARTIAL"
    say "checking swift --version"
    version="$(swift_version_in "$PARTIAL")" ||
        die "swift --version fails in the new chroot (see $LOG)"
    mv "$PARTIAL" "$ROOTFS"
    write_stamp "$version" "$mirror"
    secs=$(($(date +%s) - started))
    say "ready in ${secs}s: $version ($(du -sh --one-file-system "$ROOTFS" | cut -f1) in $ROOTFS)"
}

update_in_place() {
    local mirror version
    mirror="$(stamp_field mirror)"
    [[ -n "$mirror" ]] || mirror="$(pick_mirror)"
    say "package list changed; installing ${CHROOT_PACKAGES[*]} into the existing chroot (log: $LOG)"
    configure_chroot "$ROOTFS" "$mirror"
    chroot_apt_install "$ROOTFS"
    version="$(swift_version_in "$ROOTFS")" ||
        die "swift --version fails after the update (see $LOG); try \`setup --rebuild\`"
    write_stamp "$version" "$mirror"
    say "ready: $version"
}

# The part of `setup` that runs under the exclusive lock.
setup_locked() {
    local rebuild="$1" version
    if ((!rebuild)) && stamp_ok; then
        if [[ "$(stamp_field recipe)" != "$(recipe)" ]]; then
            update_in_place
            return 0
        fi
        if version="$(swift_version_in "$ROOTFS")"; then
            say "ready: $version ($ROOTFS)" # another setup finished it meanwhile
            return 0
        fi
        say "swift no longer works in $ROOTFS; rebuilding"
    elif ((!rebuild)) && [[ -e "$ROOTFS" || -e "$PARTIAL" ]]; then
        say "no completion stamp: the chroot was left half-built; starting again"
    fi
    full_build
}

cmd_setup() {
    local rebuild=0 version lock_fd
    case "${1:-}" in
        --rebuild) rebuild=1 ;;
        "") ;;
        *) die "unknown setup option: $1" ;;
    esac
    need_root
    mkdir -p "$CACHE_DIR"

    # Fast path, without the lock: built with today's recipe and swift still answers.
    if ((!rebuild)) && stamp_ok && [[ "$(stamp_field recipe)" == "$(recipe)" ]]; then
        if version="$(swift_version_in "$ROOTFS")"; then
            [[ "$version" == "$(stamp_field swift)" ]] || write_stamp "$version" "$(stamp_field mirror)"
            say "ready: $version ($ROOTFS)"
            return 0
        fi
    fi

    # Runs hold the lock shared; a build or update waits for them and keeps them out.
    exec {lock_fd}>"$LOCK"
    if ! flock -x -n "$lock_fd"; then
        say "waiting for other swift-env users of $CACHE_DIR to finish"
        flock -x -w 3600 "$lock_fd" || die "timed out waiting for $LOCK"
    fi
    setup_locked "$rebuild"
    exec {lock_fd}>&-
}

# Makes sure the chroot is ready, then holds a shared lock so no rebuild starts under us.
ready_shared() {
    local lock_fd
    need_root
    if ! stamp_ok || [[ "$(stamp_field recipe)" != "$(recipe)" ]]; then
        cmd_setup
    fi
    exec {lock_fd}>"$LOCK"
    flock -s -w 3600 "$lock_fd" || die "timed out waiting for $LOCK"
}

cmd_run() {
    [[ "${1:-}" == "--" ]] && shift
    (($#)) || die "usage: swift-env.sh run [--] CMD..."
    ready_shared
    local rc=0
    in_chroot "$ROOTFS" "$@" || rc=$?
    return "$rc"
}

cmd_version() {
    ready_shared
    in_chroot "$ROOTFS" swift --version
}

usage() {
    sed -n '2,/^set -euo/p' "$SELF" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit "${1:-0}"
}

main() {
    local cmd="${1:-}"
    (($#)) && shift
    case "$cmd" in
        setup) cmd_setup "$@" ;;
        run) cmd_run "$@" ;;
        version) cmd_version "$@" ;;
        __inner) inner_run "$@" ;;
        -h | --help | help) usage 0 ;;
        *) usage 2 ;;
    esac
}

main "$@"
