# Switchboard's routine tasks. `just --list` shows them.

# Run the main job: every scripted call through the real runtime on a sled journal.
demo scenario="all":
    cargo run --release -p switchboard-cli -- demo --scenario {{scenario}}

# Run every test suite (format, clippy, Rust tests); the same script CI runs.
test:
    bash scripts/test.sh

# Replay the demo's journal and check every command against today's machines.
verify:
    cargo run --release -p switchboard-cli -- replay switchboard-demo --verify

# Print the demo journal's timeline.
replay:
    cargo run --release -p switchboard-cli -- replay switchboard-demo

# Measure the journal (quick run).
bench:
    cargo run --release -p switchboard-cli -- bench --quick

# Regenerate schemas/ from the Rust types.
schemas:
    UPDATE_SCHEMAS=1 cargo test -p switchboard-journal schema

# Format the code.
fmt:
    cargo fmt --all
