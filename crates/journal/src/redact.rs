//! Redaction for exports that leave the device: session ids, meeting links, call titles (which
//! may hold people's names) and SDK error texts (which may hold user ids or tokens) are replaced
//! by stable salted hashes: the same value gives the same hash within one export, a fresh salt
//! gives unrelated hashes next time. Hashes are valid session ids, so a redacted log still
//! replays and verifies: a link to a meeting becomes a link to the hashed meeting, and a
//! rejected link becomes a stand-in rejected for the same reason.
//!
//! It works in two passes. The first learns every sensitive value in the whole log; the second
//! replaces each sensitive field, and every occurrence of a learnt value inside longer texts
//! (UiState messages, join error descriptions), wherever in the log the value first appeared.
//! On the way out it checks that no learnt value is left in any string of the result.
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use sha2::{Digest, Sha256};
use switchboard_domain::{validate_link, Entry, LinkRejection, SessionId, DEFAULT_ALLOWED_HOST};

use crate::error::{Error, Result};
use crate::record::Record;

/// Salt bytes.
pub type Salt = [u8; 16];

/// Shortest learnt value that is also replaced inside longer texts (shorter ones are replaced
/// only where they are a whole field: two letters inside a sentence say nothing about anyone).
pub const SECRET_IN_TEXT_MIN: usize = 3;

/// Hex digits of a hash (after its leading `r`).
const HASH_HEX: usize = 24;

/// A random salt for one export.
pub fn fresh_salt() -> Salt {
    let mut salt = [0u8; 16];
    if getrandom::fill(&mut salt).is_err() {
        // No OS randomness: fall back to the process's hash seed, still unpredictable per run.
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x5eed);
        salt[..8].copy_from_slice(&h.finish().to_le_bytes());
    }
    salt
}

/// Redacts every record. Records are read in order for the hosts links are judged by (a
/// `Boot` sets them).
pub fn redact(records: &[Record], salt: &Salt) -> Result<Vec<Record>> {
    let mut r = Redactor {
        salt: *salt,
        hosts: vec![DEFAULT_ALLOWED_HOST.to_owned()],
        seen: HashMap::new(),
        secrets: BTreeMap::new(),
    };
    let bodies: Vec<Value> = records
        .iter()
        .map(|rec| serde_json::to_value(&rec.body).map_err(|e| Error::Redact(e.to_string())))
        .collect::<Result<_>>()?;
    for (rec, body) in records.iter().zip(&bodies) {
        r.set_hosts(rec);
        r.learn(body, "");
    }
    r.hosts = vec![DEFAULT_ALLOWED_HOST.to_owned()];
    let mut out = Vec::with_capacity(records.len());
    for (rec, mut body) in records.iter().zip(bodies) {
        r.set_hosts(rec);
        r.walk(&mut body, "");
        r.check(&body, rec.seq)?;
        let body: Entry = serde_json::from_value(body)
            .map_err(|e| Error::Redact(format!("seq {}: {e}", rec.seq)))?;
        out.push(Record {
            body,
            ..rec.clone()
        });
    }
    redact_snapshots(&mut out)?;
    Ok(out)
}

/// A snapshot's state is bincode, which the walk above cannot see into: every snapshot after
/// the first record is replaced by the fold of the redacted records before it (what it held,
/// with the values redacted, so the log still verifies). A log that starts at a snapshot cannot
/// be folded up to it: that state is dropped (left empty, so readers find it unusable and say
/// so) rather than exported unredacted.
fn redact_snapshots(records: &mut [Record]) -> Result<()> {
    let mut replay = crate::Replay::folding();
    for (i, r) in records.iter_mut().enumerate() {
        if let Entry::Snapshot(s) = &mut r.body {
            if i == 0 {
                s.state.clear();
            } else {
                *s = replay.state().to_snapshot()?;
            }
        }
        replay.feed(r);
    }
    Ok(())
}

struct Redactor {
    salt: Salt,
    hosts: Vec<String>,
    seen: HashMap<String, String>,
    /// Sensitive texts, longest first, with their hashes, for replacement inside longer texts.
    secrets: BTreeMap<(std::cmp::Reverse<usize>, String), String>,
}

/// A JoinErrorCode::Other code that looks like a vendor code (kept: support needs it).
fn code_like(code: &str) -> bool {
    code.len() <= 40
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || " _.-".contains(c))
}

