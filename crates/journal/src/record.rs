//! One journal record and its stored bytes (format version 2; format-1 records are upcast when
//! read, see [`switchboard_domain::format1`]).
//!
//! The stored bytes of a record are its bincode 2 encoding (serde API, `config::standard()`) of
//! the tuple `(format, seq, at_ms, actor as text, body)`, followed by the CRC32 of those bytes
//! (little-endian). The CRC is what an exported line carries, so any edit of a field is caught.
use serde::{Deserialize, Serialize};
use switchboard_domain::{ActorName, Entry};

use crate::error::{Error, Result};

pub use crate::format::{FORMAT_OLDEST, FORMAT_VERSION};

/// Longest encoded record (without its checksum), in bytes. Domain records are a few hundred
/// bytes; anything near this is a bug or damage.
pub const RECORD_BYTES_MAX: usize = 1 << 20;

/// Bytes a checksum takes after the encoded record.
pub const CRC_BYTES: usize = 4;

/// Whether a record holds an input or a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An input an actor received, recorded before it acted on it.
    Input,
    /// A command an actor decided.
    Command,
    /// A snapshot of every machine (format 3 on).
    Snapshot,
}

impl Kind {
    /// The kind of a body.
    pub fn of(body: &Entry) -> Kind {
        match body {
            Entry::Input(_) => Kind::Input,
            Entry::Command(_) => Kind::Command,
            Entry::Snapshot(_) => Kind::Snapshot,
        }
    }
}

/// A record as stored: its seq, when and by whom it was written, and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Its format version: always [`FORMAT_VERSION`] once read, because a record written in an
    /// older format is upcast to today's types when it is read (its stored bytes are unchanged).
    pub format: u16,
    /// Its position in the log, from 0, gap-free.
    pub seq: u64,
    /// When it was recorded (the time the machine was given).
    pub at_ms: u64,
    /// The actor that received the input or decided the command.
    pub actor: ActorName,
    /// The input or command.
    pub body: Entry,
}

/// A record to append: the journal assigns its seq and format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    /// When it happened.
    pub at_ms: u64,
    /// The actor.
    pub actor: ActorName,
    /// The input or command.
    pub body: Entry,
}

impl Record {
    /// Input or command, from the body.
    pub fn kind(&self) -> Kind {
        Kind::of(&self.body)
    }

    /// The stored bytes: the encoded record followed by its CRC32.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        stored_bytes(self.seq, self.at_ms, self.actor, &self.body)
    }

    /// The CRC32 of the encoded record: what an exported line carries.
    pub fn crc32(&self) -> Result<u32> {
        let mut out = Vec::new();
        encode_into(self.seq, self.at_ms, self.actor, &self.body, &mut out)?;
        Ok(crc32fast::hash(&out))
    }

    /// The CRC32 this record had when a build writing `format` (2 or today's) stored it: what an
    /// export line of that format carries.
    pub fn crc32_as(&self, format: u16) -> Result<u32> {
        let actor = self.actor.to_string();
        let fields = (format, self.seq, self.at_ms, actor.as_str(), &self.body);
        let bytes =
            bincode::serde::encode_to_vec(fields, bincode::config::standard()).map_err(|e| {
                Error::Encode {
                    seq: self.seq,
                    what: e.to_string(),
                }
            })?;
        Ok(crc32fast::hash(&bytes))
    }

    /// Reads stored bytes (encoded record and CRC32) that should hold the record `seq`.
    pub fn from_bytes(bytes: &[u8], seq: u64) -> Result<Record> {
        let Some(split) = bytes.len().checked_sub(CRC_BYTES) else {
            return Err(Error::Torn {
                seq,
                got: bytes.len(),
                expected: CRC_BYTES + 1,
            });
        };
        let (payload, crc) = bytes.split_at(split);
        let crc = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
        check_crc(payload, crc, seq)?;
        decode_payload(payload, seq)
    }
}

impl NewRecord {
    /// The record this becomes at `seq`.
    pub fn at_seq(&self, seq: u64) -> Record {
        Record {
            format: FORMAT_VERSION,
            seq,
            at_ms: self.at_ms,
            actor: self.actor,
            body: self.body.clone(),
        }
    }
}

impl NewRecord {
    /// The stored bytes this record gets at `seq` (what a journal writes, framed).
    pub fn to_bytes(&self, seq: u64) -> Result<Vec<u8>> {
        stored_bytes(seq, self.at_ms, self.actor, &self.body)
    }
}

