# Shared by scripts/test-swift.sh and scripts/typecheck-app.sh (sourced, not run): the cached
# Swift chroot, the Rust library and bindings, and SwitchboardKit's generated sources.
#
# After `prepare_switchboard_kit`:
# - SwitchboardKit/Sources/SwitchboardCore holds the generated Swift bindings and
#   Sources/SwitchboardFFI their C headers and a Linux module.modulemap (UniFFI's two modulemaps
#   merged, without their `use` lines, linking switchboard_ffi); a file is rewritten only when its
#   content changed, so SwiftPM's incremental build stays warm;
# - SWIFT_BINDS and CHROOT_LIB say how the chroot sees the repository (read-only at /switchboard)
#   and the library directory.
# Needs `root` set to the repository's top directory.

say() { printf '==> %s: %s\n' "$(basename "$0" .sh)" "$*" >&2; }

pkg="ios-app/SwitchboardKit"
core_dir="$pkg/Sources/SwitchboardCore"
ffi_dir="$pkg/Sources/SwitchboardFFI"
bindings="target/bindings/swift"
lib_dir="${CARGO_TARGET_DIR:-$root/target}/debug"
# Where SwiftPM builds SwitchboardKit, inside the chroot (persists with it).
SWIFT_SCRATCH=/var/cache/swiftpm/SwitchboardKit

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

prepare_switchboard_kit() {
    say "Swift toolchain"
    scripts/swift-env.sh setup

    say "Rust library and bindings"
    bash scripts/bindings.sh swift >&2

    say "preparing $pkg"
    [[ -f "$lib_dir/libswitchboard_ffi.so" ]] || { echo "no $lib_dir/libswitchboard_ffi.so" >&2; exit 1; }
    mkdir -p "$core_dir" "$ffi_dir"
    local f tmp_map
    for f in "$bindings"/*.swift; do
        install_if_changed "$f" "$core_dir/$(basename "$f")"
    done
    for f in "$bindings"/*.h; do
        install_if_changed "$f" "$ffi_dir/$(basename "$f")"
    done
    tmp_map="$(mktemp)"
    linux_modulemap >"$tmp_map"
    if ! grep -q 'link "switchboard_ffi"' "$tmp_map"; then
        rm -f "$tmp_map"
        echo "modulemap: no switchboard_ffiFFI module" >&2
        exit 1
    fi
    install_if_changed "$tmp_map" "$ffi_dir/module.modulemap"
    rm -f "$tmp_map"

    # The library directory as the chroot sees it.
    SWIFT_BINDS="$root:/switchboard:ro"
    CHROOT_LIB="/switchboard/target/debug"
    if [[ "$lib_dir" != "$root/target/debug" ]]; then
        SWIFT_BINDS="$SWIFT_BINDS $lib_dir:/switchboard-lib:ro"
        CHROOT_LIB="/switchboard-lib"
    fi
}
