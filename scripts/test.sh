#!/usr/bin/env bash
# Runs every test suite of the project: format check, the module-layer check, clippy with -D
# warnings, the Rust tests (the whole workspace, FFI crate included), the browser test of the
# report, the Python FFI suite, a short crash campaign and short fuzz runs (docs/reliability.md),
# the Swift XCTest suite, and the Linux type-check of the iOS app's files that do not import
# SwiftUI (docs/ios-integration.md).
# Works on a fresh machine with only the stock Rust toolchain and python3: it installs what else
# it needs (Chromium, cargo-fuzz, pytest in a virtualenv under target/, a cached Swift chroot;
# the slow downloads overlap the Rust build) and is safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [%s] %s\n' "$(date +%T)" "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

# Two set-ups that mostly wait on the network and the disk start now, in the background, so they
# overlap the Rust build instead of adding to it: the Swift chroot (about 7 minutes on a fresh
# machine, 0.3 s when cached) and Chromium. Their steps below wait for them and show their log
# when they failed. Leaving early stops the Swift set-up (swift-env.sh finishes an interrupted
# set-up on its next run) and waits for apt-get (killing dpkg mid-install would break it).
mkdir -p target
bash scripts/swift-env.sh setup >target/swift-setup.log 2>&1 &
swift_setup=$!
bash scripts/install-chromium.sh >target/chromium-setup.log 2>&1 &
chromium_setup=$!
stop_setups() { kill "$swift_setup" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop_setups EXIT
# wait_for NAME PID LOG: waits for a background set-up; on failure prints its log and stops.
wait_for() {
  if ! wait "$2"; then
    printf 'error: %s set-up failed; its log (%s):\n' "$1" "$3" >&2
    cat "$3" >&2
    exit 1
  fi
}

step "Module layers: no circle of imports among a crate's modules"
python3 scripts/check-modules.py

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo clippy of the shipped library alone (switchboard-ffi: the runtime without sim-hooks or fakes)"
cargo clippy -p switchboard-ffi --all-targets -- -D warnings

step "cargo test --workspace"
cargo test --workspace

step "Browser test of switchboard report (headless Chromium; installs chromium if missing)"
wait_for Chromium "$chromium_setup" target/chromium-setup.log
bash scripts/test-browser.sh

step "Python suites (FFI through the generated bindings; DuckDB over the Parquet export)"
bash scripts/test-python.sh

step "Crash campaign (the whole core SIGKILLed 10 times mid-call; every completed call survives)"
bash scripts/crash-campaign.sh

step "Fuzz targets, 20 s each on the seed corpus (builds cargo-fuzz targets; installs cargo-fuzz if missing)"
bash scripts/test-fuzz.sh

step "Swift XCTest suite (SwitchboardKit against the real library, Swift 6.0.3 chroot)"
wait_for Swift "$swift_setup" target/swift-setup.log
bash scripts/test-swift.sh

step "Linux type-check of the iOS app's CometChat-facing files against stand-ins (and 3 mutants that must fail)"
bash scripts/typecheck-app.sh
