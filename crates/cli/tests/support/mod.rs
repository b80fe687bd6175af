//! Helpers shared by the CLI's behaviour tests: running the binary, and writing call logs made
//! by the domain's `Core` (plus hand-made records where the core would never decide something).
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use switchboard_domain::core::Core;
use switchboard_domain::{
    ActorName, CoreConfig, Entry, Event, Input, SdkEvent, SessionInput, Target, TimerKind,
};
use switchboard_journal::script::records_from_steps;
use switchboard_journal::{NewRecord, Record};

/// Runs the `switchboard` binary.
pub fn switchboard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Stdout and stderr as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Exit 2, exactly one line on stderr that mentions `mentions`, no panic or backtrace.
pub fn assert_bad_input(out: &Output, mentions: &str) {
    let (_, err) = text(out);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line, got: {err}");
    assert!(err.contains(mentions), "'{mentions}' not in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

/// Runs `switchboard demo` for one scenario into `dir`; fails the test unless it exits 0.
pub fn demo(dir: &Path, scenario: &str) -> Output {
    let out = switchboard(&[
        "demo",
        "--journal",
        dir.to_str().unwrap(),
        "--scenario",
        scenario,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out).0);
    out
}

/// Runs `switchboard export LOG --out OUT` plus `extra`; fails the test unless it exits 0.
pub fn export(log: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "export",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let r = switchboard(&args);
    assert_eq!(r.status.code(), Some(0), "{:?}", text(&r));
}

/// The demo scenarios.
pub const SCENARIOS: &[&str] = &[
    "happy",
    "drop",
    "timeout",
    "spurious-init-error",
    "double-appear",
    "auth-error",
    "relaunch",
];

/// A call log being written: a booted core, a clock, and the records so far.
pub struct Script {
    core: Core,
    /// The current time.
    pub at_ms: u64,
    records: Vec<NewRecord>,
}

impl Default for Script {
    fn default() -> Self {
        Self::new()
    }
}

impl Script {
    /// A core booted with the default configuration at t = 1 000 000 ms.
    pub fn new() -> Self {
        Self::with_config(CoreConfig::default())
    }

    /// A core booted with `config` at t = 1 000 000 ms.
    pub fn with_config(config: CoreConfig) -> Self {
        let mut s = Script {
            core: Core::default(),
            at_ms: 1_000_000,
            records: Vec::new(),
        };
        s.event(Event::Boot(config));
        s
    }

    /// An outside event, 50 ms after the previous one.
    pub fn event(&mut self, e: Event) -> &mut Self {
        self.at_ms += 50;
        let steps = self.core.handle_event(e, self.at_ms);
        self.records.extend(records_from_steps(&steps, self.at_ms));
        self
    }

    /// An SDK callback for `attempt`.
    pub fn sdk(&mut self, attempt: u64, e: SdkEvent) -> &mut Self {
        self.event(Event::Sdk { attempt, event: e })
    }

    /// Time passes.
    pub fn wait(&mut self, ms: u64) -> &mut Self {
        self.at_ms += ms;
        self
    }

    /// A timer of `attempt` fires.
    pub fn timer(&mut self, attempt: u64, kind: TimerKind) -> &mut Self {
        self.at_ms += 50;
        let input = Input::Session(SessionInput::TimerFired(kind));
        let steps = self
            .core
            .deliver(Target::Session(attempt), input, self.at_ms);
        self.records.extend(records_from_steps(&steps, self.at_ms));
        self
    }

    /// A hand-made record (something today's core would not decide).
    pub fn raw(&mut self, actor: ActorName, body: Entry) -> &mut Self {
        self.records.push(NewRecord {
            at_ms: self.at_ms,
            actor,
            body,
        });
        self
    }

    /// The app's process ends and a new one starts on this log (DESIGN rule 10), as the
    /// runtime does it: a boot, then what ends the old process's live call.
    pub fn relaunch(&mut self) -> &mut Self {
        self.at_ms += 50;
        let repairs = self.core.machines.reconcile_at_launch();
        let mut steps = self.core.handle_event(
            Event::Boot(self.core.machines.router.config().clone()),
            self.at_ms,
        );
        for (target, input) in repairs {
            steps.extend(self.core.deliver(target, input, self.at_ms));
        }
        self.records.extend(records_from_steps(&steps, self.at_ms));
        self
    }

    /// Opens a meeting link, shows the call view and joins: attempt `attempt` is in the call.
    pub fn joined_call(&mut self, id: &str, attempt: u64) -> &mut Self {
        self.event(Event::OpenLink {
            url: format!("https://meet.switchboard.example/meet/{id}"),
        })
        .event(Event::ViewAppeared)
        .wait(800)
        .sdk(attempt, SdkEvent::JoinSucceeded)
        .sdk(attempt, SdkEvent::SessionJoined)
        .sdk(attempt, SdkEvent::ParticipantCountChanged { count: 2 })
    }

    /// The shell takes the view down and the user dismisses the ended call.
    pub fn close_view(&mut self) -> &mut Self {
        self.wait(300)
            .event(Event::ViewDisappeared)
            .wait(1000)
            .event(Event::Dismiss)
    }

    /// The records so far, numbered from 0.
    pub fn records(&self) -> Vec<Record> {
        (0u64..)
            .zip(&self.records)
            .map(|(seq, r)| r.at_seq(seq))
            .collect()
    }

    /// Writes the log as JSON Lines into `dir` and returns the path.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).unwrap();
        switchboard_journal::export_jsonl(self.records().into_iter().map(Ok), file).unwrap();
        path
    }
}

/// Runs `diagnose --json` and returns its exit code and findings.
pub fn diagnose(path: &Path) -> (i32, Vec<serde_json::Value>) {
    let out = switchboard(&["diagnose", path.to_str().unwrap(), "--json"]);
    let (stdout, stderr) = text(&out);
    let code = out.status.code().expect("exited");
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    assert_eq!(code == 1, !findings.is_empty(), "{stdout}");
    (code, findings)
}

/// The rule names among findings.
pub fn rules(findings: &[serde_json::Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}
