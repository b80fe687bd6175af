//! The body of one journal record ([`Entry`]): an input an actor received, a command it decided,
//! or a [`Snapshot`] of every machine at that point of the log.
//!
//! A snapshot's state travels as opaque bytes with the number of their layout. The record around
//! them decodes whatever the bytes hold, so a build whose machines have another shape reads the
//! log as before and only finds the snapshot unusable (and folds from further back, saying so):
//! a snapshot is a cache of the fold, never the only copy of anything. The journal crate encodes
//! and decodes the state (`switchboard_journal::snapshot`).
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::command::Command;
use crate::input::Input;

/// The body of one journal record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// An input, recorded before the machine acted on it.
    Input(Input),
    /// A command the machine decided.
    Command(Command),
    /// Every machine's state and the pending timers, as the records before it leave them.
    Snapshot(Snapshot),
}

/// The state of every machine at one point of the log, encoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Snapshot {
    /// The layout of `state`: the state layout number of the build that wrote it. A build reads
    /// only its own layout.
    pub layout: u32,
    /// The encoded state (bincode of the machines and the pending timers; lowercase hex in JSON).
    #[serde(with = "hex_or_bytes")]
    #[cfg_attr(
        feature = "schema",
        schemars(with = "String", regex(pattern = r"^([0-9a-f]{2})*$"))
    )]
    pub state: Vec<u8>,
}

impl std::fmt::Display for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "snapshot of every machine (layout {}, {} bytes)",
            self.layout,
            self.state.len()
        )
    }
}

/// Bytes as lowercase hex for readers of text (JSON), as bytes for binary encodings.
mod hex_or_bytes {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            let mut text = String::with_capacity(bytes.len() * 2);
            for b in bytes {
                text.push(char::from(HEX[usize::from(b >> 4)]));
                text.push(char::from(HEX[usize::from(b & 15)]));
            }
            s.serialize_str(&text)
        } else {
            serde::Serialize::serialize(bytes, s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            unhex(&text).ok_or_else(|| {
                serde::de::Error::custom("snapshot state is not lowercase hex of whole bytes")
            })
        } else {
            Vec::<u8>::deserialize(d)
        }
    }

    const HEX: &[u8; 16] = b"0123456789abcdef";

    fn unhex(text: &str) -> Option<Vec<u8>> {
        let digit = |c: u8| HEX.iter().position(|&h| h == c).map(|v| v as u8);
        let bytes = text.as_bytes();
        if !bytes.len().is_multiple_of(2) {
            return None;
        }
        bytes
            .chunks(2)
            .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_state_is_hex_in_json_and_refuses_other_text() {
        let s = Entry::Snapshot(Snapshot {
            layout: 7,
            state: vec![0, 1, 0xab, 0xff],
        });
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"snapshot":{"layout":7,"state":"0001abff"}}"#);
        assert_eq!(serde_json::from_str::<Entry>(&json).unwrap(), s);
        for bad in ["0001ABFF", "001", "zz"] {
            let text = format!(r#"{{"snapshot":{{"layout":7,"state":"{bad}"}}}}"#);
            let e = serde_json::from_str::<Entry>(&text).unwrap_err();
            assert!(e.to_string().contains("lowercase hex"), "{bad}: {e}");
        }
    }
}
