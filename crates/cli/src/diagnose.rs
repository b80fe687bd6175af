//! `switchboard diagnose`: the rules a support engineer would otherwise check by reading a
//! timeline. Each rule looks at the whole log and returns findings; a finding names its seq range,
//! says in plain words what happened and what to change. The rules live in `diagnose/`, one file
//! per family; this file owns the finding type, the limits, the shared view of a log ([`Log`]),
//! and the command.
mod audio;
mod calls;
mod incidents;
mod setup;
mod timing;
mod view;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use switchboard_domain::{
    ActorName, AttemptId, Command, Entry, Input, Machines, Message, RouterInput, SdkEvent,
    SessionId, SessionInput, SessionType,
};
use switchboard_journal::{Record, Replay};

use crate::error::CliError;

/// Arguments of `switchboard diagnose`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  switchboard diagnose call.jsonl\n  switchboard diagnose switchboard-demo --json\n\nExit codes: 0 nothing found, 1 findings, 2 unreadable input.\nRules: view-stranded, join-twice, join-timeout, sdk-before-listeners, reconnect-stuck,\naudio-no-mic, leave-unanswered, time-gap, after-ended, corrupt-tail, journal-set-aside,\njournal-tail-quarantined, port-failed, app-terminated, microphone-denied, camera-denied,
init-failed, login-failed, slow-sdk-ready, input-rejected."
)]
pub struct DiagnoseArgs {
    /// A sled journal directory or an exported .jsonl file.
    pub log: PathBuf,
    /// One JSON object (the findings and a summary) instead of text.
    #[arg(long)]
    pub json: bool,
    /// How long the call view may stay up after the core dismissed it, in ms.
    #[arg(long, default_value_t = Limits::default().view_grace_ms)]
    pub view_grace_ms: u64,
    /// How long a lost connection may go without a restore or a close, in ms.
    #[arg(long, default_value_t = Limits::default().reconnect_ms)]
    pub reconnect_ms: u64,
    /// Shortest silence between two records that counts as a time gap, in ms.
    #[arg(long, default_value_t = Limits::default().gap_ms)]
    pub gap_ms: u64,
    /// How long a join may show "connecting" while it waits for the Calls SDK's init and login,
    /// in ms.
    #[arg(long, default_value_t = Limits::default().ready_ms)]
    pub ready_ms: u64,
}

/// The thresholds of the rules that judge time. Join and leave timeouts are not here: the log
/// records the ones the core used.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The call view must be reported gone this long after a dismissing UiState was rendered.
    pub view_grace_ms: u64,
    /// A lost connection must be restored or closed within this long.
    pub reconnect_ms: u64,
    /// A silence at least this long, with evidence the app was not running, is a time gap.
    pub gap_ms: u64,
    /// A join held this long for the Calls SDK to get ready is slow.
    pub ready_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            view_grace_ms: 2_000,
            reconnect_ms: 60_000,
            gap_ms: 60_000,
            ready_ms: 5_000,
        }
    }
}

/// Every rule's name, in the order they run.
pub const RULES: [&str; 20] = [
    "view-stranded",
    "join-twice",
    "join-timeout",
    "sdk-before-listeners",
    "reconnect-stuck",
    "audio-no-mic",
    "leave-unanswered",
    "time-gap",
    "after-ended",
    "corrupt-tail",
    "journal-set-aside",
    "journal-tail-quarantined",
    "port-failed",
    "app-terminated",
    "microphone-denied",
    "camera-denied",
    "init-failed",
    "login-failed",
    "slow-sdk-ready",
    "input-rejected",
];

/// The schema of a rule name: one of [`RULES`].
fn rule_names(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "enum": RULES })
}

/// One thing a rule found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Finding {
    /// The rule's name.
    #[schemars(schema_with = "rule_names")]
    pub rule: &'static str,
    /// One short line.
    pub title: String,
    /// The first record involved.
    pub seq_first: u64,
    /// The last record involved.
    pub seq_last: u64,
    /// Time of the first record.
    pub at_ms_first: u64,
    /// Time of the last record.
    pub at_ms_last: u64,
    /// The call attempt, when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt: Option<AttemptId>,
    /// What happened, in plain words.
    pub explanation: String,
    /// What to change or check.
    pub fix: String,
}

