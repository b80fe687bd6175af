#!/usr/bin/env bash
# Builds ios-app/build/SwitchboardFFI.xcframework (macOS with Xcode only) and the Swift bindings
# SwitchboardKit compiles on Apple platforms.
#
#   scripts/build-xcframework.sh            # PROFILE=reldbg: optimised dependencies, line tables
#   PROFILE=ffi-release scripts/build-xcframework.sh    # the shipping library (LTO, stripped)
#
# 1. cargo builds libswitchboard_ffi.a for aarch64-apple-ios (devices), aarch64-apple-ios-sim and
#    x86_64-apple-ios (simulators); the two simulator slices are merged with lipo.
# 2. scripts/bindings.sh swift generates the bindings from the host library; the Swift files go to
#    ios-app/SwitchboardKit/Sources/SwitchboardCore, and the C headers with one merged
#    module.modulemap (both FFI modules) become the XCFramework's headers.
# 3. xcodebuild -create-xcframework.
# Debug builds of the Rust library are known to crash on devices: reldbg is the development
# profile. Off macOS the script says so on one line and exits 2.
set -euo pipefail

if [[ "$(uname -s)" != Darwin ]]; then
    echo "build-xcframework.sh: needs macOS with Xcode (xcodebuild, lipo); this is $(uname -s)" >&2
    exit 2
fi
for tool in cargo rustup xcodebuild lipo xcrun; do
    command -v "$tool" >/dev/null || { echo "build-xcframework.sh: $tool not found" >&2; exit 2; }
done

cd "$(dirname "$0")/.."
root="$PWD"
profile="${PROFILE:-reldbg}"
out="$root/ios-app/build"
stage="$out/stage"
framework="$out/SwitchboardFFI.xcframework"
core_dir="$root/ios-app/SwitchboardKit/Sources/SwitchboardCore"
device=aarch64-apple-ios
simulators=(aarch64-apple-ios-sim x86_64-apple-ios)
target_dir="${CARGO_TARGET_DIR:-$root/target}"

say() { printf '==> build-xcframework: %s\n' "$*" >&2; }

say "rust targets"
rustup target add "$device" "${simulators[@]}" >/dev/null

# The 'dev' profile's output directory is called debug; every other profile uses its own name.
profile_dir="$profile"
[[ "$profile" == dev ]] && profile_dir=debug

for target in "$device" "${simulators[@]}"; do
    say "cargo build --profile $profile --target $target"
    cargo build -p switchboard-ffi --lib --profile "$profile" --target "$target"
done

say "bindings"
bash scripts/bindings.sh swift >&2
bindings="$root/target/bindings/swift"

rm -rf "$stage" "$framework"
mkdir -p "$stage/headers" "$stage/simulator" "$core_dir"

say "lipo: one simulator library for arm64 and x86_64"
sim_libs=()
for target in "${simulators[@]}"; do
    sim_libs+=("$target_dir/$target/$profile_dir/libswitchboard_ffi.a")
done
lipo -create "${sim_libs[@]}" -output "$stage/simulator/libswitchboard_ffi.a"

say "headers and one module.modulemap for both FFI modules"
cp "$bindings"/*.h "$stage/headers/"
for map in "$bindings"/*FFI.modulemap; do
    cat "$map"
    printf '\n'
done >"$stage/headers/module.modulemap"
cp "$bindings"/*.swift "$core_dir/"

say "xcodebuild -create-xcframework"
xcodebuild -create-xcframework \
    -library "$target_dir/$device/$profile_dir/libswitchboard_ffi.a" -headers "$stage/headers" \
    -library "$stage/simulator/libswitchboard_ffi.a" -headers "$stage/headers" \
    -output "$framework" >&2

rm -rf "$stage"
say "done: $framework (profile $profile); Swift bindings in $core_dir"
