//! Redaction for exports that leave the device: session ids, meeting links and SDK error texts
//! are replaced by stable salted hashes (the same value gives the same hash within one export, a
//! fresh salt gives unrelated hashes next time). Hashes are valid session ids, so a redacted log
//! still replays and verifies: a link to a meeting becomes a link to the hashed meeting, and a
//! rejected link becomes a stand-in rejected for the same reason.
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use sha2::{Digest, Sha256};
use switchboard_domain::{validate_link, Entry, LinkRejection, SessionId, DEFAULT_ALLOWED_HOST};

use crate::error::{Error, Result};
use crate::record::Record;

/// Salt bytes.
pub type Salt = [u8; 16];

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

/// Redacts every record (in order: a `Boot` sets the allowed hosts the links are judged by).
pub fn redact(records: &[Record], salt: &Salt) -> Result<Vec<Record>> {
    let mut r = Redactor {
        salt: *salt,
        hosts: vec![DEFAULT_ALLOWED_HOST.to_owned()],
        seen: HashMap::new(),
        secrets: BTreeMap::new(),
    };
    records.iter().map(|rec| r.record(rec)).collect()
}

struct Redactor {
    salt: Salt,
    hosts: Vec<String>,
    seen: HashMap<String, String>,
    /// Sensitive texts already met, longest first, for replacement inside longer messages.
    secrets: BTreeMap<(std::cmp::Reverse<usize>, String), String>,
}

impl Redactor {
    fn hash(&mut self, value: &str) -> String {
        if let Some(h) = self.seen.get(value) {
            return h.clone();
        }
        let mut d = Sha256::new();
        d.update(self.salt);
        d.update(value.as_bytes());
        let digest = d.finalize();
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let h = format!("r{hex}");
        self.seen.insert(value.to_owned(), h.clone());
        self.secrets.insert(
            (std::cmp::Reverse(value.len()), value.to_owned()),
            h.clone(),
        );
        h
    }

    fn record(&mut self, rec: &Record) -> Result<Record> {
        if let Entry::Input(switchboard_domain::Input::Router(
            switchboard_domain::RouterInput::Boot(c),
        )) = &rec.body
        {
            self.hosts = c.allowed_hosts.clone();
        }
        let mut value =
            serde_json::to_value(&rec.body).map_err(|e| Error::Redact(e.to_string()))?;
        self.walk(&mut value, "");
        let body: Entry = serde_json::from_value(value)
            .map_err(|e| Error::Redact(format!("seq {}: {e}", rec.seq)))?;
        Ok(Record {
            body,
            ..rec.clone()
        })
    }

    fn walk(&mut self, v: &mut Value, key: &str) {
        match v {
            Value::Object(map) => {
                let sdk_error = key == "join_failed";
                for (k, child) in map.iter_mut() {
                    if sdk_error && k == "message" {
                        if let Value::String(s) = child {
                            *s = self.hash(s);
                        }
                        continue;
                    }
                    self.walk(child, k);
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.walk(i, key)),
            Value::String(s) => match key {
                "session_id" | "to" | "switch_offer" => *s = self.id(s),
                "url" => *s = self.url(s),
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

    fn within(&mut self, text: &str) -> String {
        let mut out = text.to_owned();
        for ((_, secret), hash) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), hash);
            }
        }
        out
    }
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

    #[test]
    fn every_stand_in_is_rejected_for_its_reason() {
        let hosts = vec![DEFAULT_ALLOWED_HOST.to_owned()];
        for reason in [
            LinkRejection::EmptyId,
            LinkRejection::TooLong,
            LinkRejection::Malformed,
            LinkRejection::WrongScheme,
            LinkRejection::HostNotAllowed,
            LinkRejection::HasCredentials,
            LinkRejection::WrongPath,
            LinkRejection::BadCharacters,
        ] {
            let url = stand_in(reason, DEFAULT_ALLOWED_HOST);
            assert_eq!(validate_link(&url, &hosts), Err(reason), "{url:.60}");
        }
    }
}
