//! Why a meeting link, or the session id inside one, is refused ([`LinkRejection`]). A leaf, so
//! both [`crate::ids`] (an id's own checks) and [`crate::link`] (the whole URL's) can name it.
use serde::{Deserialize, Serialize};

/// Why a meeting link was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LinkRejection {
    /// Nothing to parse, or no id after `/meet/`.
    EmptyId,
    /// The URL or the id is longer than allowed.
    TooLong,
    /// Not a URL at all.
    Malformed,
    /// Not `https`.
    WrongScheme,
    /// The host is not on the allow-list, or a port other than 443 was given.
    HostNotAllowed,
    /// User name or password in the URL.
    HasCredentials,
    /// The path is not exactly `/meet/{id}`.
    WrongPath,
    /// The id holds characters outside `[A-Za-z0-9_-]` (after one percent-decoding), or the URL
    /// holds whitespace, control characters or backslashes.
    BadCharacters,
}

impl LinkRejection {
    /// Every reason, in declaration order.
    pub const ALL: [LinkRejection; 8] = [
        LinkRejection::EmptyId,
        LinkRejection::TooLong,
        LinkRejection::Malformed,
        LinkRejection::WrongScheme,
        LinkRejection::HostNotAllowed,
        LinkRejection::HasCredentials,
        LinkRejection::WrongPath,
        LinkRejection::BadCharacters,
    ];

    /// A stable machine-readable name.
    pub fn code(self) -> &'static str {
        match self {
            LinkRejection::EmptyId => "empty",
            LinkRejection::TooLong => "too_long",
            LinkRejection::Malformed => "malformed",
            LinkRejection::WrongScheme => "wrong_scheme",
            LinkRejection::HostNotAllowed => "host_not_allowed",
            LinkRejection::HasCredentials => "has_credentials",
            LinkRejection::WrongPath => "wrong_path",
            LinkRejection::BadCharacters => "bad_characters",
        }
    }

    /// A sentence for the user or the support engineer.
    pub fn message(self) -> &'static str {
        match self {
            LinkRejection::EmptyId => "The meeting link has no meeting id.",
            LinkRejection::TooLong => "The meeting link is too long.",
            LinkRejection::Malformed => "This is not a web link.",
            LinkRejection::WrongScheme => "Meeting links must start with https://.",
            LinkRejection::HostNotAllowed => {
                "This link is not from a meeting site this app trusts."
            }
            LinkRejection::HasCredentials => "Meeting links may not carry a user name or password.",
            LinkRejection::WrongPath => "Meeting links look like https://host/meet/ID.",
            LinkRejection::BadCharacters => {
                "The meeting id may only hold letters, digits, '_' and '-'."
            }
        }
    }
}

impl std::fmt::Display for LinkRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for LinkRejection {}