fn stored_bytes(seq: u64, at_ms: u64, actor: ActorName, body: &Entry) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let len = encode_into(seq, at_ms, actor, body, &mut out)?;
    let crc = crc32fast::hash(&out[..len]);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

impl From<Record> for NewRecord {
    fn from(r: Record) -> Self {
        NewRecord {
            at_ms: r.at_ms,
            actor: r.actor,
            body: r.body,
        }
    }
}

/// Appends the encoded record (without checksum) to `out` in the current format and returns how
/// many bytes it took.
pub(crate) fn encode_into(
    seq: u64,
    at_ms: u64,
    actor: ActorName,
    body: &Entry,
    out: &mut Vec<u8>,
) -> Result<usize> {
    let start = out.len();
    let actor = actor.to_string();
    let fields = (FORMAT_VERSION, seq, at_ms, actor.as_str(), body);
    bincode::serde::encode_into_std_write(fields, out, bincode::config::standard()).map_err(
        |e| Error::Encode {
            seq,
            what: e.to_string(),
        },
    )?;
    let len = out.len() - start;
    if len > RECORD_BYTES_MAX {
        out.truncate(start);
        return Err(Error::TooLarge {
            bytes: len,
            max: RECORD_BYTES_MAX,
        });
    }
    Ok(len)
}

/// Fails unless `crc` is the CRC32 of `payload`.
pub(crate) fn check_crc(payload: &[u8], crc: u32, seq: u64) -> Result<()> {
    let actual = crc32fast::hash(payload);
    if actual != crc {
        return Err(Error::Corrupt {
            seq,
            what: format!("checksum mismatch (stored {crc:08x}, computed {actual:08x})"),
        });
    }
    Ok(())
}

type Fields = (u16, u64, u64, String, Entry);
/// What a format-1 record holds.
type FieldsV1 = (u16, u64, u64, String, switchboard_domain::format1::Entry);

/// The CRC32 a format-1 record with these fields had when it was stored: what a format-1 export
/// line carries.
pub(crate) fn crc32_v1(
    seq: u64,
    at_ms: u64,
    actor: ActorName,
    body: &switchboard_domain::format1::Entry,
) -> Result<u32> {
    let actor = actor.to_string();
    let fields = (1u16, seq, at_ms, actor.as_str(), body);
    let bytes =
        bincode::serde::encode_to_vec(fields, bincode::config::standard()).map_err(|e| {
            Error::Encode {
                seq,
                what: e.to_string(),
            }
        })?;
    Ok(crc32fast::hash(&bytes))
}

