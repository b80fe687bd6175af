//! The state a snapshot record holds ([`State`]: every machine and the pending timers) and its
//! encoding inside [`switchboard_domain::Snapshot`].
//!
//! The state is bincode 2 (serde API, `config::standard()`) of [`State`], tagged with
//! [`STATE_LAYOUT`]. bincode is not self-describing, so a build reads only the layout it writes:
//! whoever changes the shape of a machine's state bumps the number (the test
//! `the_state_layout_is_frozen` fails until they do). A snapshot of another layout is unusable,
//! never an error of the log: readers fold from further back instead.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchboard_domain::{Machines, Snapshot, TimerId};

use crate::error::{Error, Result};
use crate::record::RECORD_BYTES_MAX;

/// The layout of the snapshot state this build writes and reads.
pub const STATE_LAYOUT: u32 = 1;

/// What a snapshot holds: the fold of every record before it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Every machine.
    pub machines: Machines,
    /// The timers started and not yet cancelled or fired, with when each is due (ms).
    pub timers: BTreeMap<TimerId, u64>,
}

impl State {
    /// The snapshot body for this state.
    pub fn to_snapshot(&self) -> Result<Snapshot> {
        let state =
            bincode::serde::encode_to_vec(self, bincode::config::standard()).map_err(|e| {
                Error::Encode {
                    seq: 0,
                    what: format!("snapshot state: {e}"),
                }
            })?;
        Ok(Snapshot {
            layout: STATE_LAYOUT,
            state,
        })
    }

    /// The state a snapshot holds, or why this build cannot use it.
    pub fn from_snapshot(snapshot: &Snapshot) -> std::result::Result<State, String> {
        if snapshot.layout != STATE_LAYOUT {
            return Err(format!(
                "its state has layout {}, this build reads layout {STATE_LAYOUT}",
                snapshot.layout
            ));
        }
        let config = bincode::config::standard().with_limit::<RECORD_BYTES_MAX>();
        match bincode::serde::decode_from_slice::<State, _>(&snapshot.state, config) {
            Ok((state, used)) if used == snapshot.state.len() => Ok(state),
            Ok((_, used)) => Err(format!(
                "{} stray bytes after its state",
                snapshot.state.len() - used
            )),
            Err(e) => Err(format!("its state does not decode: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::scripted_log;
    use crate::Replay;

    /// The state after a scripted boot and calls, as a fold leaves it.
    fn folded_state() -> State {
        let mut replay = Replay::folding();
        for (seq, r) in (0u64..).zip(scripted_log(200)) {
            replay.feed(&r.at_seq(seq));
        }
        replay.state()
    }

    #[test]
    fn a_state_round_trips_and_other_layouts_are_refused() {
        let state = folded_state();
        let snapshot = state.to_snapshot().unwrap();
        assert_eq!(State::from_snapshot(&snapshot).unwrap(), state);
        let other = Snapshot {
            layout: STATE_LAYOUT + 1,
            ..snapshot.clone()
        };
        assert!(State::from_snapshot(&other).unwrap_err().contains("layout"));
        let mut cut = snapshot.clone();
        cut.state.truncate(cut.state.len() / 2);
        assert!(State::from_snapshot(&cut).unwrap_err().contains("decode"));
        let mut long = snapshot;
        long.state.push(0);
        assert!(State::from_snapshot(&long).unwrap_err().contains("stray"));
    }

    /// The bytes of a scripted state (every machine, sessions included) frozen under layout 1
    /// decode to that state. When this fails, the shape of a machine's state changed: bump
    /// STATE_LAYOUT and freeze new bytes (`FREEZE_STATE=1`); old snapshots then read as
    /// unusable, and readers fold from further back.
    #[test]
    fn the_state_layout_is_frozen() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/snapshot-state-layout-1.hex"
        );
        let state = folded_state();
        if std::env::var_os("FREEZE_STATE").is_some() {
            let bytes = state.to_snapshot().unwrap().state;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            std::fs::write(path, hex + "\n").unwrap();
        }
        let hex = std::fs::read_to_string(path).unwrap();
        let frozen: Vec<u8> = (0..hex.trim().len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let snapshot = Snapshot {
            layout: 1,
            state: frozen,
        };
        assert_eq!(STATE_LAYOUT, 1, "freeze the bytes of the new layout");
        assert_eq!(
            State::from_snapshot(&snapshot).as_ref(),
            Ok(&state),
            "the state's shape changed: bump STATE_LAYOUT"
        );
    }
}
