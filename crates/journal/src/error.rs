//! The journal's one error type. Every message is one line and names the seq (or the line of an
//! exported file) and what is wrong, so the CLI can print it as is.
use std::path::PathBuf;

/// A journal result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong reading or writing a journal or an exported log.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A record's bytes are damaged: checksum mismatch, undecodable, wrong seq, missing records.
    #[error("corrupt record at seq {seq}: {what}")]
    Corrupt {
        /// The seq of the first record that could not be read.
        seq: u64,
        /// What is wrong.
        what: String,
    },
    /// A record ends before its length says it should (an interrupted write).
    #[error("torn record at seq {seq}: {got} bytes where {expected} were expected")]
    Torn {
        /// The seq of the torn record.
        seq: u64,
        /// Bytes present.
        got: usize,
        /// Bytes its frame needs.
        expected: usize,
    },
    /// A record written by a format this build does not know.
    #[error(
        "record at seq {seq} has format {format}; this build reads formats {} to {supported}",
        crate::format::FORMAT_OLDEST
    )]
    UnsupportedFormat {
        /// The record's seq.
        seq: u64,
        /// Its format.
        format: u16,
        /// The newest format this build reads.
        supported: u16,
    },
    /// The path exists but holds no switchboard journal.
    #[error("{} is not a switchboard journal", .path.display())]
    NotAJournal {
        /// The path.
        path: PathBuf,
    },
    /// The path does not exist.
    #[error("{}: no such file or directory", .path.display())]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// An exported file's line ends before the record does.
    #[error("line {line} is truncated ({})", after_seq_text(.after_seq))]
    TruncatedLine {
        /// 1-based line number.
        line: u64,
        /// The seq of the last good record before it.
        after_seq: Option<u64>,
    },
    /// An exported line whose checksum does not match its contents (edited or damaged).
    #[error("line {line} (seq {seq}): checksum mismatch: the record was edited or damaged")]
    LineChecksum {
        /// 1-based line number.
        line: u64,
        /// The seq the line claims.
        seq: u64,
    },
    /// An exported line that is not a valid record for its place in the file.
    #[error("line {line}{}: {what}", seq_text(.seq))]
    BadLine {
        /// 1-based line number.
        line: u64,
        /// The seq the line claims, when it could be read.
        seq: Option<u64>,
        /// What is wrong.
        what: String,
    },
    /// A write failed (a storage error, or a failure injected into the in-memory journal).
    #[error("write failed: {0}")]
    Write(String),
    /// The journal was opened read-only (for replay or export).
    #[error("the journal is open read-only")]
    ReadOnly,
    /// Import needs an empty journal.
    #[error("cannot import into a journal that already holds records (next seq {next_seq})")]
    NotEmpty {
        /// The journal's next seq.
        next_seq: u64,
    },
    /// Records handed to import are not a gap-free sequence from seq 0.
    #[error("cannot import: expected seq {expected}, found seq {found}")]
    ImportSequence {
        /// The seq the journal would assign.
        expected: u64,
        /// The seq of the record.
        found: u64,
    },
    /// One record is larger than the format allows.
    #[error("record of {bytes} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// Its encoded size.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A record could not be encoded.
    #[error("cannot encode record at seq {seq}: {what}")]
    Encode {
        /// The seq it would have had.
        seq: u64,
        /// What bincode said.
        what: String,
    },
    /// The journal's metadata names a newer on-disk format.
    #[error(
        "{} has journal format {found}; this build reads formats {} to {supported}",
        .path.display(),
        crate::format::FORMAT_OLDEST
    )]
    JournalFormat {
        /// The journal directory.
        path: PathBuf,
        /// The format it records.
        found: u16,
        /// The newest format this build reads.
        supported: u16,
    },
    /// Group commit needs a journal that flushes once per append.
    #[error("group commit needs a journal with the per-batch flush policy, not {0:?}")]
    FlushPolicy(crate::FlushPolicy),
    /// A record could not be redacted (its body did not survive the rewrite).
    #[error("cannot redact: {0}")]
    Redact(String),
    /// The journal was closed, or its group-commit thread has stopped.
    #[error("the journal is closed")]
    Closed,
    /// An error from sled.
    #[error("storage error: {0}")]
    Storage(#[from] sled::Error),
    /// A sled database that sled itself cannot open (damaged beyond a bad tail).
    #[error("{}: the journal cannot be opened: {what}", .path.display())]
    Unopenable {
        /// The journal directory.
        path: PathBuf,
        /// What sled said.
        what: String,
    },
    /// An I/O error on a path.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn after_seq_text(after_seq: &Option<u64>) -> String {
    match after_seq {
        Some(seq) => format!("after seq {seq}"),
        None => "before any record".to_owned(),
    }
}

fn seq_text(seq: &Option<u64>) -> String {
    match seq {
        Some(seq) => format!(" (seq {seq})"),
        None => String::new(),
    }
}

impl Error {
    /// The seq this error is about, when it is about one record.
    pub fn seq(&self) -> Option<u64> {
        match self {
            Error::Corrupt { seq, .. }
            | Error::Torn { seq, .. }
            | Error::UnsupportedFormat { seq, .. }
            | Error::LineChecksum { seq, .. }
            | Error::Encode { seq, .. } => Some(*seq),
            Error::BadLine { seq, .. } => *seq,
            _ => None,
        }
    }

    /// True when the error is about damaged or foreign data rather than the machine or the
    /// caller: what the CLI reports with exit code 2.
    pub fn is_bad_data(&self) -> bool {
        matches!(
            self,
            Error::Corrupt { .. }
                | Error::Torn { .. }
                | Error::UnsupportedFormat { .. }
                | Error::NotAJournal { .. }
                | Error::NotFound { .. }
                | Error::TruncatedLine { .. }
                | Error::LineChecksum { .. }
                | Error::BadLine { .. }
                | Error::JournalFormat { .. }
                | Error::Unopenable { .. }
        )
    }
}
