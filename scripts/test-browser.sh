#!/usr/bin/env bash
# The browser test of `switchboard report`: installs Debian's chromium when it is missing
# (idempotent), builds the CLI, and runs the Rust test that renders the report of every demo
# scenario in headless Chromium, checks the DOM for the lanes, bands and markers a person would
# see, and saves a screenshot of each under target/report-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-chromium.sh

export SWITCHBOARD_CHROMIUM="$(command -v chromium)"
export SWITCHBOARD_SCREENSHOTS="$PWD/target/report-screenshots"
# --workspace keeps features unified with the rest of the test run (no rebuild of the crates).
exec cargo test --workspace --test report_browser -- --include-ignored --nocapture "$@"
