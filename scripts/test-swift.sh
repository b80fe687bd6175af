#!/usr/bin/env bash
# Runs SwitchboardKit's XCTest suite on Linux against the real Rust library.
#
#   scripts/test-swift.sh [EXTRA swift test ARGS...]     e.g. --filter CallScenarioTests
#
# 1. scripts/swift-env.sh setup: the cached Debian trixie chroot with Swift 6.0.3 (0.3 s when ready).
# 2. scripts/bindings.sh swift: builds target/debug/libswitchboard_ffi.so and generates the bindings.
# 3. Copies the generated Swift files into Sources/SwitchboardCore, and the C headers plus a Linux
#    module.modulemap (UniFFI's two modulemaps merged, without their `use` lines, linking
#    switchboard_ffi) into Sources/SwitchboardFFI. A file is rewritten only when its content
#    changed, so SwiftPM's incremental build stays warm.
# 4. `swift test --disable-swift-testing` inside the chroot: the repository is bind-mounted
#    read-only at /switchboard, the build cache lives in the chroot (/var/cache/swiftpm/...), and
#    the test binary links the library with -L and an rpath. XCTest's summary is the last line.
#
# Safe to run again; the exit status is swift test's. Must run as root (chroot and mounts).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

say() { printf '==> test-swift: %s\n' "$*" >&2; }

pkg="ios-app/SwitchboardKit"
core_dir="$pkg/Sources/SwitchboardCore"
ffi_dir="$pkg/Sources/SwitchboardFFI"
bindings="target/bindings/swift"
lib_dir="${CARGO_TARGET_DIR:-$root/target}/debug"

# Copies $1 to $2 unless $2 already has the same bytes (keeps mtimes, so nothing recompiles).
install_if_changed() {
    if ! cmp -s "$1" "$2"; then
        cp "$1" "$2"
    fi
}

# UniFFI's modulemaps name Darwin (and clang's builtin modules) in `use` lines, which only Apple
# SDKs provide. One module.modulemap declares both FFI modules; the library is linked once.
linux_modulemap() {
    local map
    for map in "$bindings"/*FFI.modulemap; do
        awk '
            /^[[:space:]]*use / { next }
            { print }
            /^module switchboard_ffiFFI \{/ { print "    link \"switchboard_ffi\"" }
        ' "$map"
        printf '\n'
    done
}

say "Swift toolchain"
scripts/swift-env.sh setup

say "Rust library and bindings"
bash scripts/bindings.sh swift >&2

say "preparing $pkg"
[[ -f "$lib_dir/libswitchboard_ffi.so" ]] || { echo "no $lib_dir/libswitchboard_ffi.so" >&2; exit 1; }
mkdir -p "$core_dir" "$ffi_dir"
for f in "$bindings"/*.swift; do
    install_if_changed "$f" "$core_dir/$(basename "$f")"
done
for f in "$bindings"/*.h; do
    install_if_changed "$f" "$ffi_dir/$(basename "$f")"
done
tmp_map="$(mktemp)"
trap 'rm -f "$tmp_map"' EXIT
linux_modulemap >"$tmp_map"
grep -q 'link "switchboard_ffi"' "$tmp_map" || { echo "modulemap: no switchboard_ffiFFI module" >&2; exit 1; }
install_if_changed "$tmp_map" "$ffi_dir/module.modulemap"

# The library directory as the chroot sees it.
binds="$root:/switchboard:ro"
chroot_lib="/switchboard/target/debug"
if [[ "$lib_dir" != "$root/target/debug" ]]; then
    binds="$binds $lib_dir:/switchboard-lib:ro"
    chroot_lib="/switchboard-lib"
fi

say "swift test (chroot)"
export SWITCHBOARD_SWIFT_BINDS="$binds"
export SWITCHBOARD_SWIFT_CWD="/switchboard/$pkg"
exec scripts/swift-env.sh run -- swift test --disable-swift-testing \
    --scratch-path /var/cache/swiftpm/SwitchboardKit \
    -Xlinker "-L$chroot_lib" -Xlinker -rpath -Xlinker "$chroot_lib" \
    "$@"
