//! `switchboard bench`: durable append throughput of the journal against SQLite, and replay
//! throughput. A program that prints numbers (medians of several runs), never a test.
//!
//! The records come from a realistic call: the domain core driven through scripted calls, each
//! step turned into an input record and its command records.

use std::io::{BufReader, BufWriter};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use switchboard_journal::script::scripted_log;
use switchboard_journal::{
    export_jsonl, fold, import_jsonl, FlushPolicy, GroupCommit, Journal, NewRecord, Record,
    SledJournal,
};

/// History sizes (records) of the start-up rows.
const STARTUP_HISTORIES: [usize; 3] = [1_000, 100_000, 1_000_000];
/// The goal for a core's start-up (open, recover, ready) whatever the history (issue 13).
const STARTUP_GOAL_MS: f64 = 20.0;

/// The goal for an SDK callback to reach the rendered `UiState`, as a multiple of the floor (one
/// durable flush plus one thread hop), at the median (issue 13).
const CALLBACK_GOAL_RATIO: f64 = 1.5;

/// The goal for full-actor simulated calls per second on one core, light faults (issue 13).
const SIM_CALLS_GOAL: f64 = 20_000.0;

/// Batch sizes every append row is measured at.
const BATCH_SIZES: [usize; 2] = [16, 100];
/// Producer threads of the cross-thread group-commit row.
const PRODUCERS: usize = 4;
/// The goal of the single-caller group commit against SQLite (WAL, synchronous=FULL) at batch 16,
/// in every run (issue 13).
const GROUP_VS_SQLITE_GOAL: f64 = 1.5;

/// How much work one invocation does.
struct Plan {
    runs: usize,
    /// Records per run of a group-commit or SQLite row.
    records: usize,
    /// Records per run of the flush-per-record row (about 7k/s).
    records_every: usize,
    /// Records in the replay log.
    replay_records: usize,
}

impl Plan {
    fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                runs: 3,
                records: 10_000,
                records_every: 1_000,
                replay_records: 50_000,
            }
        } else {
            Plan {
                runs: 7,
                records: 40_000,
                records_every: 3_000,
                replay_records: 200_000,
            }
        }
    }
}

/// One printed row: a name and its median.
struct Row {
    name: String,
    value: String,
}

/// Runs every benchmark and prints the table.
pub fn run(quick: bool) -> Result<()> {
    let plan = Plan::new(quick);
    let records = scripted_log(
        plan.records
            .max(plan.replay_records)
            .max(STARTUP_HISTORIES[STARTUP_HISTORIES.len() - 1]),
    );
    println!(
        "switchboard bench{}: {} runs per row, medians; records from scripted calls (avg {} bytes)",
        if quick { " --quick" } else { "" },
        plan.runs,
        average_bytes(&records[..1000])?
    );
    let mut rows = Vec::new();
    for batch in BATCH_SIZES {
        rows.extend(append_rows(&plan, &records, batch)?);
    }
    rows.extend(replay_rows(&plan, &records[..plan.replay_records])?);
    // The rows that start a core share one runtime, shaped as the app's (two worker threads).
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rows.extend(startup_rows(&plan, &rt, &records)?);
    rows.extend(callback_rows(&plan, &rt, &records[..1])?);
    rows.extend(sim_rows(&plan));
    print_table(&rows);
    println!(
        "notes: what each row's commit guarantees. sled's flush (per batch, and every group \
         commit) is pwrite + sync_file_range: the batch survives the process being killed, but \
         sync_file_range does not flush the drive's cache or the file's metadata, so a power cut \
         can lose the newest batches (sled's own flusher fsyncs every 500 ms). SQLite FULL fsyncs \
         the WAL at every commit: a committed batch survives a power cut. SQLite NORMAL fsyncs \
         only at checkpoints: a commit survives the process dying, and a power cut can lose the \
         newest commits. So sled per batch and SQLite NORMAL promise the same (a killed app keeps \
         every acknowledged call record); SQLite FULL promises more. Figures go through sled's \
         and SQLite's own threads and this machine's disk, so they vary from run to run."
    );
    Ok(())
}

fn average_bytes(records: &[NewRecord]) -> Result<usize> {
    let mut total = 0;
    for (seq, r) in (0u64..).zip(records) {
        total += r.to_bytes(seq)?.len();
    }
    Ok(total / records.len().max(1))
}