impl Redactor {
    /// The hosts a process started with (`Boot`, or `Launch` since format 2) judge its links.
    fn set_hosts(&mut self, rec: &Record) {
        use switchboard_domain::{Input, Launch, RouterInput};
        if let Entry::Input(Input::Router(
            RouterInput::Boot(c) | RouterInput::Launch(Launch { config: c, .. }),
        )) = &rec.body
        {
            self.hosts = c.allowed_hosts.clone();
        }
    }

    fn hash(&mut self, value: &str) -> String {
        if let Some(h) = self.seen.get(value) {
            return h.clone();
        }
        let mut d = Sha256::new();
        d.update(self.salt);
        d.update(value.as_bytes());
        let digest = d.finalize();
        let hex: String = digest[..HASH_HEX / 2]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let h = format!("r{hex}");
        self.seen.insert(value.to_owned(), h.clone());
        h
    }

    /// Remembers a sensitive value (and its hash) for replacement inside longer texts.
    fn secret(&mut self, value: &str) {
        if value.chars().count() < SECRET_IN_TEXT_MIN {
            return;
        }
        let h = self.hash(value);
        self.secrets
            .insert((std::cmp::Reverse(value.len()), value.to_owned()), h);
    }

    /// Pass 1: every sensitive value of a body.
    fn learn(&mut self, v: &Value, key: &str) {
        match v {
            Value::Object(map) => {
                let sdk_error = key == "join_failed";
                for (k, child) in map {
                    match (child, k.as_str()) {
                        (Value::String(s), "message") if sdk_error => self.secret(s),
                        (Value::String(s), "code") if key == "other" && !code_like(s) => {
                            self.secret(s)
                        }
                        _ => self.learn(child, k),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.learn(i, key)),
            Value::String(s) => match key {
                "session_id" | "to" | "switch_offer" | "title" => self.secret(s),
                "url" => {
                    if let Ok(id) = validate_link(s, &self.hosts) {
                        self.secret(id.as_str());
                    }
                    self.secret(s);
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// Pass 2: rewrites a body in place.
    fn walk(&mut self, v: &mut Value, key: &str) {
        match v {
            Value::Object(map) => {
                let sdk_error = key == "join_failed";
                for (k, child) in map.iter_mut() {
                    match (&mut *child, k.as_str()) {
                        (Value::String(s), "message") if sdk_error => *s = self.hash(s),
                        (Value::String(s), "code") if key == "other" && !code_like(s) => {
                            *s = self.hash(s)
                        }
                        _ => self.walk(child, k),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.walk(i, key)),
            Value::String(s) => match key {
                "session_id" | "to" | "switch_offer" => *s = self.id(s),
                "title" => *s = self.hash(s),
                "url" => *s = self.url(s),
                // Free text (UiState messages). Other strings are the log's own vocabulary
                // (variant names), which a value must not be spliced into.
                "message" => *s = self.within(s),
                _ => {}
            },
            _ => {}
        }
    }

    /// A session id (or a raw id typed by the user): hashed if valid, else a stand-in rejected
    /// for the same reason.
    fn id(&mut self, raw: &str) -> String {
        match SessionId::parse(raw) {
            Ok(_) => self.hash(raw),
            Err(LinkRejection::EmptyId) => String::new(),
            Err(LinkRejection::TooLong) => {
                "x".repeat(switchboard_domain::ids::SESSION_ID_MAX_LEN + 1)
            }
            Err(_) => "redacted.id".to_owned(),
        }
    }

    fn url(&mut self, raw: &str) -> String {
        let host = self
            .hosts
            .first()
            .cloned()
            .unwrap_or_else(|| DEFAULT_ALLOWED_HOST.to_owned());
        match validate_link(raw, &self.hosts) {
            Ok(id) => {
                let host = url::Url::parse(raw)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or(host);
                format!("https://{host}/meet/{}", self.hash(id.as_str()))
            }
            Err(reason) => stand_in(reason, &host),
        }
    }

    /// Any other text: every learnt value inside it replaced by its hash.
    fn within(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for ((_, secret), hash) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), hash);
            }
        }
        out
    }

    /// The way-out check: no learnt value in any string of a rewritten body (hashes, which
    /// are hex, are taken out first so a numeric id cannot match inside one).
    fn check(&self, v: &Value, seq: u64) -> Result<()> {
        match v {
            Value::Object(map) => map.values().try_for_each(|c| self.check(c, seq)),
            Value::Array(items) => items.iter().try_for_each(|c| self.check(c, seq)),
            Value::String(s) => {
                let bare = without_hashes(s);
                let leak = self
                    .secrets
                    .keys()
                    .any(|(_, secret)| bare.contains(secret.as_str()) && !is_plain_word(secret));
                if leak {
                    // Never name the value: this error may itself end up in a log.
                    return Err(Error::Redact(format!(
                        "seq {seq}: a sensitive value survived redaction"
                    )));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// A lowercase word such as `speaker` or `local_leave` can also be a variant name of the log's
/// own vocabulary, which is not personal; such values are still replaced, just not checked.
fn is_plain_word(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// A text with every `r` + 24 hex digits (a hash) removed.
fn without_hashes(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let hash = b[i] == b'r'
            && b.len() - i > HASH_HEX
            && b[i + 1..=i + HASH_HEX]
                .iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c));
        if hash {
            i += HASH_HEX + 1;
            continue;
        }
        let ch = s[i..].chars().next().expect("inside the string");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// A link that the router rejects for `reason` and that holds nothing from the original.
fn stand_in(reason: LinkRejection, host: &str) -> String {
    match reason {
        LinkRejection::EmptyId => String::new(),
        LinkRejection::TooLong => format!("https://{host}/meet/{}", "x".repeat(2100)),
        LinkRejection::Malformed => "redacted".to_owned(),
        LinkRejection::WrongScheme => format!("http://{host}/meet/redacted"),
        LinkRejection::HostNotAllowed => "https://redacted.invalid/meet/redacted".to_owned(),
        LinkRejection::HasCredentials => format!("https://redacted@{host}/meet/redacted"),
        LinkRejection::WrongPath => format!("https://{host}/redacted"),
        LinkRejection::BadCharacters => format!("https://{host}/meet/redacted.link"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_domain::core::Core;
    use switchboard_domain::{CoreConfig, Event, JoinErrorCode, SdkEvent, UiState};

    use crate::script::records_from_steps;

    /// Values a redacted log must not contain anywhere.
    const RAW: &[&str] = &[
        "alice_smith-42",
        "bob_jones-7",
        "Standup with Alice Example",
        "Alice Example",
        "sk_live_SECRET123",
        "alice@example.com",
        "USER alice NOT FOUND",
    ];

    fn log() -> Vec<Record> {
        let mut core = Core::default();
        let mut config = CoreConfig::default();
        config.settings.title = "Standup with Alice Example".to_owned();
        let link = |id: &str| Event::OpenLink {
            url: format!("https://meet.switchboard.example/meet/{id}"),
        };
        let sdk = |attempt, event| Event::Sdk { attempt, event };
        let events = vec![
            Event::Boot(config),
            Event::Join {
                session_id: "alice@example.com".to_owned(),
            },
            link("alice_smith-42"),
            Event::ViewAppeared,
            link("bob_jones-7"),
            sdk(
                1,
                SdkEvent::JoinFailed {
                    code: JoinErrorCode::AuthToken,
                    message: "token=sk_live_SECRET123 is not valid for alice@example.com".into(),
                },
            ),
            Event::ViewDisappeared,
            Event::Dismiss,
            link("bob_jones-7"),
            Event::ViewAppeared,
            sdk(
                2,
                SdkEvent::JoinFailed {
                    code: JoinErrorCode::Other {
                        code: "USER alice NOT FOUND".into(),
                    },
                    message: "no such user".into(),
                },
            ),
        ];
        let mut out = Vec::new();
        for (i, e) in events.into_iter().enumerate() {
            out.extend(records_from_steps(
                &core.handle_event(e, i as u64 * 10),
                i as u64 * 10,
            ));
        }
        (0u64..).zip(&out).map(|(seq, r)| r.at_seq(seq)).collect()
    }

    fn text(records: &[Record]) -> String {
        let mut out = Vec::new();
        crate::export_jsonl(records.iter().cloned().map(Ok), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn no_raw_value_survives_and_the_redacted_log_still_verifies() {
        let log = log();
        let before = text(&log);
        for raw in RAW {
            assert!(before.contains(raw), "the test log holds {raw}");
        }
        let redacted = redact(&log, &[7; 16]).unwrap();
        let after = text(&redacted);
        for raw in RAW {
            assert!(!after.contains(raw), "{raw} survived");
        }
        // Shown to the user as an error: the message is there, with the secrets hashed.
        let shown = redacted.iter().find_map(|r| match &r.body {
            Entry::Command(switchboard_domain::Command::Effect(
                switchboard_domain::Effect::Render(UiState::Error { message, .. }),
            )) if message.contains("AUTH TOKEN") => Some(message.clone()),
            _ => None,
        });
        assert!(shown
            .unwrap()
            .starts_with("Could not join the call (AUTH TOKEN ERROR): r"));
        crate::verify(&redacted).unwrap();
    }

    /// Snapshots hold session ids and titles inside their bincode: each one after the first
    /// record is rebuilt from the redacted records, a leading one is emptied.
    #[test]
    fn snapshots_are_rebuilt_from_the_redacted_records() {
        let mut log = log();
        let mid = log.len() / 2;
        let mut replay = crate::Replay::folding();
        for r in &log[..mid] {
            replay.feed(r);
        }
        let snapshot = Entry::Snapshot(replay.state().to_snapshot().unwrap());
        let mut with = log[..mid].to_vec();
        with.push(Record {
            body: snapshot.clone(),
            ..log[mid].clone()
        });
        with.extend(log.drain(mid..));
        let with: Vec<Record> = (0u64..)
            .zip(with)
            .map(|(seq, r)| Record { seq, ..r })
            .collect();
        let redacted = redact(&with, &[7; 16]).unwrap();
        assert_ne!(redacted[mid].body, snapshot, "the snapshot was rebuilt");
        crate::verify(&redacted).unwrap();
        let state = match &redacted[mid].body {
            Entry::Snapshot(s) => crate::snapshot::State::from_snapshot(s).unwrap(),
            other => panic!("{other:?}"),
        };
        let shown = format!("{:?}", state.machines);
        for raw in RAW {
            assert!(!shown.contains(raw), "{raw} survived in the snapshot");
        }
        // A log that starts at a snapshot: its state goes.
        let tail = redact(&with[mid..], &[7; 16]).unwrap();
        assert!(matches!(&tail[0].body, Entry::Snapshot(s) if s.state.is_empty()));
    }

    /// An app whose links are on its own host starts with `Launch`: its links are judged by
    /// that host, so they stay accepted links (hashed), and the redacted log still verifies.
    #[test]
    fn a_launched_apps_own_host_judges_its_links() {
        use switchboard_domain::{CoreConfig, Launch, Permissions};
        let host = "calls.acme.test";
        let config = CoreConfig {
            allowed_hosts: vec![host.to_owned()],
            ..CoreConfig::default()
        };
        let events = vec![
            Event::Launch(Launch {
                config,
                permissions: Permissions::GRANTED,
            }),
            Event::OpenLink {
                url: format!("https://{host}/meet/carol_white-9"),
            },
        ];
        let mut core = Core::default();
        let mut out = Vec::new();
        for (i, e) in events.into_iter().enumerate() {
            out.extend(records_from_steps(
                &core.handle_event(e, i as u64 * 10),
                i as u64 * 10,
            ));
        }
        let log: Vec<Record> = (0u64..).zip(&out).map(|(seq, r)| r.at_seq(seq)).collect();
        assert!(text(&log).contains("carol_white-9"));
        let redacted = redact(&log, &[3; 16]).unwrap();
        let after = text(&redacted);
        assert!(!after.contains("carol_white-9"), "{after}");
        assert!(after.contains(&format!("https://{host}/meet/r")), "{after}");
        crate::verify(&redacted).unwrap();
    }

    #[test]
    fn hashes_are_stable_within_an_export_and_differ_between_salts() {
        let log = log();
        let a = text(&redact(&log, &[1; 16]).unwrap());
        assert_eq!(a, text(&redact(&log, &[1; 16]).unwrap()));
        let b = text(&redact(&log, &[2; 16]).unwrap());
        assert_ne!(a, b);
        // One value, one hash: the session id of the link, the join and the UI are the same.
        let session_ids: std::collections::BTreeSet<&str> = a
            .match_indices("\"session_id\":\"")
            .map(|(i, m)| &a[i + m.len()..i + m.len() + 25])
            .filter(|s| s[1..].chars().all(|c| c.is_ascii_hexdigit()))
            .collect();
        assert_eq!(session_ids.len(), 2, "{session_ids:?}");
    }

    #[test]
    fn hashes_are_cut_out_before_the_leak_check() {
        let h = format!("r{}", "ab12".repeat(6));
        assert_eq!(without_hashes(&format!("x {h} y")), "x  y");
        assert_eq!(without_hashes("r12"), "r12");
        assert!(is_plain_word("local_leave") && !is_plain_word("alice_42"));
    }

    #[test]
    fn every_stand_in_is_rejected_for_its_reason() {
        let hosts = vec![DEFAULT_ALLOWED_HOST.to_owned()];
        for reason in LinkRejection::ALL {
            let url = stand_in(reason, DEFAULT_ALLOWED_HOST);
            assert_eq!(validate_link(&url, &hosts), Err(reason), "{url:.60}");
        }
    }
}
