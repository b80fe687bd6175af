//! The router's link validation on arbitrary text: it must never panic, and a link it accepts
//! must name an id that satisfies the id rules and be exactly `https://HOST/meet/{id}` as the
//! URL parser reads it (an allowed host, that one path).
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_domain::ids::SESSION_ID_MAX_LEN;
use switchboard_domain::link::LINK_MAX_LEN;
use switchboard_domain::{validate_link, DEFAULT_ALLOWED_HOST};

/// A few hosts, one of them an IDNA name, so host matching is exercised beyond the default.
const HOSTS: [&str; 3] = [
    DEFAULT_ALLOWED_HOST,
    "calls.example.org",
    "xn--bcher-kva.example",
];

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let hosts: Vec<String> = HOSTS.iter().map(|h| (*h).to_owned()).collect();
    let result = validate_link(&raw, &hosts);
    assert_eq!(result, validate_link(&raw, &hosts), "not deterministic");
    let Ok(id) = result else {
        return;
    };
    let id = id.as_str();
    assert!(
        !id.is_empty() && id.len() <= SESSION_ID_MAX_LEN,
        "id length: {id:?}"
    );
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
        "id characters: {id:?}"
    );
    assert!(raw.len() <= LINK_MAX_LEN);
    check_parsed(&raw, id);
});

/// What the URL parser makes of an accepted link: https, an allowed host, no port, and the path
/// `/meet/{id}` (one trailing slash allowed; percent-escapes decoded).
fn check_parsed(raw: &str, id: &str) {
    let url = url::Url::parse(raw).expect("an accepted link parses");
    assert_eq!(url.scheme(), "https");
    let host = url.host_str().unwrap_or_default();
    assert!(
        HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host)),
        "host {host:?}"
    );
    assert_eq!(url.port(), None);
    let path = percent_encoding::percent_decode_str(url.path()).decode_utf8_lossy();
    let want = format!("/meet/{id}");
    assert!(
        path == want || path == format!("{want}/"),
        "accepted {raw:?} as id {id:?}, but its path is {:?}",
        url.path()
    );
}
