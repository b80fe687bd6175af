//! The journal's format numbers: a leaf, so the error type can name them without importing the
//! record codec. docs/journal-format.md says what changed between formats.

/// The record format this build writes, and the newest it reads.
pub const FORMAT_VERSION: u16 = 3;

/// The format before snapshot records: the same types, without `Entry::Snapshot`.
pub const FORMAT_2: u16 = 2;

/// The oldest record format this build reads (and upcasts).
pub const FORMAT_OLDEST: u16 = 1;
const _: () = assert!(FORMAT_OLDEST < FORMAT_VERSION);
