//! `switchboard`: run scripted calls, replay and check call-event logs, judge meeting links,
//! move logs in and out as JSON Lines, and measure the journal.
//!
//! Exit codes: 0 success; 1 a finding (a replay diverged, a check failed, a link was rejected);
//! 2 bad usage or bad input, with one line on stderr.
mod bench;
mod columnar;
mod demo;
mod diagnose;
mod error;
mod logs;
mod output;
mod output_file;
mod replay;
mod report;
mod sim;
mod state;
mod timeline;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use error::CliError;

/// Switchboard: the call orchestration core, on the command line.
#[derive(Parser, Debug)]
#[command(name = "switchboard", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success, 1 a finding, 2 bad usage or input.\nDocs: docs/architecture.md"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run scripted calls through the real runtime with a fake SDK and audio session, print each
    /// call's timeline, and check that the journal replays to the same commands and UiState.
    #[command(
        after_help = "Example:\n  switchboard demo --scenario drop\n  switchboard demo --journal /tmp/demo-log --scenario all\n\nScenarios: happy, drop, timeout, spurious-init-error, double-appear, auth-error, relaunch
(the app killed mid-call and opened again), cold-link (a link before the SDK is ready), mic-denied,
second-call (the SDK initialised again between two calls), all."
    )]
    Demo {
        /// Where the sled journal goes (emptied first).
        #[arg(long, default_value = "switchboard-demo")]
        journal: PathBuf,
        /// Which scenario to run.
        #[arg(long, default_value = "all")]
        scenario: String,
    },
    /// Print the timeline of a call-event log: seq, time, actor, input or command, and the state
    /// the input led to. With --verify, re-derive every command from the inputs with today's
    /// machines and report the first divergence.
    #[command(
        after_help = "Examples:\n  switchboard replay switchboard-demo\n  switchboard replay call.jsonl --session abc_DEF-123 --json\n  switchboard replay switchboard-demo --verify\n  switchboard replay call.jsonl --at 100\n  switchboard replay call.jsonl --diff"
    )]
    Replay {
        /// A sled journal directory or an exported .jsonl file.
        log: PathBuf,
        /// Only the attempts of this session id (and what happened around them).
        #[arg(long)]
        session: Option<String>,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
        /// Check that today's machines decide the recorded commands (exit 1 on divergence, which
        /// names the first one by seq; with --json, one object). It checks the whole log: a
        /// machine's state depends on everything before it, so --session cannot narrow it.
        #[arg(long, conflicts_with = "session")]
        verify: bool,
        /// Print the state of every machine just after this seq.
        #[arg(long, value_name = "SEQ", conflicts_with_all = ["verify", "diff"])]
        at: Option<u64>,
        /// Print what changed in the state of a machine at each input.
        #[arg(long, conflicts_with = "verify")]
        diff: bool,
    },
    /// Say what the router decides for a meeting link, as one JSON object. Exit 0 when
    /// accepted, 1 when rejected.
    #[command(
        after_help = "Examples:\n  switchboard link https://meet.switchboard.example/meet/abc_DEF-123\n  switchboard link https://calls.acme.test/meet/x --allow-host calls.acme.test\n\nThe default allowed host is meet.switchboard.example."
    )]
    Link {
        /// The URL, exactly as the system would hand it over.
        url: String,
        /// A host whose links are accepted (repeatable; replaces the default).
        #[arg(long = "allow-host")]
        allow_hosts: Vec<String>,
    },
    /// Write a log as JSON Lines (one record per line, each with its CRC) or as Apache Parquet
    /// (one row per record); --redact replaces session ids, titles, links and SDK messages by
    /// stable salted hashes first.
    #[command(
        after_help = "Examples:\n  switchboard export switchboard-demo --out call.jsonl\n  switchboard export call.jsonl --redact --out shared.jsonl\n  switchboard export call.jsonl --format parquet --out call.parquet"
    )]
    Export {
        /// A sled journal directory or a .jsonl file.
        log: PathBuf,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
        /// Replace personal and secret values by salted hashes (the log still replays).
        #[arg(long)]
        redact: bool,
        /// The file format.
        #[arg(long, value_enum, default_value_t = logs::ExportFormat::Jsonl)]
        format: logs::ExportFormat,
    },
    /// Load a JSON Lines export into a new sled journal (every record's CRC is checked first).
    #[command(after_help = "Example:\n  switchboard import call.jsonl --journal ./restored")]
    Import {
        /// The .jsonl file.
        file: PathBuf,
        /// The journal directory to create (must not hold a journal already).
        #[arg(long)]
        journal: PathBuf,
    },
    /// Run seeded, deterministic simulations of the real actors with injected faults, checking
    /// the call rules after every step; a failing seed comes back as a replayable journal.
    Sim(sim::SimArgs),
    /// Look through a call-event log for what support engineers hunt for (a stranded call view,
    /// a join that never completed, a leave with no answer...). Exit 1 when anything is found.
    Diagnose(diagnose::DiagnoseArgs),
    /// Write one self-contained HTML page showing a call-event log: lanes per actor, session
    /// state bands, markers, a filterable event table and the state after any event.
    Report(report::ReportArgs),
    /// Measure the journal and the simulator: durable appends (group commit, flush per record,
    /// SQLite), replay throughput, and full-actor simulated calls per second.
    #[command(after_help = "Example:\n  switchboard bench --quick")]
    Bench {
        /// Fewer and shorter runs: about 3 s on a 2-core machine, against about 25 s for the
        /// full run.
        #[arg(long)]
        quick: bool,
    },
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Demo { journal, scenario } => demo::run(&journal, &scenario),
        Command::Replay {
            log,
            session,
            json,
            verify,
            at,
            diff,
        } => replay::run(
            &log,
            replay::Options {
                session: session.as_deref(),
                json,
                verify,
                at,
                diff,
            },
        ),
        Command::Link { url, allow_hosts } => replay::link(&url, allow_hosts),
        Command::Export {
            log,
            out,
            redact,
            format,
        } => logs::export(&log, &out, redact, format),
        Command::Import { file, journal } => logs::import(&file, &journal),
        Command::Sim(args) => sim::run(args),
        Command::Diagnose(args) => diagnose::run(args),
        Command::Report(args) => report::run(args),
        Command::Bench { quick } => bench::run(quick).map_err(CliError::internal),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

/// Crates whose `tracing` events reach stderr by default: ours, and only at error level.
/// Other crates (sled logs its own ERROR events about a damaged database) stay quiet, so bad
/// input shows the one line the command prints; `SWITCHBOARD_LOG` (or `RUST_LOG`), in the usual
/// `target=level` syntax, turns anything on explicitly.
const DEFAULT_LOG: &str = "off,switchboard=error,switchboard_cli=error,switchboard_journal=error,\
                           switchboard_runtime=error,switchboard_sim=error";

fn init_tracing() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SWITCHBOARD_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never into a file or a pipe.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Help and version go to stdout (exit 0); a bare `switchboard` prints the help (exit 2); any
/// other usage error is one line on stderr, with the command's usage, and exit 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let text = e.render().to_string();
    // clap's first paragraph is the problem (a list of missing arguments spans several lines).
    let problem: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let problem = problem.join(" ");
    let problem = problem.trim_start_matches("error: ");
    match text.lines().find_map(|l| l.strip_prefix("Usage: ")) {
        Some(usage) => eprintln!("switchboard: error: {problem} (usage: {usage}; see --help)"),
        None => eprintln!("switchboard: error: {problem} (see switchboard --help)"),
    }
    ExitCode::from(2)
}