/// One run of every append measurement at one batch size, in records per second.
struct AppendRun {
    sled_group: f64,
    /// One caller through `GroupCommit` (its writer thread and acknowledgement included).
    single_caller: f64,
    sled_every: f64,
    sqlite: f64,
    sqlite_normal: f64,
    sled_store: f64,
    threads: f64,
}

/// Measures every append row once. Sled and SQLite run back to back, in alternating order, so
/// both see the same disk weather; the ratio is then taken per run.
fn append_run(plan: &Plan, records: &[NewRecord], batch: usize, run: usize) -> Result<AppendRun> {
    let group_n = &records[..plan.records];
    let (sled_group, single_caller, sqlite, sqlite_normal) = if run.is_multiple_of(2) {
        let sled = sled_append(group_n, batch, FlushPolicy::PerBatch)?;
        let single = group_commit_threads(group_n, batch, 1)?;
        let sqlite = sqlite_append(group_n, batch, SqliteSync::Full)?;
        (
            sled,
            single,
            sqlite,
            sqlite_append(group_n, batch, SqliteSync::Normal)?,
        )
    } else {
        let normal = sqlite_append(group_n, batch, SqliteSync::Normal)?;
        let sqlite = sqlite_append(group_n, batch, SqliteSync::Full)?;
        let single = group_commit_threads(group_n, batch, 1)?;
        let sled = sled_append(group_n, batch, FlushPolicy::PerBatch)?;
        (sled, single, sqlite, normal)
    };
    let every_n = &records[..plan.records_every];
    Ok(AppendRun {
        sled_group,
        single_caller,
        sqlite,
        sqlite_normal,
        sled_every: sled_append(every_n, batch, FlushPolicy::EveryRecord)?,
        // Never flushed within the run: what encoding and inserting cost alone.
        sled_store: sled_append(group_n, batch, FlushPolicy::Interval { ms: u64::MAX })?,
        threads: group_commit_threads(group_n, batch, PRODUCERS)?,
    })
}

/// The append rows for one batch size.
fn append_rows(plan: &Plan, records: &[NewRecord], batch: usize) -> Result<Vec<Row>> {
    let mut runs = Vec::with_capacity(plan.runs);
    for run in 0..plan.runs {
        runs.push(append_run(plan, records, batch, run)?);
    }
    let med = |f: fn(&AppendRun) -> f64| median(runs.iter().map(f).collect());
    let (sled_group, sqlite, sled_store) = (
        med(|r| r.sled_group),
        med(|r| r.sqlite),
        med(|r| r.sled_store),
    );
    let ratio = med(|r| r.sled_group / r.sqlite);
    let single_ratios: Vec<f64> = runs.iter().map(|r| r.single_caller / r.sqlite).collect();
    let single_min = single_ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let single_met = single_ratios
        .iter()
        .filter(|&&r| r >= GROUP_VS_SQLITE_GOAL)
        .count();
    let us_per_batch = |rate: f64| batch as f64 / rate * 1e6;
    let flush_us = us_per_batch(sled_group) - us_per_batch(sled_store);
    Ok(vec![
        rate_row(
            format!("append b={batch}: sled, flush per batch (append in line, no writer thread)"),
            sled_group,
        ),
        rate_row(
            format!("append b={batch}: sled, flush per record"),
            med(|r| r.sled_every),
        ),
        rate_row(
            format!("append b={batch}: sled GroupCommit, 1 caller (writer thread + ack)"),
            med(|r| r.single_caller),
        ),
        rate_row(
            format!("append b={batch}: SQLite WAL, synchronous=FULL, txn per batch"),
            sqlite,
        ),
        rate_row(
            format!("append b={batch}: SQLite WAL, synchronous=NORMAL, txn per batch"),
            med(|r| r.sqlite_normal),
        ),
        Row {
            name: format!(
                "append b={batch}: ratio GroupCommit 1 caller / SQLite FULL: median, min (goal {GROUP_VS_SQLITE_GOAL}x every run)"
            ),
            value: format!(
                "{:.2}x, {single_min:.2}x ({single_met}/{} met)",
                median(single_ratios.clone()),
                single_ratios.len()
            ),
        },
        Row {
            name: format!("append b={batch}: ratio GroupCommit 1 caller / SQLite NORMAL"),
            value: format!("{:.2}x", med(|r| r.single_caller / r.sqlite_normal)),
        },
        Row {
            name: format!("append b={batch}: ratio sled in line / SQLite FULL (per run)"),
            value: format!("{ratio:.2}x"),
        },
        Row {
            name: format!("append b={batch}: per batch: sled encode+insert / flush / SQLite txn"),
            value: format!(
                "{:.0} / {:.0} / {:.0} us",
                us_per_batch(sled_store),
                flush_us,
                us_per_batch(sqlite)
            ),
        },
        rate_row(
            format!("append b={batch}: sled GroupCommit, {PRODUCERS} threads (flushes shared)"),
            med(|r| r.threads),
        ),
        Row {
            name: format!("append b={batch}: ratio GroupCommit {PRODUCERS} threads / SQLite FULL"),
            value: format!("{:.2}x", med(|r| r.threads / r.sqlite)),
        },
    ])
}

