//! `switchboard report` as a person sees it: the report of every demo scenario (and of a log
//! with a stranded call view) is opened in headless Chromium; the DOM after the page's script
//! ran must hold the lanes, state bands, markers, event rows and the state panel the scenario
//! calls for, and a screenshot of each is saved.
//!
//! Needs Chromium, so it is ignored by a plain `cargo test`; `bash scripts/test-browser.sh`
//! installs Debian's chromium if it is missing and runs it. Screenshots go to
//! `$SWITCHBOARD_SCREENSHOTS` (default `target/report-screenshots`).
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{demo, switchboard, text, Script, SCENARIOS};
use switchboard_domain::{AppState, Event, SdkEvent};

fn chromium() -> String {
    std::env::var("SWITCHBOARD_CHROMIUM").unwrap_or_else(|_| "chromium".to_owned())
}

/// Runs headless Chromium on a page with a fresh profile and returns its stdout.
fn browse(page: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1400,1000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(page)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): run `bash scripts/test-browser.sh`, which installs it",
                chromium()
            )
        });
    assert!(out.status.success(), "chromium failed: {}", text(&out).1);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn screenshots() -> PathBuf {
    let dir = std::env::var_os("SWITCHBOARD_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/report-screenshots")
        });
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the report of `log`, checks the file is self-contained, and returns its path.
fn report(log: &Path, out: &Path) -> PathBuf {
    let r = switchboard(&[
        "report",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(0), "{:?}", text(&r));
    let html = std::fs::read_to_string(out).unwrap();
    for external in [
        "<link",
        " src=",
        "@import",
        "url(",
        "fetch(",
        "XMLHttpRequest",
    ] {
        assert!(!html.contains(external), "{external} in the page");
    }
    assert!(
        html.contains("default-src 'none'"),
        "a CSP that forbids loads"
    );
    out.to_path_buf()
}

fn count(dom: &str, needle: &str) -> usize {
    dom.matches(needle).count()
}

/// What a scenario's report must show: band states, marker kinds (with a minimum count).
fn expected(scenario: &str) -> (&'static [&'static str], &'static [(&'static str, usize)]) {
    match scenario {
        "happy" => (&["joining", "in-call", "leaving", "ended"], &[("end", 1)]),
        "drop" => (
            &["joining", "in-call", "reconnecting", "ended"],
            &[("drop", 2), ("restore", 1), ("end", 1)],
        ),
        "timeout" => (&["in-call", "ended"], &[("timeout", 1), ("end", 1)]),
        "spurious-init-error" => (
            &["joining", "in-call", "leaving", "ended"],
            &[("warning", 1), ("end", 1)],
        ),
        "double-appear" => (&["joining", "in-call", "leaving", "ended"], &[("end", 1)]),
        "auth-error" => (&["joining", "ended", "error"], &[("error", 2), ("end", 1)]),
        _ => (&[], &[]),
    }
}

fn check_dom(name: &str, dom: &str, records: usize) {
    assert!(dom.contains("data-ready=\"1\""), "{name}: the script ran");
    for lane in ["router", "session/1", "audio", "ui"] {
        assert!(
            dom.contains(&format!("class=\"lane\" data-lane=\"{lane}\"")),
            "{name}: lane {lane}"
        );
    }
    let (bands, markers) = expected(name);
    for b in bands {
        assert!(
            dom.contains(&format!("class=\"band band-{b}\"")),
            "{name}: band {b}"
        );
    }
    for (m, n) in markers {
        let got = count(dom, &format!("class=\"marker marker-{m}\""));
        assert!(got >= *n, "{name}: {got} {m} marker(s), want {n}");
    }
    assert_eq!(
        count(dom, "<tr data-seq="),
        records,
        "{name}: one row per record"
    );
    assert!(
        dom.contains("class=\"machine changed\""),
        "{name}: state panel"
    );
}

fn records_in(log: &Path) -> usize {
    let out = switchboard(&["replay", log.to_str().unwrap(), "--json"]);
    text(&out).0.lines().count()
}

/// The seq of the first record whose text contains `what` (from `replay --json`).
fn seq_of(log: &Path, what: &str) -> u64 {
    let out = switchboard(&["replay", log.to_str().unwrap(), "--json"]);
    text(&out)
        .0
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|v| v["text"].as_str().unwrap().contains(what) && v["kind"] == "input")
        .map(|v| v["seq"].as_u64().unwrap())
        // A scenario with no SDK callback (the microphone denied): its link, which changes the
        // router.
        .or_else(|| (what != "open link").then(|| seq_of(log, "open link")))
        .expect("every scenario opens a link")
}

#[test]
#[ignore = "needs chromium: run scripts/test-browser.sh"]
fn every_demo_scenario_report_renders_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let shots = screenshots();
    for scenario in SCENARIOS {
        let dir = tmp.path().join(scenario);
        demo(&dir, scenario);
        let html = report(&dir, &tmp.path().join(format!("{scenario}.html")));
        // Select the first drop (or the first SDK callback) so the state panel is filled.
        let seq = seq_of(
            &dir,
            if *scenario == "drop" {
                "onConnectionLost"
            } else {
                "sdk:"
            },
        );
        let page = format!("file://{}#seq={seq}", html.display());
        let dom = browse(&page, &["--dump-dom"]);
        check_dom(scenario, &dom, records_in(&dir));
        assert!(
            dom.contains(&format!("id=\"state\" data-seq=\"{seq}\"")),
            "{scenario}"
        );
        assert!(dom.contains("diagnose found nothing"), "{scenario}: clean");
        let shot = shots.join(format!("{scenario}.png"));
        browse(&page, &[&format!("--screenshot={}", shot.display())]);
        let png = std::fs::read(&shot).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 20_000,
            "{scenario}: screenshot"
        );
        println!("screenshot: {}", shot.display());
    }
}

#[test]
#[ignore = "needs chromium: run scripts/test-browser.sh"]
fn a_stranded_view_shows_as_a_finding_marker_and_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Script::new();
    s.joined_call("standup_42", 1).wait(20_000);
    s.sdk(1, SdkEvent::SessionLeft).wait(25_000);
    s.event(Event::ToggleMic).wait(5_000);
    s.event(Event::App(AppState::Background));
    let log = s.write(tmp.path(), "stranded.jsonl");
    let html = report(&log, &tmp.path().join("stranded.html"));
    let dom = browse(&format!("file://{}", html.display()), &["--dump-dom"]);
    assert!(dom.contains("data-ready=\"1\""));
    assert!(dom.contains("class=\"marker marker-finding\""));
    assert!(dom.contains("class=\"band band-view-up\""), "the view band");
    assert!(dom.contains("class=\"finding\" data-rule=\"view-stranded\""));
    assert!(dom.contains("class=\"finding\" data-rule=\"after-ended\""));
    let shot = screenshots().join("stranded-view.png");
    browse(
        &format!("file://{}", html.display()),
        &[&format!("--screenshot={}", shot.display())],
    );
    assert!(std::fs::metadata(&shot).unwrap().len() > 20_000);
}
