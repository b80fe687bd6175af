//! The Switchboard event log.
//!
//! Every input an actor receives is written here before it is acted on, and every command it
//! decides after, so any call can be replayed exactly. This crate owns:
//! - the record format ([`Record`], [`FORMAT_VERSION`]): bincode 2 with a CRC32 per record;
//! - the [`Journal`] trait and its [`FlushPolicy`], with two backends: [`SledJournal`] on disk and
//!   [`MemoryJournal`] for tests and the simulator (same bytes, injectable faults);
//! - [`GroupCommit`], a thread that turns many small appends into one flush;
//! - JSON Lines export and import ([`export_jsonl`], [`import_jsonl`], [`open_log`]) and the JSON
//!   Schema of a line ([`log_record_schema`]);
//! - with the `test-support` feature, [`script`] (scripted calls as records) and [`testing`]
//!   (a journal that fails on demand), for tests, benchmarks and the CLI's demo;
//! - replay: the one fold of a log through today's machines ([`Replay`]), with [`fold`] and
//!   [`verify`] on it.
//!
//! Reading stops at the first torn or corrupt record with an error naming its seq; everything
//! before it stays readable. The on-disk layout is described in docs/journal-format.md.
#![warn(missing_docs)]

mod atomic;
mod batch;
mod error;
mod format;
mod group_commit;
mod journal;
mod jsonl;
mod memory;
mod record;
pub mod redact;
mod replay;
mod schema;
#[cfg(any(test, feature = "test-support"))]
pub mod script;
mod sled_journal;
pub mod snapshot;
mod snapshotting;
#[cfg(feature = "test-support")]
pub mod testing;

pub use atomic::write_atomically;
pub use batch::{decode_batch, BATCH_RECORDS_MAX};
pub use error::{Error, Result};
pub use group_commit::{
    Ack, CommitTask, GroupCommit, NoPace, Pace, Submitter, COMMIT_RECORDS_MAX, QUEUE_BATCHES_MAX,
};
pub use journal::{FlushPolicy, Journal};
pub use jsonl::{export_jsonl, import_jsonl, open_log, open_log_prefix, LogLine, LINE_BYTES_MAX};
pub use memory::{Batches, MemoryJournal};
pub use record::{
    Kind, NewRecord, Record, CRC_BYTES, FORMAT_OLDEST, FORMAT_VERSION, RECORD_BYTES_MAX,
};
pub use replay::{
    fold, verify, Divergence, DivergenceKind, Fold, Group, Replay, SnapshotUse, Step, VerifyOk,
};
pub use schema::{log_record_schema, LOG_RECORD_SCHEMA_PATH};
pub use sled_journal::{
    open_db as open_sled_db, remove_sled_leftovers, OpenReport, Quarantined, SetAside, SledJournal,
    FORMAT_KEY, MAGIC, MAGIC_KEY, META_TREE, QUARANTINE_TREE, RECORDS_TREE, SET_ASIDE_SUFFIX,
    SNAPSHOTS_TREE,
};
pub use snapshotting::{
    recover, Recovery, Retention, SnapshottingJournal, DISK_BYTES_PER_RECORD,
    SNAPSHOT_EVERY_RECORDS,
};
