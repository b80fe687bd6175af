#!/usr/bin/env bash
# Builds libswitchboard_ffi and generates its bindings with the pinned uniffi-bindgen.
#   scripts/bindings.sh python   -> target/bindings/python/switchboard/{switchboard_*.py, libswitchboard_ffi.so}
#   scripts/bindings.sh swift    -> target/bindings/swift/{*.swift, *FFI.h, *FFI.modulemap}
# PROFILE=release builds the release library instead of the debug one. Generated files are
# never edited by hand and never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

lang=${1:?usage: scripts/bindings.sh python|swift}
profile=${PROFILE:-debug}
flag=()
[ "$profile" = release ] && flag=(--release)

if [ "$profile" = debug ]; then
  # The whole workspace with its test targets, so that features unify exactly as in
  # `cargo test --workspace` (dev-dependencies such as proptest add features to shared crates):
  # after scripts/test.sh's test run this compiles only the bindgen's main and copies the
  # library out, instead of rebuilding every crate with a second feature set. The CLI the Python
  # suites run (target/debug/switchboard) comes from the same build.
  cargo build --workspace --lib --bins --tests
else
  cargo build "${flag[@]}" -p switchboard-ffi -p uniffi-bindgen -p switchboard-cli
fi
lib="target/$profile/libswitchboard_ffi.so"
[ "$(uname)" = Darwin ] && lib="target/$profile/libswitchboard_ffi.dylib"
out="target/bindings/$lang"
[ "$lang" = python ] && out="$out/switchboard"
rm -rf "$out"
mkdir -p "$out"
extra=()
[ "$lang" = swift ] && extra=(--no-format)
"target/$profile/uniffi-bindgen" generate --library "$lib" --language "$lang" --out-dir "$out" "${extra[@]}" >/dev/null
if [ "$lang" = python ]; then
  # The generated modules import each other relatively: make them one package.
  cp "$lib" "$out/"
  printf '"""Generated Switchboard bindings (uniffi-bindgen); do not edit."""\n' > "$out/__init__.py"
fi
echo "bindings for $lang in $out (from $lib)"