/// `switchboard diagnose LOG --json`.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[schemars(title = "switchboard diagnose --json")]
pub struct DiagnoseReport {
    /// The log, as given on the command line.
    pub log: String,
    /// Good records read (a corrupt tail is not counted; it is a finding).
    pub records: usize,
    /// What the rules found, by seq; empty for a clean log.
    pub findings: Vec<Finding>,
}

/// One Calls SDK callback in the log, live or stale.
#[derive(Clone, Debug)]
pub struct SdkHit<'a> {
    /// Index of the record in the log.
    pub index: usize,
    /// The attempt the adapter stamped on it.
    pub attempt: AttemptId,
    /// The callback (recorded by the session, or by the router when the attempt was not live).
    pub event: &'a SdkEvent,
}

/// The timeouts an attempt was started with.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// Join timeout.
    pub join_ms: u64,
    /// Leave acknowledgement timeout.
    pub leave_ack_ms: u64,
}

/// A log as the rules see it: the records, every SDK callback, each attempt's timeouts, session
/// and kind, and the index of its `Ended` command.
pub struct Log<'a> {
    /// The records, in seq order.
    pub records: &'a [Record],
    /// Every SDK callback.
    pub sdk: Vec<SdkHit<'a>>,
    /// Each started attempt's timeouts.
    pub timeouts: BTreeMap<AttemptId, Timeouts>,
    /// Index of each attempt's `Ended` command.
    pub ended: BTreeMap<AttemptId, usize>,
    /// The session each attempt the router started was for.
    pub sessions: BTreeMap<AttemptId, &'a SessionId>,
    /// Whether each attempt the router started is a video call.
    pub video: BTreeMap<AttemptId, bool>,
    /// The thresholds.
    pub limits: Limits,
}

impl<'a> Log<'a> {
    /// Indexes a log.
    pub fn new(records: &'a [Record], limits: Limits) -> Self {
        let mut log = Log {
            records,
            sdk: Vec::new(),
            timeouts: BTreeMap::new(),
            ended: BTreeMap::new(),
            sessions: BTreeMap::new(),
            video: BTreeMap::new(),
            limits,
        };
        for (index, r) in records.iter().enumerate() {
            log.index_record(index, r);
        }
        log
    }

    fn index_record(&mut self, index: usize, r: &'a Record) {
        match (&r.actor, &r.body) {
            (ActorName::Session(a), Entry::Input(Input::Session(SessionInput::Sdk(event)))) => {
                self.sdk.push(SdkHit {
                    index,
                    attempt: *a,
                    event,
                })
            }
            (_, Entry::Input(Input::Router(RouterInput::StaleSdkEvent { attempt, event }))) => {
                self.sdk.push(SdkHit {
                    index,
                    attempt: *attempt,
                    event,
                })
            }
            (
                ActorName::Session(a),
                Entry::Input(Input::Session(SessionInput::Start {
                    join_timeout_ms,
                    leave_ack_timeout_ms,
                    ..
                })),
            ) => {
                self.timeouts.insert(
                    *a,
                    Timeouts {
                        join_ms: *join_timeout_ms,
                        leave_ack_ms: *leave_ack_timeout_ms,
                    },
                );
            }
            (_, Entry::Command(Command::Message(Message::Ended { attempt, .. }))) => {
                self.ended.entry(*attempt).or_insert(index);
            }
            (
                _,
                Entry::Command(Command::Message(Message::StartAttempt {
                    attempt,
                    session_id,
                    settings,
                    ..
                })),
            ) => {
                self.sessions.insert(*attempt, session_id);
                self.video
                    .insert(*attempt, settings.session_type == SessionType::Video);
            }
            _ => {}
        }
    }

    /// Time of the last record.
    pub fn end_ms(&self) -> u64 {
        self.records.last().map_or(0, |r| r.at_ms)
    }

    /// A finding spanning records `first..=last` (indexes into the log).
    pub fn finding(&self, rule: &'static str, first: usize, last: usize) -> Finding {
        debug_assert!(RULES.contains(&rule), "{rule} is missing from RULES");
        let (a, b) = (&self.records[first], &self.records[last.max(first)]);
        Finding {
            rule,
            title: String::new(),
            seq_first: a.seq,
            seq_last: b.seq,
            at_ms_first: a.at_ms,
            at_ms_last: b.at_ms,
            attempt: None,
            explanation: String::new(),
            fix: String::new(),
        }
    }

