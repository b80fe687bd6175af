//! Helpers shared by the CLI's behaviour tests: running the binary, and writing call logs made
//! by the domain's `Core` (plus hand-made records where the core would never decide something).
#![allow(dead_code)]
use std::path::{Path, PathBuf};
use std::process::Output;

use switchboard_domain::core::Core;
use switchboard_domain::{
    ActorName, Authorization, Command, CoreConfig, Effect, Entry, Event, Input, Launch, MediaKind,
    Permissions, SdkEvent, SessionInput, SetupEvent, Target, TimerKind,
};
use switchboard_journal::script::records_from_steps;
use switchboard_journal::{NewRecord, Record};

/// Runs the `switchboard` binary.
pub fn switchboard(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
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
    "cold-link",
    "mic-denied",
    "second-call",
];

/// A call log being written: a booted core, a clock, and the records so far.
pub struct Script {
    core: Core,
    /// The current time.
    pub at_ms: u64,
    records: Vec<NewRecord>,
    /// Started as today's runtime starts (`Launch`, with these permissions): a relaunch
    /// launches again. `None`: an older log's `Boot`.
    launch: Option<Permissions>,
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
            launch: None,
        };
        s.event(Event::Boot(config));
        s
    }

    /// A core started as today's runtime starts it, at t = 1 000 000 ms: `Launch` with the
    /// default configuration and `permissions`. Its joins wait for the Calls SDK's init and login
    /// ([`Script::ready`]) and for the microphone (DESIGN rules 11 and 12).
    pub fn launched(permissions: Permissions) -> Self {
        Self::launched_with(CoreConfig::default(), permissions)
    }

    /// [`Script::launched`] with `config`.
    pub fn launched_with(config: CoreConfig, permissions: Permissions) -> Self {
        let mut s = Script {
            core: Core::default(),
            at_ms: 1_000_000,
            records: Vec::new(),
            launch: Some(permissions),
        };
        s.event(Event::Launch(Launch {
            config,
            permissions,
        }));
        s
    }

    /// The shell reports an init or login completion.
    pub fn setup(&mut self, e: SetupEvent) -> &mut Self {
        self.event(Event::Setup(e))
    }

    /// The request number of the latest init the script's core asked for
    /// (`Effect::InitCalls`): what a shell answering that init names. Panics for a script
    /// whose core asked for none (a `Boot`ed one: its inits are unnumbered).
    pub fn init_request(&self) -> u64 {
        self.records
            .iter()
            .rev()
            .find_map(|r| match r.body {
                Entry::Command(Command::Effect(Effect::InitCalls { request })) => Some(request),
                _ => None,
            })
            .expect("the script's core asked for a numbered init (a launched script)")
    }

    /// The Calls SDK's init succeeds (the latest one asked for), with the user logged in or not.
    pub fn init_succeeded(&mut self, logged_in: bool) -> &mut Self {
        let request = self.init_request();
        self.setup(SetupEvent::InitSucceeded { request, logged_in })
    }

    /// The Calls SDK's init (the latest one asked for) fails with `message`.
    pub fn init_failed(&mut self, message: &str) -> &mut Self {
        let request = self.init_request();
        self.setup(SetupEvent::InitFailed {
            request,
            message: message.to_owned(),
        })
    }

    /// The Calls SDK's init succeeds with the user logged in already: the SDK is ready (until
    /// the re-init after the next call).
    pub fn ready(&mut self) -> &mut Self {
        self.init_succeeded(true)
    }

    /// The shell reports a permission's status (a prompt's answer, or a change in Settings).
    pub fn permission(&mut self, media: MediaKind, status: Authorization) -> &mut Self {
        self.event(Event::Permission { media, status })
    }

    /// Opens a meeting link.
    pub fn open(&mut self, id: &str) -> &mut Self {
        self.event(Event::OpenLink {
            url: format!("https://meet.switchboard.example/meet/{id}"),
        })
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
    /// runtime does it: a boot (a launch, for a launched script), then what ends the old
    /// process's live call.
    pub fn relaunch(&mut self) -> &mut Self {
        self.at_ms += 50;
        let repairs = self.core.machines.reconcile_at_launch();
        let config = self.core.machines.router.config().clone();
        let start = match self.launch {
            Some(permissions) => Event::Launch(Launch {
                config,
                permissions,
            }),
            None => Event::Boot(config),
        };
        let mut steps = self.core.handle_event(start, self.at_ms);
        for (target, input) in repairs {
            steps.extend(self.core.deliver(target, input, self.at_ms));
        }
        self.records.extend(records_from_steps(&steps, self.at_ms));
        self
    }

    /// Opens a meeting link, shows the call view and joins: attempt `attempt` is in the call.
    pub fn joined_call(&mut self, id: &str, attempt: u64) -> &mut Self {
        self.open(id)
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
