//! Meeting-link validation: `https://HOST/meet/{id}` with an allowed host, the id decoded once and
//! checked against the session id rules. The shell forwards the raw URL string; nothing here trusts
//! it, and no input can make it panic.
use crate::rejection::LinkRejection;

use crate::ids::SessionId;

/// The host accepted when the app configures none (`switchboard link` uses it by default).
pub const DEFAULT_ALLOWED_HOST: &str = "meet.switchboard.example";

/// Longest URL looked at, in bytes; longer input is rejected before parsing.
pub const LINK_MAX_LEN: usize = 2048;

/// The meeting link of a session on `host`: what the share-invite button shares. Session ids only
/// hold `[A-Za-z0-9_-]`, so the id needs no escaping; [`validate_link`] gives the same id back for
/// any host it allows (a property test holds it to that).
pub fn meeting_link(host: &str, id: &SessionId) -> String {
    format!("{SCHEME_PREFIX}{}/meet/{}", host.trim(), id.as_str())
}

/// Validates a meeting link against the allowed hosts and returns its session id.
pub fn validate_link(raw: &str, allowed_hosts: &[String]) -> Result<SessionId, LinkRejection> {
    if raw.is_empty() {
        return Err(LinkRejection::EmptyId);
    }
    if raw.len() > LINK_MAX_LEN {
        return Err(LinkRejection::TooLong);
    }
    // The URL parser silently strips tabs and newlines and reads '\' as '/': refuse them here so
    // what we accept is what the user saw.
    if raw
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return Err(LinkRejection::BadCharacters);
    }
    let url = url::Url::parse(raw).map_err(|_| LinkRejection::Malformed)?;
    if url.scheme() != "https" {
        return Err(LinkRejection::WrongScheme);
    }
    // The parser takes "https:host/..." (no "//") as a host too; the path as written can only be
    // found after a "//" right behind the scheme, so that is the one form accepted.
    if !raw
        .get(..SCHEME_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(SCHEME_PREFIX))
    {
        return Err(LinkRejection::Malformed);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(LinkRejection::HasCredentials);
    }
    let host = url.host_str().unwrap_or_default();
    let allowed = allowed_hosts.iter().any(|h| h.eq_ignore_ascii_case(host));
    if !allowed || url.port().is_some() {
        return Err(LinkRejection::HostNotAllowed);
    }
    // The parser resolves "%2e%2e" and "." segments; judge the path as it was written.
    let raw_id = meet_segment(raw_path(raw))?;
    let decoded = percent_encoding::percent_decode_str(raw_id)
        .decode_utf8()
        .map_err(|_| LinkRejection::BadCharacters)?;
    SessionId::parse(&decoded)
}

/// How every accepted link starts (any case).
const SCHEME_PREFIX: &str = "https://";

/// The path of a link as written: after the authority, before `?` or `#`. `raw` starts with
/// [`SCHEME_PREFIX`].
fn raw_path(raw: &str) -> &str {
    let after_scheme = raw.get(SCHEME_PREFIX.len()..).unwrap_or_default();
    let path_start = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let path = &after_scheme[path_start..];
    let path_end = path.find(['?', '#']).unwrap_or(path.len());
    &path[..path_end]
}