    /// Calls `each(index, record, machines)` after every record, with the machines folded up to
    /// and including it (the one replay: a rejected input changes nothing, and rule
    /// `input-rejected` reports it).
    pub fn fold_each(&self, mut each: impl FnMut(usize, &Record, &Machines)) {
        let mut replay = Replay::folding();
        for (i, r) in self.records.iter().enumerate() {
            let step = replay.feed(r);
            each(i, r, step.machines);
        }
    }
}

/// A duration for explanations: milliseconds below a second ("400 ms", where one decimal of a
/// second would say "0.4 s" or even "0.0 s"), seconds with one decimal from there on.
pub fn secs(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// Every finding in a log, ordered by where it starts. `tail` is the error that stopped reading
/// a damaged log, if any: the good prefix is diagnosed and the damage is a finding of its own.
pub fn findings(
    records: &[Record],
    tail: Option<&switchboard_journal::Error>,
    limits: Limits,
) -> Vec<Finding> {
    let log = Log::new(records, limits);
    let rules: [fn(&Log) -> Vec<Finding>; 19] = [
        view::stranded_view,
        calls::join_twice,
        calls::join_timeout,
        calls::sdk_before_listeners,
        calls::reconnect_stuck,
        audio::no_microphone,
        calls::leave_unanswered,
        timing::time_gaps,
        calls::after_ended,
        incidents::journal_set_aside,
        incidents::journal_tail_quarantined,
        incidents::port_failed,
        incidents::app_terminated,
        setup::microphone_denied,
        setup::camera_denied,
        setup::init_failed,
        setup::login_failed,
        setup::slow_sdk_ready,
        incidents::input_rejected,
    ];
    let mut out: Vec<Finding> = rules.iter().flat_map(|rule| rule(&log)).collect();
    if let Some(e) = tail {
        out.push(timing::corrupt_tail(records, e));
    }
    out.sort_by_key(|f| (f.seq_first, f.seq_last, f.rule));
    out
}

/// `switchboard diagnose LOG [--json]`.
pub fn run(args: DiagnoseArgs) -> Result<(), CliError> {
    let (records, tail) = switchboard_journal::open_log_prefix(&args.log)?;
    let limits = Limits {
        view_grace_ms: args.view_grace_ms,
        reconnect_ms: args.reconnect_ms,
        gap_ms: args.gap_ms,
        ready_ms: args.ready_ms,
    };
    let found = findings(&records, tail.as_ref(), limits);
    let clean = found.is_empty();
    let mut out = std::io::stdout().lock();
    if args.json {
        let doc = DiagnoseReport {
            log: args.log.display().to_string(),
            records: records.len(),
            findings: found,
        };
        serde_json::to_writer_pretty(&mut out, &doc).map_err(CliError::input)?;
        writeln!(out)?;
    } else {
        print_text(&mut out, &args.log, &records, &found)?;
    }
    if clean {
        Ok(())
    } else {
        Err(CliError::Finding)
    }
}

fn print_text(
    out: &mut impl Write,
    path: &Path,
    records: &[Record],
    found: &[Finding],
) -> std::io::Result<()> {
    let origin = records.first().map_or(0, |r| r.at_ms);
    if found.is_empty() {
        return writeln!(
            out,
            "{}: {} records, nothing found",
            path.display(),
            records.len()
        );
    }
    writeln!(
        out,
        "{}: {} records, {} finding(s)\n",
        path.display(),
        records.len(),
        found.len()
    )?;
    for (n, f) in found.iter().enumerate() {
        let range = if f.seq_first == f.seq_last {
            format!("seq {}", f.seq_first)
        } else {
            format!("seq {}..{}", f.seq_first, f.seq_last)
        };
        let attempt = f
            .attempt
            .map_or(String::new(), |a| format!(", attempt {a}"));
        writeln!(out, "{}. [{}] {}", n + 1, f.rule, f.title)?;
        writeln!(
            out,
            "   where: {range} (+{} .. +{}){attempt}",
            secs(f.at_ms_first.saturating_sub(origin)),
            secs(f.at_ms_last.saturating_sub(origin))
        )?;
        writeln!(out, "   what:  {}", f.explanation)?;
        writeln!(out, "   fix:   {}\n", f.fix)?;
    }
    writeln!(
        out,
        "See the records with: switchboard replay {} (and --at SEQ for the state at a seq)",
        path.display()
    )
}
