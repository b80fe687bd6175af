//! Identifiers: session ids from meeting links, attempt numbers, and the stable names actors carry
//! in the log (never a process-global actor id).
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::rejection::LinkRejection;

/// One try at joining a session, numbered by the router from 1. Every SDK callback carries the
/// attempt it belongs to, so callbacks of an old attempt can be told apart and ignored.
pub type AttemptId = u64;

/// Longest session id accepted, in bytes (after percent-decoding).
pub const SESSION_ID_MAX_LEN: usize = 64;

/// A validated CometChat session id: 1 to 64 characters of `[A-Za-z0-9_-]`, case-sensitive.
///
/// These characters keep the id safe in URLs, logs and file names, and valid as a CometChat group
/// GUID for in-call chat.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

#[cfg(feature = "uniffi")]
uniffi::custom_type!(
    /// A validated CometChat session id, as its text (a string that breaks the rules fails to
    /// lift, as it fails to deserialize).
    SessionId,
    String
);

impl SessionId {
    /// Checks a raw (already decoded) id against the session id rules.
    pub fn parse(raw: &str) -> Result<Self, LinkRejection> {
        if raw.is_empty() {
            return Err(LinkRejection::EmptyId);
        }
        if raw.len() > SESSION_ID_MAX_LEN {
            return Err(LinkRejection::TooLong);
        }
        if !raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(LinkRejection::BadCharacters);
        }
        Ok(SessionId(raw.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SessionId {
    type Error = LinkRejection;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        SessionId::parse(&value)
    }
}

impl From<SessionId> for String {
    fn from(value: SessionId) -> Self {
        value.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stable name of an actor, as written in the log: `router`, `audio`, `ui` or
/// `session/<attempt>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ActorName {
    /// The router machine.
    Router,
    /// The session machine of one attempt.
    Session(AttemptId),
    /// The audio-session machine.
    Audio,
    /// The UI bridge.
    Ui,
}

impl fmt::Display for ActorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActorName::Router => f.write_str("router"),
            ActorName::Session(a) => write!(f, "session/{a}"),
            ActorName::Audio => f.write_str("audio"),
            ActorName::Ui => f.write_str("ui"),
        }
    }
}

/// Error for a string that is not an actor name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadActorName(pub String);

impl fmt::Display for BadActorName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not an actor name (router, audio, ui or session/N)",
            self.0
        )
    }
}

impl std::error::Error for BadActorName {}

impl FromStr for ActorName {
    type Err = BadActorName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "router" => Ok(ActorName::Router),
            "audio" => Ok(ActorName::Audio),
            "ui" => Ok(ActorName::Ui),
            _ => s
                .strip_prefix("session/")
                .and_then(|n| n.parse().ok())
                .map(ActorName::Session)
                .ok_or_else(|| BadActorName(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_names_round_trip() {
        for a in [
            ActorName::Router,
            ActorName::Audio,
            ActorName::Ui,
            ActorName::Session(42),
        ] {
            assert_eq!(a.to_string().parse::<ActorName>(), Ok(a));
        }
        assert!("session/x".parse::<ActorName>().is_err());
        assert!("Router".parse::<ActorName>().is_err());
    }

    #[test]
    fn session_id_rules() {
        assert!(SessionId::parse("abc_DEF-123").is_ok());
        assert_eq!(SessionId::parse(""), Err(LinkRejection::EmptyId));
        assert_eq!(SessionId::parse("a.b"), Err(LinkRejection::BadCharacters));
        assert_eq!(
            SessionId::parse(&"a".repeat(65)),
            Err(LinkRejection::TooLong)
        );
        assert!(SessionId::parse(&"a".repeat(64)).is_ok());
    }
}