/// Decodes a checksummed payload that should hold the record `seq`, checking what it says.
pub(crate) fn decode_payload(payload: &[u8], seq: u64) -> Result<Record> {
    // The limit bounds what a length prefix inside the payload may ask the decoder to allocate:
    // a CRC-valid record claiming a terabyte-long string is an error, not an abort.
    let config = bincode::config::standard().with_limit::<RECORD_BYTES_MAX>();
    let corrupt = |what: String| Error::Corrupt { seq, what };
    let undecodable = |e: bincode::error::DecodeError| match e {
        bincode::error::DecodeError::LimitExceeded => corrupt(format!(
            "a length inside the record claims more than the {RECORD_BYTES_MAX}-byte record limit"
        )),
        e => corrupt(format!("undecodable: {e}")),
    };
    let (format, _): (u16, usize) = bincode::serde::decode_from_slice(payload, config)
        .map_err(|e| corrupt(format!("unreadable format number: {e}")))?;
    if payload.len() > RECORD_BYTES_MAX {
        return Err(corrupt(format!(
            "{} bytes exceed the {RECORD_BYTES_MAX}-byte record limit",
            payload.len()
        )));
    }
    let ((got_seq, at_ms, actor, body), used) = match format {
        FORMAT_VERSION | crate::format::FORMAT_2 => {
            let ((_, seq, at, actor, body), used): (Fields, usize) =
                bincode::serde::decode_from_slice(payload, config).map_err(undecodable)?;
            if format == crate::format::FORMAT_2 && matches!(body, Entry::Snapshot(_)) {
                return Err(corrupt("a format-2 record cannot hold a snapshot".into()));
            }
            ((seq, at, actor, body), used)
        }
        1 => {
            let ((_, seq, at, actor, body), used): (FieldsV1, usize) =
                bincode::serde::decode_from_slice(payload, config).map_err(undecodable)?;
            ((seq, at, actor, Entry::from(body)), used)
        }
        _ => {
            return Err(Error::UnsupportedFormat {
                seq,
                format,
                supported: FORMAT_VERSION,
            })
        }
    };
    let format = FORMAT_VERSION;
    if used != payload.len() {
        return Err(corrupt(format!(
            "{} stray bytes after the record",
            payload.len() - used
        )));
    }
    if got_seq != seq {
        return Err(corrupt(format!("it holds seq {got_seq}")));
    }
    let actor = actor
        .parse::<ActorName>()
        .map_err(|e| corrupt(e.to_string()))?;
    let record = Record {
        format,
        seq,
        at_ms,
        actor,
        body,
    };
    // Read-back invariants: what was checked above is what the caller gets.
    assert_eq!(record.seq, seq);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_domain::{Command, Effect, Message};

    fn unhex(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Bytes a format-1 build stored (frozen from that build): they still read, upcast.
    #[test]
    fn stored_bytes_of_format_1_still_read() {
        let bytes = unhex("01fb2c01fd0068e5cf8b0100000973657373696f6e2f3301040397ec27e5");
        let record = Record::from_bytes(&bytes, 300).unwrap();
        assert_eq!(
            record,
            Record {
                format: FORMAT_VERSION,
                seq: 300,
                at_ms: 1_700_000_000_000,
                actor: ActorName::Session(3),
                body: Entry::Command(Command::Effect(Effect::LeaveSession { attempt: 3 })),
            }
        );
        let v1 = switchboard_domain::format1::Entry::Command(
            switchboard_domain::format1::Command::LeaveSession { attempt: 3 },
        );
        let crc = crc32_v1(300, 1_700_000_000_000, ActorName::Session(3), &v1).unwrap();
        assert_eq!(crc.to_le_bytes(), bytes[bytes.len() - 4..]);
    }

    /// A format-1 record holding a UI state format 2 changed reads with the new fields at their
    /// "nothing new" values.
    #[test]
    fn a_format_1_render_is_upcast() {
        use switchboard_domain::format1 as v1;
        let old = v1::Entry::Command(v1::Command::Render(v1::UiState::Error {
            message: "no".into(),
            can_retry: true,
        }));
        let mut payload = bincode::serde::encode_to_vec(
            (1u16, 4u64, 9u64, "ui", &old),
            bincode::config::standard(),
        )
        .unwrap();
        let crc = crc32fast::hash(&payload);
        payload.extend_from_slice(&crc.to_le_bytes());
        let record = Record::from_bytes(&payload, 4).unwrap();
        assert_eq!(
            record.body,
            Entry::Command(Command::Effect(Effect::Render(
                switchboard_domain::UiState::Error {
                    message: "no".into(),
                    can_retry: true,
                    open_settings: false,
                }
            )))
        );
        assert_eq!(record.format, FORMAT_VERSION);
    }

    /// The stored bytes of a known record, frozen: a change here is a new format version.
    #[test]
    fn stored_bytes_of_format_3_are_stable_and_format_2_still_reads() {
        let record = Record {
            format: FORMAT_VERSION,
            seq: 300,
            at_ms: 1_700_000_000_000,
            actor: ActorName::Session(3),
            body: Entry::Command(Command::Effect(Effect::LeaveSession { attempt: 3 })),
        };
        let bytes = record.to_bytes().unwrap();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "03fb2c01fd0068e5cf8b010000097365737369\
             6f6e2f33010403f8a76df0"
        );
        assert_eq!(Record::from_bytes(&bytes, 300).unwrap(), record);
        // What a format-2 build stored for the same record (frozen from that build).
        let v2 = "02fb2c01fd0068e5cf8b0100000973657373696f6e2f330104036f017017";
        let v2: Vec<u8> = (0..v2.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&v2[i..i + 2], 16).unwrap())
            .collect();
        assert_eq!(Record::from_bytes(&v2, 300).unwrap(), record);
        assert_eq!(
            record.crc32_as(2).unwrap().to_le_bytes(),
            v2[v2.len() - 4..]
        );
        assert_eq!(
            record.crc32().unwrap().to_le_bytes(),
            bytes[bytes.len() - 4..]
        );
    }

    /// The number of every command's variant in the bytes, frozen: format 2 wrote commands as
    /// one flat enum, in this order (the format-2 additions last), and the domain's split into
    /// effects and messages must not renumber one. The table is written out from that enum, not
    /// derived from today's types.
    #[test]
    fn every_command_keeps_its_format_2_variant_number() {
        use switchboard_domain::effect::{AudioCategory, AudioOptions, AudioSessionMode};
        use switchboard_domain::view::{AudioView, PhaseView, SessionView};
        use switchboard_domain::{
            AudioMode, EndReason, MediaKind, Notice, SessionId, SessionInput, SessionSettings,
            TimerId, TimerKind, UiState,
        };
        let session_id = SessionId::parse("room").unwrap();
        let timer = TimerId {
            kind: TimerKind::JoinTimeout,
            attempt: 4,
        };
        let effect = |e: Effect| Command::Effect(e);
        let message = |m: Message| Command::Message(m);
        let table: Vec<(u32, Command)> = vec![
            (0, effect(Effect::InitCallsSdk)),
            (1, effect(Effect::InitChatSdk)),
            (2, effect(Effect::RegisterListeners { attempt: 4 })),
            (
                3,
                effect(Effect::JoinSession {
                    attempt: 4,
                    session_id: session_id.clone(),
                    settings: SessionSettings::default(),
                }),
            ),
            (4, effect(Effect::LeaveSession { attempt: 4 })),
            (5, effect(Effect::MuteAudio { attempt: 4 })),
            (6, effect(Effect::UnmuteAudio { attempt: 4 })),
            (7, effect(Effect::PauseVideo { attempt: 4 })),
            (8, effect(Effect::ResumeVideo { attempt: 4 })),
            (
                9,
                effect(Effect::SetAudioMode {
                    attempt: 4,
                    mode: AudioMode::Speaker,
                }),
            ),
            (
                10,
                effect(Effect::ConfigureAudio {
                    category: AudioCategory::PlayAndRecord,
                    mode: AudioSessionMode::VoiceChat,
                    options: AudioOptions {
                        allow_bluetooth: true,
                        default_to_speaker: false,
                    },
                }),
            ),
            (11, effect(Effect::ActivateAudio)),
            (
                12,
                effect(Effect::DeactivateAudio {
                    notify_others: true,
                }),
            ),
            (13, effect(Effect::OverrideOutput { speaker: true })),
            (
                14,
                effect(Effect::StartTimer {
                    id: timer,
                    after_ms: 30_000,
                }),
            ),
            (15, effect(Effect::CancelTimer { id: timer })),
            (16, effect(Effect::Render(UiState::Idle))),
            (
                17,
                message(Message::StartAttempt {
                    attempt: 4,
                    session_id: session_id.clone(),
                    settings: SessionSettings::default(),
                    join_timeout_ms: 30_000,
                    leave_ack_timeout_ms: 5_000,
                }),
            ),
            (
                18,
                message(Message::Forward {
                    attempt: 4,
                    input: SessionInput::Leave,
                }),
            ),
            (
                19,
                message(Message::CallStarting {
                    attempt: 4,
                    video: true,
                }),
            ),
            (
                20,
                message(Message::Ended {
                    attempt: 4,
                    reason: EndReason::LocalLeave,
                }),
            ),
            (
                21,
                message(Message::SessionChanged(SessionView {
                    attempt: 4,
                    session_id: session_id.clone(),
                    title: "room".into(),
                    phase: PhaseView::Joining,
                    muted: false,
                    camera_off: false,
                    participant_count: 1,
                    audio_mode: None,
                    waiting_for: None,
                    camera_unavailable: false,
                })),
            ),
            (22, message(Message::AudioChanged(AudioView::default()))),
            (23, message(Message::Notify(Notice::Dismissed))),
            (24, effect(Effect::LoginCallsSdk)),
            (
                25,
                effect(Effect::RequestPermission {
                    media: MediaKind::Camera,
                }),
            ),
            (26, effect(Effect::OpenAppSettings)),
            (
                27,
                effect(Effect::ShareLink {
                    url: "https://meet.switchboard.example/meet/room".into(),
                }),
            ),
            (28, effect(Effect::InitCalls { request: 2 })),
        ];

        // One row per variant: a new effect or message does not compile here until it has a row
        // (and a number after 28).
        let variant = |c: &Command| -> &'static str {
            match c {
                Command::Effect(e) => match e {
                    Effect::InitCallsSdk => "InitCallsSdk",
                    Effect::InitChatSdk => "InitChatSdk",
                    Effect::RegisterListeners { .. } => "RegisterListeners",
                    Effect::JoinSession { .. } => "JoinSession",
                    Effect::LeaveSession { .. } => "LeaveSession",
                    Effect::MuteAudio { .. } => "MuteAudio",
                    Effect::UnmuteAudio { .. } => "UnmuteAudio",
                    Effect::PauseVideo { .. } => "PauseVideo",
                    Effect::ResumeVideo { .. } => "ResumeVideo",
                    Effect::SetAudioMode { .. } => "SetAudioMode",
                    Effect::ConfigureAudio { .. } => "ConfigureAudio",
                    Effect::ActivateAudio => "ActivateAudio",
                    Effect::DeactivateAudio { .. } => "DeactivateAudio",
                    Effect::OverrideOutput { .. } => "OverrideOutput",
                    Effect::StartTimer { .. } => "StartTimer",
                    Effect::CancelTimer { .. } => "CancelTimer",
                    Effect::Render(_) => "Render",
                    Effect::LoginCallsSdk => "LoginCallsSdk",
                    Effect::RequestPermission { .. } => "RequestPermission",
                    Effect::OpenAppSettings => "OpenAppSettings",
                    Effect::ShareLink { .. } => "ShareLink",
                    Effect::InitCalls { .. } => "InitCalls",
                },
                Command::Message(m) => match m {
                    Message::StartAttempt { .. } => "StartAttempt",
                    Message::Forward { .. } => "Forward",
                    Message::CallStarting { .. } => "CallStarting",
                    Message::Ended { .. } => "Ended",
                    Message::SessionChanged(_) => "SessionChanged",
                    Message::AudioChanged(_) => "AudioChanged",
                    Message::Notify(_) => "Notify",
                },
            }
        };
        let names: std::collections::BTreeSet<_> = table.iter().map(|(_, c)| variant(c)).collect();
        assert_eq!(names.len(), table.len(), "a variant has two rows");
        assert_eq!(table.len(), 29, "format 2 has 29 commands");

        let config = bincode::config::standard();
        for (number, command) in &table {
            let bytes = bincode::serde::encode_to_vec(command, config).unwrap();
            // bincode's standard config writes the variant index as a varint: one byte below 251.
            assert_eq!(
                u32::from(bytes[0]),
                *number,
                "{} is written as variant {}",
                variant(command),
                bytes[0]
            );
            let (back, read): (Command, usize) =
                bincode::serde::decode_from_slice(&bytes, config).unwrap();
            assert_eq!(&back, command);
            assert_eq!(read, bytes.len());
        }
    }

    /// A record whose checksum is right but whose actor name claims to be a terabyte long: the
    /// decoder must refuse the length, not try to allocate it.
    #[test]
    fn a_crc_valid_record_with_a_huge_length_prefix_is_an_error_naming_its_seq() {
        let config = bincode::config::standard();
        let mut payload =
            bincode::serde::encode_to_vec((FORMAT_VERSION, 9u64, 5u64), config).unwrap();
        // bincode's varint for a u64 above u32::MAX: the marker 253, then 8 bytes little-endian.
        payload.push(253);
        payload.extend_from_slice(&(1u64 << 40).to_le_bytes());
        payload.extend_from_slice(b"router");
        let mut bytes = payload.clone();
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        match Record::from_bytes(&bytes, 9) {
            Err(Error::Corrupt { seq: 9, what }) => {
                assert!(what.contains("record limit"), "{what}")
            }
            other => panic!("expected a corrupt-record error, got {other:?}"),
        }
    }

    #[test]
    fn damaged_bytes_are_errors_not_panics() {
        let record = NewRecord {
            at_ms: 5,
            actor: ActorName::Router,
            body: Entry::Command(Command::Effect(Effect::InitCallsSdk)),
        };
        let bytes = record.to_bytes(7).unwrap();
        assert!(matches!(
            Record::from_bytes(&bytes, 8),
            Err(Error::Corrupt { seq: 8, .. })
        ));
        for cut in 0..bytes.len() {
            assert!(Record::from_bytes(&bytes[..cut], 7).is_err());
        }
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 1;
            assert!(Record::from_bytes(&bad, 7).is_err(), "flip at {i}");
        }
    }
}
