#!/usr/bin/env bash
# Runs every test suite of the project: format check, clippy with -D warnings, and the Rust tests.
# Works on a fresh machine with only the stock Rust toolchain; installs nothing else it does not
# need, and is safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test --workspace"
cargo test --workspace
