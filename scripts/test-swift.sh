#!/usr/bin/env bash
# Runs SwitchboardKit's XCTest suite on Linux against the real Rust library.
#
#   scripts/test-swift.sh [EXTRA swift test ARGS...]     e.g. --filter CallScenarioTests
#
# 1-3. scripts/lib/swift-kit.sh: the cached Debian trixie chroot with Swift 6.0.3 (0.3 s when
#    ready); target/debug/libswitchboard_ffi.so and its generated bindings (scripts/bindings.sh);
#    the bindings, headers and a Linux modulemap copied into SwitchboardKit's sources.
# 4. `swift test --disable-swift-testing` inside the chroot: the repository is bind-mounted
#    read-only at /switchboard, the build cache lives in the chroot (/var/cache/swiftpm/...), and
#    the test binary links the library with -L and an rpath. XCTest's summary is the last line.
#
# Safe to run again; the exit status is swift test's. Must run as root (chroot and mounts).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

# shellcheck source=lib/swift-kit.sh
source scripts/lib/swift-kit.sh
prepare_switchboard_kit

say "swift test (chroot)"
export SWITCHBOARD_SWIFT_BINDS="$SWIFT_BINDS"
export SWITCHBOARD_SWIFT_CWD="/switchboard/$pkg"
exec scripts/swift-env.sh run -- swift test --disable-swift-testing \
    --scratch-path "$SWIFT_SCRATCH" \
    -Xlinker "-L$CHROOT_LIB" -Xlinker -rpath -Xlinker "$CHROOT_LIB" \
    "$@"
