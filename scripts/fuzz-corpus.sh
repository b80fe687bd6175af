#!/usr/bin/env bash
# Rebuilds the fuzz seed corpora (fuzz/corpus/<target>/) from the demo logs: runs
# `switchboard demo --scenario all`, exports the journal as JSON Lines, and has
# fuzz/examples/make_corpus.rs cut both into seeds (JSONL runs and lines, records' stored bytes,
# batch values, links). The corpus is committed; run this after a record format change.
#   bash scripts/fuzz-corpus.sh            # replaces fuzz/corpus
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -p switchboard-cli
bin=${SWITCHBOARD_BIN:-target/debug/switchboard}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" demo --scenario all --journal "$work/journal" >/dev/null
"$bin" export "$work/journal" --out "$work/demo.jsonl" >/dev/null
rm -rf "$work/corpus"
cargo run --quiet --manifest-path fuzz/Cargo.toml --example make_corpus -- \
  "$work/journal" "$work/demo.jsonl" "$work/corpus"
rm -rf fuzz/corpus
cp -r "$work/corpus" fuzz/corpus
for dir in fuzz/corpus/*/; do
  printf '%-28s %3d seeds, %6d bytes\n' "$dir" "$(ls "$dir" | wc -l)" "$(cat "$dir"/* | wc -c)"
done