/// The raw id of a `/meet/{id}` path (one trailing slash allowed).
fn meet_segment(path: &str) -> Result<&str, LinkRejection> {
    if path == "/meet" {
        return Err(LinkRejection::EmptyId);
    }
    let rest = path
        .strip_prefix("/meet/")
        .ok_or(LinkRejection::WrongPath)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains('/') {
        return Err(LinkRejection::WrongPath);
    }
    if rest.is_empty() {
        return Err(LinkRejection::EmptyId);
    }
    Ok(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_rejection_once_with_a_distinct_code() {
        for (i, r) in LinkRejection::ALL.iter().enumerate() {
            // Exhaustive: a new reason does not compile here until it has its place in ALL.
            let place = match r {
                LinkRejection::EmptyId => 0,
                LinkRejection::TooLong => 1,
                LinkRejection::Malformed => 2,
                LinkRejection::WrongScheme => 3,
                LinkRejection::HostNotAllowed => 4,
                LinkRejection::HasCredentials => 5,
                LinkRejection::WrongPath => 6,
                LinkRejection::BadCharacters => 7,
            };
            assert_eq!(place, i, "{r:?}");
        }
        let mut codes: Vec<&str> = LinkRejection::ALL.iter().map(|r| r.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), LinkRejection::ALL.len());
    }

    fn hosts() -> Vec<String> {
        vec![DEFAULT_ALLOWED_HOST.to_owned()]
    }

    fn check(url: &str) -> Result<String, LinkRejection> {
        validate_link(url, &hosts()).map(|id| id.to_string())
    }

    /// Found by the link fuzz target: without "//" after the scheme the parser still reads a
    /// host, and the path "as written" was taken from a later "://" (here in the query).
    #[test]
    fn a_scheme_without_slashes_is_refused() {
        assert_eq!(
            check("https:meet.switchboard.example?://x/meet/a"),
            Err(LinkRejection::Malformed)
        );
        assert_eq!(
            check("https:meet.switchboard.example/x://y/meet/abc"),
            Err(LinkRejection::Malformed)
        );
        assert_eq!(
            check("HTTPS://meet.switchboard.example/meet/abc"),
            Ok("abc".into())
        );
    }

    #[test]
    fn accepts_a_plain_link() {
        let base = format!("https://{DEFAULT_ALLOWED_HOST}/meet/");
        assert_eq!(
            check(&format!("{base}abc_DEF-123")),
            Ok("abc_DEF-123".into())
        );
        assert_eq!(check(&format!("{base}abc/")), Ok("abc".into()));
        assert_eq!(check(&format!("{base}abc?name=x#frag")), Ok("abc".into()));
        assert_eq!(
            check("https://MEET.Switchboard.example/meet/Ab9"),
            Ok("Ab9".into())
        );
        assert_eq!(check(&format!("{base}%61bc")), Ok("abc".into()));
    }

    #[test]
    fn rejects_each_kind_of_bad_link_with_its_own_reason() {
        let base = format!("https://{DEFAULT_ALLOWED_HOST}/meet/");
        let cases = [
            (format!("{base}abc/extra"), LinkRejection::WrongPath),
            (
                format!("http://{DEFAULT_ALLOWED_HOST}/meet/abc"),
                LinkRejection::WrongScheme,
            ),
            (
                "https://evil.example/meet/abc".to_owned(),
                LinkRejection::HostNotAllowed,
            ),
            (format!("{base}%2e%2e"), LinkRejection::BadCharacters),
            (base.clone(), LinkRejection::EmptyId),
            (
                format!("{base}{}", "a".repeat(10_000)),
                LinkRejection::TooLong,
            ),
            (format!("{base}{}", "a".repeat(65)), LinkRejection::TooLong),
            (
                format!("https://u:p@{DEFAULT_ALLOWED_HOST}/meet/abc"),
                LinkRejection::HasCredentials,
            ),
            (
                format!("https://{DEFAULT_ALLOWED_HOST}:8443/meet/abc"),
                LinkRejection::HostNotAllowed,
            ),
            (format!("{base}a%2Fb"), LinkRejection::BadCharacters),
            (format!("{base}a b"), LinkRejection::BadCharacters),
            (format!("{base}%ff"), LinkRejection::BadCharacters),
            (format!("{base}%252e"), LinkRejection::BadCharacters),
            (
                format!("https://{DEFAULT_ALLOWED_HOST}/other/abc"),
                LinkRejection::WrongPath,
            ),
            (
                format!("https://{DEFAULT_ALLOWED_HOST}/meet/../meet/abc"),
                LinkRejection::WrongPath,
            ),
            ("not a url".to_owned(), LinkRejection::BadCharacters),
            ("nope".to_owned(), LinkRejection::Malformed),
            (String::new(), LinkRejection::EmptyId),
        ];
        for (url, want) in cases {
            assert_eq!(check(&url), Err(want), "{url:.80}");
        }
    }
}
