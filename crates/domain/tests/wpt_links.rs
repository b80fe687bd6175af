//! The web-platform-tests URL inputs as hostile meeting links: as given, none is a meeting link;
//! put after `https://<allowed host>/meet/`, none may crash the validator or the router, and an
//! accepted id is always a valid session id.
use std::panic::{catch_unwind, AssertUnwindSafe};

use switchboard_domain::core::Core;
use switchboard_domain::LinkRejection;
use switchboard_domain::{
    validate_link, Command, CoreConfig, Event, Message, Notice, SessionId, UiState,
    DEFAULT_ALLOWED_HOST,
};

const INPUTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/wpt-url/wpt-url-inputs.txt"
);

/// Replaces the `\uXXXX` escapes of lone UTF-16 surrogates with `\ufffd`: a Rust string cannot
/// hold them, and WPT itself passes inputs as USVStrings, where that is what they become (one
/// input has them).
fn usv_escapes(line: &str) -> String {
    fn unit(s: &str) -> Option<u16> {
        s.strip_prefix("\\u")
            .and_then(|h| h.get(..4))
            .and_then(|h| u16::from_str_radix(h, 16).ok())
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match unit(rest) {
            Some(0xd800..=0xdbff) => match unit(&rest[6..]) {
                Some(0xdc00..=0xdfff) => {
                    out.push_str(&rest[..12]);
                    rest = &rest[12..];
                }
                _ => {
                    out.push_str("\\ufffd");
                    rest = &rest[6..];
                }
            },
            Some(0xdc00..=0xdfff) => {
                out.push_str("\\ufffd");
                rest = &rest[6..];
            }
            _ => {
                // Any other escape: copy the backslash and the escaped character.
                let len = 1 + rest[1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..len]);
                rest = &rest[len..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every input of the file, decoded from its JSON string line.
fn inputs() -> Vec<String> {
    let text = std::fs::read_to_string(INPUTS)
        .unwrap_or_else(|e| panic!("{INPUTS}: {e} (the repo is cloned with shared/ beside it)"));
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str::<String>(&usv_escapes(line))
                .unwrap_or_else(|e| panic!("{INPUTS}:{}: not a JSON string: {e}", i + 1))
        })
        .collect()
}

fn hosts() -> Vec<String> {
    vec![DEFAULT_ALLOWED_HOST.to_owned()]
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Validates without letting a panic escape, so one bad input names itself.
fn validate(url: &str) -> Result<Result<SessionId, LinkRejection>, String> {
    catch_unwind(AssertUnwindSafe(|| validate_link(url, &hosts())))
        .map_err(|_| format!("validate_link panicked on {url:?}"))
}

#[test]
fn the_file_holds_all_601_inputs() {
    let all = inputs();
    assert_eq!(all.len(), 601);
    // The decoding really happened: escapes became characters.
    assert_eq!(all[0], "http://example\t.\norg");
    assert_eq!(
        all[267], "http://foo:\u{1f4a9}@example.com/bar",
        "a surrogate pair"
    );
    assert!(all[319].starts_with("http://example.com/\u{fffd}\u{107fe}\u{fffd}\u{fdd0}"));
}

#[test]
fn raw_wpt_inputs_are_never_meeting_links() {
    let mut problems = Vec::new();
    for input in inputs() {
        match validate(&input) {
            Err(panic) => problems.push(panic),
            Ok(Ok(id)) => problems.push(format!("{input:?} accepted as {id}")),
            Ok(Err(_)) => {}
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn prefixed_wpt_inputs_never_panic_and_accept_only_valid_ids() {
    let mut problems = Vec::new();
    let mut accepted = Vec::new();
    for input in inputs() {
        let url = format!("https://{DEFAULT_ALLOWED_HOST}/meet/{input}");
        match validate(&url) {
            Err(panic) => problems.push(panic),
            Ok(Err(_)) => {}
            Ok(Ok(id)) => {
                if SessionId::parse(id.as_str()).is_err() {
                    problems.push(format!("{url:?}: id {id:?} fails SessionId::parse"));
                }
                if id.as_str().is_empty() || !id.as_str().chars().all(is_id_char) {
                    problems.push(format!(
                        "{url:?}: id {id:?} has characters outside [A-Za-z0-9_-]"
                    ));
                }
                // Accepting is stable: the canonical link of the id is the same id.
                let canonical = format!("https://{DEFAULT_ALLOWED_HOST}/meet/{id}");
                if validate(&canonical) != Ok(Ok(id.clone())) {
                    problems.push(format!("{url:?}: canonical link {canonical:?} differs"));
                }
                accepted.push((input, id));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    eprintln!(
        "{} of 601 prefixed WPT inputs accepted as meeting links: {:?}",
        accepted.len(),
        accepted
            .iter()
            .map(|(input, id)| format!("{input:?} -> {id}"))
            .collect::<Vec<_>>()
    );
    // The accepting path was exercised, and most hostile inputs were refused.
    assert!(!accepted.is_empty());
    assert!(accepted.len() < 601 / 2, "{} accepted", accepted.len());
}

#[test]
fn the_router_survives_every_prefixed_wpt_input() {
    for input in inputs() {
        for url in [
            input.clone(),
            format!("https://{DEFAULT_ALLOWED_HOST}/meet/{input}"),
        ] {
            let expected = validate_link(&url, &hosts());
            let mut core = Core::default();
            core.handle_event(Event::Boot(CoreConfig::default()), 0);
            let cmds: Vec<Command> = catch_unwind(AssertUnwindSafe(|| {
                core.handle_event(Event::OpenLink { url: url.clone() }, 1)
            }))
            .unwrap_or_else(|_| panic!("the router panicked on {url:?}"))
            .into_iter()
            .flat_map(|s| s.commands)
            .collect();
            match expected {
                Ok(id) => {
                    assert!(
                        cmds.iter().any(|c| matches!(
                            c,
                            Command::Message(Message::StartAttempt { attempt: 1, session_id, .. }) if *session_id == id
                        )),
                        "{url:?}: no attempt for {id}: {cmds:#?}"
                    );
                    assert!(core.machines.ui.current().shows_call_view());
                }
                Err(reason) => {
                    assert!(
                        cmds.contains(&Command::Message(Message::Notify(Notice::LinkRejected {
                            reason
                        }))),
                        "{url:?}: {cmds:#?}"
                    );
                    assert_eq!(
                        core.machines.ui.current(),
                        UiState::Error {
                            message: reason.message().to_owned(),
                            can_retry: false,
                            open_settings: false,
                        },
                        "{url:?}"
                    );
                    assert!(core.machines.router.current().is_none());
                }
            }
        }
    }
}
