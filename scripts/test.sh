#!/usr/bin/env bash
# Runs every test suite of the project: format check, clippy with -D warnings, the Rust tests
# (the whole workspace, FFI crate included), the Python FFI suite, a short crash campaign and short
# fuzz runs (docs/reliability.md), the Swift XCTest suite, and the Linux type-check of the iOS
# app's files that do not import SwiftUI (docs/ios-integration.md).
# Works on a fresh machine with only the stock Rust toolchain and python3: it installs what else
# it needs (pytest in a virtualenv under target/, a cached Swift chroot) and is safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [%s] %s\n' "$(date +%T)" "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo clippy of the shipped library alone (switchboard-ffi: the runtime without sim-hooks or fakes)"
cargo clippy -p switchboard-ffi --all-targets -- -D warnings

step "cargo test --workspace"
cargo test --workspace

step "Browser test of switchboard report (headless Chromium; installs chromium if missing)"
bash scripts/test-browser.sh

step "Python suites (FFI through the generated bindings; DuckDB over the Parquet export)"
bash scripts/test-python.sh

step "Crash campaign (the whole core SIGKILLed 10 times mid-call; every completed call survives)"
bash scripts/crash-campaign.sh

step "Fuzz targets, 20 s each on the seed corpus (builds cargo-fuzz targets; installs cargo-fuzz if missing)"
bash scripts/test-fuzz.sh

step "Swift XCTest suite (SwitchboardKit against the real library, Swift 6.0.3 chroot)"
bash scripts/test-swift.sh

step "Linux type-check of the iOS app's CometChat-facing files against stand-ins (and 3 mutants that must fail)"
bash scripts/typecheck-app.sh
