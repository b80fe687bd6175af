#!/usr/bin/env bash
# The whole-core crash campaign (crates/ffi/python-tests/crash_campaign.py): a child process
# makes calls through the generated Python bindings and is SIGKILLed at random moments; after
# each kill a new process reopens the data dir, exports the log, `switchboard replay --verify`
# checks it, and every call the child reported completed must be in it.
#   bash scripts/crash-campaign.sh                 # CI: 10 kills
#   CRASH_KILLS=1000 bash scripts/crash-campaign.sh -- --progress 50 --keep /tmp/crash-keep
# Extra arguments go to the script (--seed, --max-delay, --data, --keep, --progress).
set -euo pipefail
cd "$(dirname "$0")/.."

kills=${CRASH_KILLS:-10}
[ "${1:-}" = -- ] && shift
bash scripts/bindings.sh python
export PYTHONPATH="$PWD/target/bindings/python"
export SWITCHBOARD_BIN="${SWITCHBOARD_BIN:-$PWD/target/debug/switchboard}"
exec python3 crates/ffi/python-tests/crash_campaign.py --kills "$kills" "$@"
