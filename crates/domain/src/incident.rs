//! Incidents: what the runtime reports about its own footing, as inputs, so the log a support
//! engineer replays shows it (DESIGN rule 13). The journal it opened at start-up had to be set
//! aside or trimmed; a port call the shell could not carry out failed or panicked. The router
//! records each one; no machine acts on them yet, so they change no state and decide nothing.
use serde::{Deserialize, Serialize};

use crate::effect::Effect;

/// Longest error text an incident keeps, in bytes: a shell error is one line, and the log must
/// not grow by whatever a port chose to say.
pub const INCIDENT_MESSAGE_BYTES_MAX: usize = 1024;

/// Something that went wrong around the machines rather than inside them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Incident {
    /// The journal could not be opened at all: it was moved aside whole (never deleted) and this
    /// log was started fresh. This is then the first input of the new log.
    JournalSetAside {
        /// The name the old journal directory was given, beside the new one.
        kept_as: String,
        /// Why it could not be opened.
        message: String,
    },
    /// The journal opened, but its tail was damaged: the bad records were moved into its
    /// quarantine tree and appends continue after the last good one.
    JournalTailQuarantined {
        /// The first seq that could not be read.
        from_seq: u64,
        /// Stored batches moved aside.
        batches: u64,
        /// Bytes they hold.
        bytes: u64,
        /// What was wrong with the first of them.
        message: String,
    },
    /// Files the storage engine leaves behind when it is killed mid-write (sled's unfinished
    /// `snap.*.generating`) were removed before the journal was opened.
    StorageLeftoversRemoved {
        /// Their file names.
        files: Vec<String>,
    },
    /// The shell could not carry out a command the core performed through a port: the port
    /// returned an error or panicked. The command was journaled before it was performed, so
    /// replay still sees it; this says it did not happen.
    PortFailed {
        /// The command whose port call failed.
        command: Effect,
        /// The shell's error, or the panic message (at most [`INCIDENT_MESSAGE_BYTES_MAX`]).
        message: String,
    },
}

impl Incident {
    /// A port failure of `effect`, its message clipped to [`INCIDENT_MESSAGE_BYTES_MAX`] bytes.
    pub fn port_failed(effect: Effect, message: &str) -> Incident {
        Incident::PortFailed {
            command: effect,
            message: clip_message(message),
        }
    }

    /// A short name for the kind of incident, as `diagnose` and the timeline print it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Incident::JournalSetAside { .. } => "journal set aside",
            Incident::JournalTailQuarantined { .. } => "journal tail quarantined",
            Incident::StorageLeftoversRemoved { .. } => "storage leftovers removed",
            Incident::PortFailed { .. } => "port call failed",
        }
    }
}

/// `message` cut to at most [`INCIDENT_MESSAGE_BYTES_MAX`] bytes on a character boundary, on one
/// line.
pub fn clip_message(message: &str) -> String {
    let line = message.replace(['\n', '\r'], " ");
    if line.len() <= INCIDENT_MESSAGE_BYTES_MAX {
        return line;
    }
    let mut end = INCIDENT_MESSAGE_BYTES_MAX;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_port_failure_message_is_one_bounded_line() {
        let long = "é".repeat(INCIDENT_MESSAGE_BYTES_MAX);
        let Incident::PortFailed { message, .. } =
            Incident::port_failed(Effect::ActivateAudio, &format!("a\nb{long}"))
        else {
            panic!("not a port failure");
        };
        assert!(message.len() <= INCIDENT_MESSAGE_BYTES_MAX);
        assert!(message.starts_with("a b"), "{message}");
        assert!(!message.contains('\n'));
        assert_eq!(clip_message("short"), "short");
    }
}