fn rate_row(name: String, records_per_s: f64) -> Row {
    Row {
        name,
        value: format!("{:.0} rec/s", records_per_s),
    }
}

/// Records per second of appending `records` in batches to a fresh sled journal.
fn sled_append(records: &[NewRecord], batch: usize, policy: FlushPolicy) -> Result<f64> {
    let dir = tempfile::tempdir()?;
    let (journal, _) = SledJournal::open(dir.path().join("journal"), policy)?;
    let start = Instant::now();
    for chunk in records.chunks(batch) {
        journal.append(chunk)?;
    }
    Ok(rate(records.len(), start.elapsed()))
}

/// Records per second when `producers` threads submit batches through one `GroupCommit`.
fn group_commit_threads(records: &[NewRecord], batch: usize, producers: usize) -> Result<f64> {
    let dir = tempfile::tempdir()?;
    let (journal, _) = SledJournal::open(dir.path().join("journal"), FlushPolicy::PerBatch)?;
    let commit = GroupCommit::start(Arc::new(journal))?;
    let per_thread = records.len() / producers;
    let start = Instant::now();
    std::thread::scope(|s| -> Result<()> {
        let workers: Vec<_> = records
            .chunks(per_thread)
            .take(producers)
            .map(|part| {
                let commit = &commit;
                s.spawn(move || -> Result<()> {
                    for chunk in part.chunks(batch) {
                        commit.submit_blocking(chunk.to_vec())?;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| anyhow::anyhow!("producer panicked"))??;
        }
        Ok(())
    })?;
    let elapsed = start.elapsed();
    commit.shutdown()?;
    Ok(rate(per_thread * producers, elapsed))
}

/// SQLite's `synchronous` setting in WAL mode.
#[derive(Clone, Copy)]
enum SqliteSync {
    /// Every commit fsyncs the WAL: a committed transaction survives a power cut.
    Full,
    /// The WAL is fsynced only at checkpoints: a commit survives the process dying, but the
    /// newest commits can be lost (never corrupted) in a power cut.
    Normal,
}

/// Records per second of the same stored bytes into SQLite, one transaction per batch.
fn sqlite_append(records: &[NewRecord], batch: usize, sync: SqliteSync) -> Result<f64> {
    let dir = tempfile::tempdir()?;
    let mut conn = open_sqlite(&dir.path().join("bench.sqlite"), sync)?;
    let start = Instant::now();
    let mut seq = 0u64;
    for chunk in records.chunks(batch) {
        let tx = conn.transaction()?;
        {
            let mut insert =
                tx.prepare_cached("INSERT INTO records (seq, bytes) VALUES (?1, ?2)")?;
            for r in chunk {
                let seq_i64 = i64::try_from(seq)?;
                insert.execute(rusqlite::params![seq_i64, r.to_bytes(seq)?])?;
                seq += 1;
            }
        }
        tx.commit()?;
    }
    Ok(rate(records.len(), start.elapsed()))
}

fn open_sqlite(path: &Path, sync: SqliteSync) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    anyhow::ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "SQLite refused WAL mode ({mode})"
    );
    conn.execute_batch(match sync {
        SqliteSync::Full => "PRAGMA synchronous=FULL;",
        SqliteSync::Normal => "PRAGMA synchronous=NORMAL;",
    })?;
    conn.execute_batch("CREATE TABLE records (seq INTEGER PRIMARY KEY, bytes BLOB NOT NULL);")?;
    Ok(conn)
}

/// Replay rows: decode every record and fold the inputs through fresh machines.
fn replay_rows(plan: &Plan, records: &[NewRecord]) -> Result<Vec<Row>> {
    let dir = tempfile::tempdir()?;
    let journal_dir = dir.path().join("journal");
    {
        let (journal, _) = SledJournal::open(&journal_dir, FlushPolicy::PerBatch)?;
        for chunk in records.chunks(100) {
            journal.append(chunk)?;
        }
    }
    let jsonl = dir.path().join("log.jsonl");
    {
        let journal = SledJournal::open_existing(&journal_dir)?;
        let out = BufWriter::new(std::fs::File::create(&jsonl)?);
        export_jsonl(journal.scan(0), out)?;
    }
    let journal = SledJournal::open_existing(&journal_dir)?;
    let sled = median_of(plan.runs, || replay_sled(&journal, records.len()))?;
    drop(journal);
    let json = median_of(plan.runs, || replay_jsonl(&jsonl, records.len()))?;
    Ok(vec![
        rate_row(
            format!("replay {} records from sled (scan + fold)", records.len()),
            sled,
        ),
        rate_row(
            format!(
                "replay {} records from JSONL (parse + check + fold)",
                records.len()
            ),
            json,
        ),
    ])
}

/// Start-up rows: for each history size, the time a core takes from `Runtime::start` on a sled
/// journal holding that history to the running core (open the journal, fold it, record the
/// launch, reconcile), median of the plan's runs, beside the goal; and the bytes the journal
/// directory holds per record.
fn startup_rows(
    plan: &Plan,
    rt: &tokio::runtime::Runtime,
    records: &[NewRecord],
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for history in STARTUP_HISTORIES {
        let dir = tempfile::tempdir()?;
        let journal_dir = dir.path().join("journal");
        {
            let (journal, _) = SledJournal::open(&journal_dir, FlushPolicy::PerBatch)?;
            for chunk in records[..history].chunks(100) {
                journal.append(chunk)?;
            }
            journal.close()?;
        }
        let bytes = dir_bytes(&journal_dir)?;
        let mut times = Vec::with_capacity(plan.runs);
        for _ in 0..plan.runs {
            times.push(rt.block_on(start_once(&journal_dir))?);
        }
        let ms = median(times);
        rows.push(Row {
            name: format!(
                "start-up: open + recover + ready, {history} records (goal {STARTUP_GOAL_MS:.0} ms)"
            ),
            value: format!("{ms:.1} ms, {:.2}x goal", ms / STARTUP_GOAL_MS),
        });
        rows.push(Row {
            name: format!("start-up: journal bytes on disk per record, {history} records"),
            value: format!("{:.0} B/rec", bytes as f64 / history as f64),
        });
    }
    Ok(rows)
}

/// Callback rows: an SDK callback (`onParticipantListChanged`, a new count each time) sent to a
/// joined call on the real runtime and sled until the UI port is asked to render the state it
/// changed, median and p99; beside it, in the same run, the floor: one record appended and
/// flushed to sled by another thread (one durable flush plus one thread hop).
fn callback_rows(plan: &Plan, rt: &tokio::runtime::Runtime, one: &[NewRecord]) -> Result<Vec<Row>> {
    let samples = if plan.runs <= 3 { 300 } else { 2_000 };
    let callback = rt.block_on(callback_samples(samples))?;
    let floor = floor_samples(samples, one)?;
    let (cb_med, cb_p99) = (percentile(&callback, 0.5), percentile(&callback, 0.99));
    let (fl_med, fl_p99) = (percentile(&floor, 0.5), percentile(&floor, 0.99));
    Ok(vec![
        Row {
            name: format!(
                "callback: SDK event -> rendered UiState, real runtime + sled ({samples} samples)"
            ),
            value: format!("{cb_med:.0} us median, {cb_p99:.0} us p99"),
        },
        Row {
            name: "callback: floor, one durable sled flush + one thread hop".to_owned(),
            value: format!("{fl_med:.0} us median, {fl_p99:.0} us p99"),
        },
        Row {
            name: format!("callback: ratio to the floor, median (goal {CALLBACK_GOAL_RATIO}x)"),
            value: format!("{:.2}x", cb_med / fl_med.max(1e-9)),
        },
    ])
}

/// A UI port that reports when it is asked to render (and does nothing else).
struct RenderSignal(std::sync::Mutex<std::sync::mpsc::Sender<Instant>>);

impl switchboard_runtime::UiSink for RenderSignal {
    fn render(&self, _state: &switchboard_domain::UiState) -> switchboard_runtime::PortResult {
        let _ = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .send(Instant::now());
        Ok(())
    }

    fn request_permission(
        &self,
        _media: switchboard_domain::MediaKind,
    ) -> switchboard_runtime::PortResult {
        Ok(())
    }

    fn open_app_settings(&self) -> switchboard_runtime::PortResult {
        Ok(())
    }

    fn share_link(&self, _url: &str) -> switchboard_runtime::PortResult {
        Ok(())
    }
}

/// Microseconds from each callback's send to its render, on a joined call.
async fn callback_samples(samples: usize) -> Result<Vec<f64>> {
    use switchboard_domain::{CoreConfig, Event, Permissions, SdkEvent, DEFAULT_ALLOWED_HOST};
    use switchboard_runtime::{JournalConfig, Ports, Runtime, RuntimeConfig, SystemClock};
    let dir = tempfile::tempdir()?;
    let (tx, rx) = std::sync::mpsc::channel();
    let (recording, recorder) = switchboard_runtime::fakes::recording_ports(Arc::new(SystemClock));
    let ports = Ports {
        ui: Arc::new(RenderSignal(std::sync::Mutex::new(tx))),
        ..recording
    };
    let config = RuntimeConfig {
        core: CoreConfig::default(),
        journal: JournalConfig::Sled {
            dir: dir.path().join("journal"),
            policy: FlushPolicy::PerBatch,
            retention: Default::default(),
        },
        permissions: Permissions::GRANTED,
    };
    let runtime = Runtime::start(config, ports).await?;
    recorder.answer_setup(runtime.events());
    for event in [
        Event::OpenLink {
            url: format!("https://{DEFAULT_ALLOWED_HOST}/meet/bench"),
        },
        Event::ViewAppeared,
        Event::Sdk {
            attempt: 1,
            event: SdkEvent::JoinSucceeded,
        },
    ] {
        runtime.send(event);
        runtime.settle().await;
    }
    anyhow::ensure!(
        matches!(
            runtime.ui_state(),
            switchboard_domain::UiState::InCall { .. }
        ),
        "the bench call did not join: {:?}",
        runtime.ui_state()
    );
    while rx.try_recv().is_ok() {}
    let mut out = Vec::with_capacity(samples);
    for i in 0..samples {
        let sent = Instant::now();
        runtime.send(Event::Sdk {
            attempt: 1,
            event: SdkEvent::ParticipantCountChanged {
                count: 2 + (i % 50) as u32,
            },
        });
        let rendered = rx
            .recv_timeout(Duration::from_secs(5))
            .context("no render within 5 s of a participant-count callback")?;
        out.push(rendered.duration_since(sent).as_secs_f64() * 1e6);
        runtime.settle().await;
    }
    runtime.shutdown().await?;
    Ok(out)
}

/// Microseconds for one record handed to another thread to be appended and flushed to sled.
fn floor_samples(samples: usize, one: &[NewRecord]) -> Result<Vec<f64>> {
    let dir = tempfile::tempdir()?;
    let (journal, _) = SledJournal::open(dir.path().join("journal"), FlushPolicy::PerBatch)?;
    let (to_writer, jobs) = std::sync::mpsc::channel::<(Instant, Vec<NewRecord>)>();
    let (done, took) = std::sync::mpsc::channel::<Result<f64>>();
    let writer = std::thread::spawn(move || {
        for (sent, batch) in jobs {
            let result = journal
                .append(&batch)
                .map(|_| sent.elapsed().as_secs_f64() * 1e6)
                .map_err(anyhow::Error::from);
            if done.send(result).is_err() {
                break;
            }
        }
    });
    let mut out = Vec::with_capacity(samples);
    for _ in 0..samples {
        to_writer
            .send((Instant::now(), one.to_vec()))
            .map_err(|_| anyhow::anyhow!("the writer thread stopped"))?;
        out.push(took.recv()??);
    }
    drop(to_writer);
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
    Ok(out)
}

/// The value at fraction `p` of the sorted samples (nearest rank).
fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or(0.0)
}

