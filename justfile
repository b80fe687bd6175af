# Switchboard's routine tasks. `just --list` shows them.

# Run the main job: every scripted call through the real runtime on a sled journal.
demo scenario="all":
    cargo run --release -p switchboard-cli -- demo --scenario {{scenario}}

# Run every test suite (format, clippy, Rust tests); the same script CI runs.
test:
    bash scripts/test.sh

# The Python FFI suite alone.
test-python:
    bash scripts/test-python.sh

# The Swift XCTest suite alone (sets up the Swift chroot on first run).
test-swift:
    bash scripts/test-swift.sh

# Build the iOS XCFramework (macOS only).
xcframework:
    bash scripts/build-xcframework.sh

# Build the shipped FFI library (LTO, stripped) and print its size.
ffi-release:
    cargo build --profile ffi-release -p switchboard-ffi && ls -l target/ffi-release/libswitchboard_ffi.*

# Replay the demo's journal and check every command against today's machines.
verify:
    cargo run --release -p switchboard-cli -- replay switchboard-demo --verify

# Print the demo journal's timeline.
replay:
    cargo run --release -p switchboard-cli -- replay switchboard-demo

# A batch of heavy-fault simulations (release).
sim seeds="10000":
    cargo run --release -p switchboard-cli -- sim --seeds {{seeds}} --faults heavy

# Measure the journal (quick run).
bench:
    cargo run --release -p switchboard-cli -- bench --quick

# Regenerate schemas/ from the Rust types.
schemas:
    UPDATE_SCHEMAS=1 cargo test -p switchboard-journal schema
    UPDATE_SCHEMAS=1 cargo test -p switchboard-cli --bin switchboard output

# Format the code.
fmt:
    cargo fmt --all