/// Milliseconds from `Runtime::start` on the journal in `dir` to a settled core (the launch
/// journaled and acted on); then shuts it down (not timed).
async fn start_once(dir: &Path) -> Result<f64> {
    use switchboard_domain::{CoreConfig, Permissions};
    use switchboard_runtime::{JournalConfig, Runtime, RuntimeConfig, SystemClock};
    let (ports, _recorder) = switchboard_runtime::fakes::recording_ports(Arc::new(SystemClock));
    let config = RuntimeConfig {
        core: CoreConfig::default(),
        journal: JournalConfig::Sled {
            dir: dir.to_path_buf(),
            policy: FlushPolicy::PerBatch,
            retention: Default::default(),
        },
        permissions: Permissions::GRANTED,
    };
    let start = Instant::now();
    let runtime = Runtime::start(config, ports).await?;
    // Ready: the launch (and any repair) journaled and acted on.
    runtime.settle().await;
    let elapsed = start.elapsed();
    runtime.shutdown().await?;
    Ok(elapsed.as_secs_f64() * 1e3)
}

/// The bytes of every file under `dir`.
fn dir_bytes(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).with_context(|| dir.display().to_string())? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() {
            dir_bytes(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

/// Records per second to `load` a log and fold it through the machines; the clock covers both.
fn replay_rate(expected: usize, load: impl FnOnce() -> Result<Vec<Record>>) -> Result<f64> {
    let start = Instant::now();
    let records = load()?;
    fold(&records).map_err(|d| anyhow::anyhow!("replay diverged: {d}"))?;
    let elapsed = start.elapsed();
    anyhow::ensure!(
        records.len() == expected,
        "replayed {} of {expected}",
        records.len()
    );
    Ok(rate(expected, elapsed))
}

fn replay_sled(journal: &SledJournal, expected: usize) -> Result<f64> {
    replay_rate(expected, || {
        Ok(journal.scan(0).collect::<Result<Vec<_>, _>>()?)
    })
}

fn replay_jsonl(path: &Path, expected: usize) -> Result<f64> {
    replay_rate(expected, || {
        let file = std::fs::File::open(path).with_context(|| path.display().to_string())?;
        Ok(import_jsonl(BufReader::new(file))?)
    })
}

fn rate(records: usize, elapsed: Duration) -> f64 {
    records as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// The median of `runs` measurements.
fn median_of(runs: usize, mut measure: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut values = Vec::with_capacity(runs);
    for _ in 0..runs {
        values.push(measure()?);
    }
    Ok(median(values))
}

/// The median of some values (0 for none).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn print_table(rows: &[Row]) {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for row in rows {
        println!("{:<width$}  {:>22}", row.name, row.value);
    }
}

/// Seeds per run of the simulation rows.
fn sim_seeds(plan: &Plan) -> u64 {
    if plan.runs <= 3 {
        300
    } else {
        1_500
    }
}

/// One batch of simulations on this thread (each on its own paused current-thread runtime):
/// simulated calls per second, simulations per second, simulated time over wall time.
fn sim_run(seeds: u64, base: u64) -> (f64, f64, f64) {
    let config = switchboard_sim::BatchConfig {
        level: switchboard_sim::FaultLevel::Light,
        base,
        count: seeds,
        shard: None,
        jobs: 1,
        run: switchboard_sim::RunConfig::default(),
        check_determinism: false,
    };
    let outcome = switchboard_sim::run_batch(&config, &|_| {});
    let wall = outcome.wall.as_secs_f64().max(1e-9);
    (
        outcome.attempts as f64 / wall,
        outcome.runs_per_s(),
        outcome.time_ratio(),
    )
}

/// Simulation rows: the full actor runtime (router, sessions, audio, UI bridge, in-memory
/// journal, invariants checked after every step) driven by `switchboard sim`'s fakes, one core.
fn sim_rows(plan: &Plan) -> Vec<Row> {
    let seeds = sim_seeds(plan);
    let runs: Vec<(f64, f64, f64)> = (0..plan.runs as u64)
        .map(|run| sim_run(seeds, run * seeds))
        .collect();
    let med = |f: fn(&(f64, f64, f64)) -> f64| median(runs.iter().map(f).collect());
    vec![
        Row {
            name: format!("sim: full-actor simulated calls/s (1 core, same thread, {seeds} seeds, faults light; goal {SIM_CALLS_GOAL:.0})"),
            value: format!("{:.0} calls/s, {:.2}x goal", med(|r| r.0), med(|r| r.0) / SIM_CALLS_GOAL),
        },
        Row {
            name: "sim: simulations/s (1 core, same thread)".to_owned(),
            value: format!("{:.0} runs/s", med(|r| r.1)),
        },
        Row {
            name: "sim: simulated time / wall time (1 core)".to_owned(),
            value: format!("{:.0}x", med(|r| r.2)),
        },
    ]
}
