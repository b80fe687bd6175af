//! [`SledJournal`]: the journal on disk, in a sled database.
//!
//! Trees: `records` holds one value per append batch (see [`crate::batch`]), keyed by the
//! big-endian seq of its first record; `meta` holds the magic marker and format version;
//! `quarantine` holds bad tails moved aside on open (never deleted). docs/journal-format.md
//! explains why a batch, not a record, is the unit of storage.
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use sled::transaction::Transactional;

use crate::batch::BATCH_RECORDS_MAX;
use crate::batch::{
    batch_key, encode_batch, key_seq, truncated_batch, BadBatch, BatchReader, BatchScan,
};
use crate::error::{Error, Result};
use crate::journal::{FlushPolicy, Journal};
use crate::record::{NewRecord, Record, FORMAT_VERSION};

/// Name of the tree of record batches.
pub const RECORDS_TREE: &str = "records";
/// Name of the tree of metadata.
pub const META_TREE: &str = "meta";
/// Name of the tree that indexes snapshot records: key the seq (8 bytes, big-endian), no value.
/// A hint, checked against the record at that seq whenever it is used.
pub const SNAPSHOTS_TREE: &str = "snapshots";
/// Key in the meta tree of the seq retention deleted everything before (8 bytes, big-endian).
pub const FORGOTTEN_BEFORE_KEY: &str = "forgotten_before";
/// Name of the tree where bad tails are kept.
pub const QUARANTINE_TREE: &str = "quarantine";
/// Key of the magic marker in `meta`.
pub const MAGIC_KEY: &str = "magic";
/// The magic marker's value.
pub const MAGIC: &[u8] = b"switchboard-journal";
/// Key of the journal format version in `meta` (big-endian u16).
pub const FORMAT_KEY: &str = "format";

/// Most memory sled may use for its page cache (its default, 1 GiB, is too much for a phone).
const CACHE_CAPACITY_BYTES: u64 = 64 << 20;

/// What opening a journal for writing found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenReport {
    /// True when the journal was created by this open.
    pub created: bool,
    /// The seq the next record gets: how many good records the journal holds.
    pub next_seq: u64,
    /// The bad tail moved aside, if there was one.
    pub quarantined: Option<Quarantined>,
    /// Unfinished temporary files of sled removed before it saw the directory (file names).
    pub leftovers_removed: Vec<String>,
    /// The journal that could not be opened and was moved aside whole, if that happened (only
    /// [`SledJournal::open_or_set_aside`] does it).
    pub set_aside: Option<SetAside>,
}

/// A journal directory that could not be opened, moved aside whole so a fresh one could start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    /// Where it is now: a sibling of the journal directory.
    pub path: PathBuf,
    /// Why it could not be opened.
    pub reason: String,
}

/// The suffix of a set-aside journal's directory name, before its number: `journal` becomes
/// `journal.set-aside-1`, then `journal.set-aside-2`...
pub const SET_ASIDE_SUFFIX: &str = ".set-aside-";

/// Most set-aside journals kept beside one journal; past this the oldest number is reused only
/// after support removed it (opening then fails rather than deleting anything).
const SET_ASIDE_MAX: u32 = 1000;

/// A bad tail moved into the `quarantine` tree on open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quarantined {
    /// The first seq that could not be read; appends continue from here.
    pub from_seq: u64,
    /// How many stored batches were moved aside.
    pub batches: usize,
    /// How many bytes they hold.
    pub bytes: usize,
    /// The error that stopped the read.
    pub reason: String,
}

/// The open database: dropped by [`Journal::close`], which releases sled's file lock.
struct Store {
    db: sled::Db,
    records: sled::Tree,
    snapshots: sled::Tree,
}

struct Writer {
    /// `None` once closed.
    store: Option<Store>,
    next_seq: u64,
    last_flush: Instant,
    buf: Vec<u8>,
}

impl Writer {
    fn store(&self) -> Result<&Store> {
        self.store.as_ref().ok_or(Error::Closed)
    }
}

/// The journal in a sled database directory.
pub struct SledJournal {
    path: PathBuf,
    policy: FlushPolicy,
    read_only: bool,
    writer: Mutex<Writer>,
    /// The salvage copy this read-only journal was opened from, removed when it is dropped.
    salvage: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for SledJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SledJournal")
            .field("path", &self.path)
            .field("policy", &self.policy)
            .field("read_only", &self.read_only)
            .field("next_seq", &self.next_seq())
            .finish()
    }
}

/// What a directory holds.
enum DirKind {
    Missing,
    Empty,
    Sled,
    Other,
}

fn classify(dir: &Path) -> Result<DirKind> {
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(DirKind::Missing),
        Err(e) => return Err(io(e)),
    };
    if !meta.is_dir() {
        return Ok(DirKind::Other);
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        names.push(
            entry
                .map_err(io)?
                .file_name()
                .to_string_lossy()
                .into_owned(),
        );
    }
    let sled_file =
        |n: &String| matches!(n.as_str(), "conf" | "db" | "blobs") || n.starts_with("snap.");
    Ok(if names.is_empty() {
        DirKind::Empty
    } else if names.iter().all(sled_file) && names.iter().any(|n| n == "db") {
        DirKind::Sled
    } else {
        DirKind::Other
    })
}

/// Whether `name` is a file sled 0.34 writes under a temporary name and renames once complete.
/// sled writes a snapshot to `snap.<lsn>.generating`, syncs it, then renames it to `snap.<lsn>`;
/// a process killed before the rename leaves the temporary behind, often empty, and sled then
/// takes it for its newest snapshot and fails every later open ("Read corrupted data"). Such a
/// file is never needed: the complete snapshot before it and the log still hold everything.
fn is_sled_leftover(name: &str) -> bool {
    name.starts_with("snap.") && name.ends_with(".generating")
}

/// Removes sled's unfinished temporaries from a journal directory before sled sees it, and
/// returns their names. Does nothing to a directory that does not hold a sled database.
pub fn remove_sled_leftovers(dir: &Path) -> Result<Vec<String>> {
    if !matches!(classify(dir)?, DirKind::Sled) {
        return Ok(Vec::new());
    }
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let mut removed = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_sled_leftover(&name) {
            std::fs::remove_file(entry.path()).map_err(|source| Error::Io {
                path: entry.path(),
                source,
            })?;
            tracing::warn!(path = %entry.path().display(), "removed an unfinished sled snapshot");
            removed.push(name);
        }
    }
    removed.sort();
    Ok(removed)
}

/// How long opening waits for sled's directory lock: sled releases it on a background thread
/// shortly after the last handle of a closed database goes, so an immediate reopen in the same
/// process can find it still held for a few milliseconds.
const LOCK_WAIT_MS_MAX: u64 = 5_000;

/// Whether sled failed because another handle (or a closing one) still holds the directory lock.
fn is_lock_held(e: &std::io::Error) -> bool {
    e.to_string().contains("could not acquire lock")
}

/// Opens the sled database under a journal directory as sled itself sees it, waiting (bounded) for
/// the directory lock like [`SledJournal::open`] does. For tools and tests that inspect or tamper
/// with the raw trees; everything else goes through [`SledJournal`].
pub fn open_db(dir: &Path) -> Result<sled::Db> {
    let config = sled::Config::new()
        .path(dir)
        .cache_capacity(CACHE_CAPACITY_BYTES);
    let mut waited_ms = 0;
    loop {
        match config.open() {
            Err(sled::Error::Io(e)) if is_lock_held(&e) && waited_ms < LOCK_WAIT_MS_MAX => {
                std::thread::sleep(std::time::Duration::from_millis(10));
                waited_ms += 10;
            }
            other => return Ok(other?),
        }
    }
}

/// Whether the database holds the magic marker, is blank (may become a journal), or is foreign.
fn check_meta(db: &sled::Db, dir: &Path) -> Result<bool> {
    let not_journal = || Error::NotAJournal {
        path: dir.to_owned(),
    };
    let names = db.tree_names();
    if names.iter().any(|n| n == META_TREE.as_bytes()) {
        let meta = db.open_tree(META_TREE)?;
        if let Some(magic) = meta.get(MAGIC_KEY)? {
            if magic != MAGIC {
                return Err(not_journal());
            }
            let format = meta.get(FORMAT_KEY)?.ok_or_else(not_journal)?;
            let format = u16::from_be_bytes(format.as_ref().try_into().map_err(|_| not_journal())?);
            if format > FORMAT_VERSION {
                return Err(Error::JournalFormat {
                    path: dir.to_owned(),
                    found: format,
                    supported: FORMAT_VERSION,
                });
            }
            return Ok(true);
        }
    }
    for name in names {
        if !db.open_tree(name)?.is_empty() {
            return Err(not_journal());
        }
    }
    Ok(false)
}

/// The format number the meta tree holds (0 when it holds none).
fn stored_format(db: &sled::Db) -> Result<u16> {
    Ok(meta_bytes(db, FORMAT_KEY)?.map_or(0, u16::from_be_bytes))
}

fn write_meta(db: &sled::Db) -> Result<()> {
    let meta = db.open_tree(META_TREE)?;
    let mut batch = sled::Batch::default();
    batch.insert(MAGIC_KEY, MAGIC);
    batch.insert(FORMAT_KEY, &FORMAT_VERSION.to_be_bytes());
    meta.apply_batch(batch)?;
    db.flush()?;
    Ok(())
}

impl SledJournal {
    /// Opens the journal in `dir` for writing, creating it (and the directory) if needed, and
    /// continues its sequence. A bad tail is moved into the `quarantine` tree and reported.
    /// Fails with [`Error::NotAJournal`] for a directory that holds something else.
    pub fn open(dir: impl AsRef<Path>, policy: FlushPolicy) -> Result<(SledJournal, OpenReport)> {
        let dir = dir.as_ref();
        match classify(dir)? {
            DirKind::Missing | DirKind::Empty | DirKind::Sled => {}
            DirKind::Other => return Err(Error::NotAJournal { path: dir.into() }),
        }
        let leftovers_removed = remove_sled_leftovers(dir)?;
        let db = open_db(dir)?;
        let created = !check_meta(&db, dir)?;
        // A journal an older build made says so until this build writes to it: then it says
        // this format, so the older build refuses it as a whole instead of meeting records it
        // cannot read.
        if created || stored_format(&db)? < FORMAT_VERSION {
            write_meta(&db)?;
        }
        let records = db.open_tree(RECORDS_TREE)?;
        let (next_seq, quarantined) = recover(&db, &records, dir)?;
        let journal = SledJournal::new(db, records, dir, policy, false, next_seq);
        let report = OpenReport {
            created,
            next_seq,
            quarantined,
            leftovers_removed,
            set_aside: None,
        };
        Ok((journal, report))
    }

    /// Like [`SledJournal::open`], but a journal that holds a sled database and still cannot be
    /// opened (damaged beyond its tail, a foreign or newer format) does not stop the app: the
    /// whole directory is renamed to a sibling `NAME.set-aside-N` (never deleted, so support can
    /// still read it with [`SledJournal::open_existing`]) and a fresh journal is started in its
    /// place. The report says so. Errors that moving cannot cure (a directory holding other
    /// files, permissions, a held lock) are returned as they are.
    pub fn open_or_set_aside(
        dir: impl AsRef<Path>,
        policy: FlushPolicy,
    ) -> Result<(SledJournal, OpenReport)> {
        let dir = dir.as_ref();
        let error = match SledJournal::open(dir, policy) {
            Ok(opened) => return Ok(opened),
            Err(e) if !worth_setting_aside(&e) || !matches!(classify(dir)?, DirKind::Sled) => {
                return Err(e)
            }
            Err(e) => e,
        };
        let path = set_aside(dir)?;
        tracing::error!(
            journal = %dir.display(),
            kept_as = %path.display(),
            %error,
            "the journal could not be opened; it was set aside and a fresh one started"
        );
        let (journal, mut report) = SledJournal::open(dir, policy)?;
        report.set_aside = Some(SetAside {
            path,
            reason: error.to_string(),
        });
        Ok((journal, report))
    }

    /// Opens an existing journal read-only (for replay and export), creating nothing. Fails with
    /// [`Error::NotFound`] for a missing path and [`Error::NotAJournal`] for anything else.
    pub fn open_existing(dir: impl AsRef<Path>) -> Result<SledJournal> {
        let dir = dir.as_ref();
        match classify(dir)? {
            DirKind::Missing => return Err(Error::NotFound { path: dir.into() }),
            DirKind::Empty | DirKind::Other => return Err(Error::NotAJournal { path: dir.into() }),
            DirKind::Sled => {}
        }
        remove_sled_leftovers(dir)?;
        let (db, salvage) = match open_db(dir) {
            Ok(db) => (db, None),
            Err(e) if worth_setting_aside(&e) => salvage(dir, &e)?,
            Err(e) => return Err(e),
        };
        if !check_meta(&db, dir)? {
            return Err(Error::NotAJournal { path: dir.into() });
        }
        let records = db.open_tree(RECORDS_TREE)?;
        let next_seq = match last_key_at_or_below(&records, u64::MAX)? {
            Some(first) => match records.get(batch_key(first))? {
                Some(v) => first + BatchReader::new(first, &v).map_or(0, BatchReader::count_good),
                None => first,
            },
            None => 0,
        };
        let policy = FlushPolicy::default();
        let mut journal = SledJournal::new(db, records, dir, policy, true, next_seq);
        journal.salvage = salvage;
        Ok(journal)
    }

    /// Where this journal was read from when sled could not open its directory: a salvage copy
    /// without sled's snapshots (see [`SledJournal::open_existing`]).
    pub fn salvaged_from_copy(&self) -> Option<&Path> {
        self.salvage.as_ref().map(tempfile::TempDir::path)
    }

    fn new(
        db: sled::Db,
        records: sled::Tree,
        dir: &Path,
        policy: FlushPolicy,
        read_only: bool,
        next_seq: u64,
    ) -> Self {
        let snapshots = db
            .open_tree(SNAPSHOTS_TREE)
            .expect("sled opens a tree it created");
        let writer = Writer {
            store: Some(Store {
                db,
                records,
                snapshots,
            }),
            next_seq,
            last_flush: Instant::now(),
            buf: Vec::new(),
        };
        SledJournal {
            path: dir.to_owned(),
            policy,
            read_only,
            writer: Mutex::new(writer),
            salvage: None,
        }
    }

    /// The journal's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The bad tails kept aside so far: (key in the quarantine tree, stored batch value).
    pub fn quarantined_batches(&self) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let tree = self.lock().store()?.db.open_tree(QUARANTINE_TREE)?;
        let mut out = Vec::new();
        for kv in tree.iter() {
            let (k, v) = kv?;
            out.push((k.to_vec(), v.to_vec()));
        }
        Ok(out)
    }

    fn lock(&self) -> MutexGuard<'_, Writer> {
        // The writer's state is only changed after a write succeeded, so it stays valid even if
        // a thread panicked while holding the lock.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Encodes and stores one batch value at the next seq.
    fn write_batch(&self, w: &mut Writer, records: &[NewRecord]) -> Result<()> {
        let seq = w.next_seq;
        encode_batch(seq, records, &mut w.buf)?;
        let store = w.store()?;
        let old = store.records.insert(batch_key(seq), &w.buf[..])?;
        assert!(old.is_none(), "batch {seq} overwrote an existing batch");
        for (seq, r) in (seq..).zip(records) {
            if matches!(r.body, switchboard_domain::Entry::Snapshot(_)) {
                store.snapshots.insert(batch_key(seq), &[])?;
            }
        }
        w.next_seq += records.len() as u64;
        Ok(())
    }

    fn flush_locked(&self, w: &mut Writer) -> Result<()> {
        w.store()?.db.flush()?;
        w.last_flush = Instant::now();
        Ok(())
    }
}

impl Journal for SledJournal {
    fn append(&self, batch: &[NewRecord]) -> Result<Range<u64>> {
        if self.read_only {
            return Err(Error::ReadOnly);
        }
        let mut w = self.lock();
        let first = w.next_seq;
        if batch.is_empty() {
            return Ok(first..first);
        }
        if self.policy == FlushPolicy::EveryRecord {
            for record in batch {
                self.write_batch(&mut w, std::slice::from_ref(record))?;
                self.flush_locked(&mut w)?;
            }
        } else {
            for chunk in crate::batch::stored_chunks(batch, BATCH_RECORDS_MAX) {
                self.write_batch(&mut w, chunk)?;
            }
            let due = match self.policy {
                FlushPolicy::Interval { ms } => w.last_flush.elapsed().as_millis() >= ms.into(),
                _ => true,
            };
            if due {
                self.flush_locked(&mut w)?;
            }
        }
        assert_eq!(w.next_seq - first, batch.len() as u64);
        Ok(first..w.next_seq)
    }

    fn flush(&self) -> Result<()> {
        let mut w = self.lock();
        self.flush_locked(&mut w)
    }

    fn scan(&self, from_seq: u64) -> Box<dyn Iterator<Item = Result<Record>> + '_> {
        let records = match self.lock().store() {
            Ok(store) => store.records.clone(),
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        // Before the first record retention kept, the scan starts at it.
        let from_seq = match self.lock().store().and_then(|s| forgotten_before(&s.db)) {
            Ok(first) => from_seq.max(first),
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        let start_key = match last_key_at_or_below(&records, from_seq) {
            Ok(key) => key.unwrap_or(from_seq),
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        Box::new(BatchScan::new(
            sled_batches(&records, start_key),
            start_key,
            from_seq,
        ))
    }

    fn next_seq(&self) -> u64 {
        self.lock().next_seq
    }

    fn first_seq(&self) -> u64 {
        let w = self.lock();
        w.store().and_then(|s| forgotten_before(&s.db)).unwrap_or(0)
    }

    fn snapshot_seqs(&self) -> Result<Vec<u64>> {
        let snapshots = self.lock().store()?.snapshots.clone();
        let mut out = Vec::new();
        for kv in snapshots.iter() {
            if let Some(seq) = key_seq(&kv?.0) {
                out.push(seq);
            }
        }
        Ok(out)
    }

    fn forget_before(&self, seq: u64) -> Result<u64> {
        if self.read_only {
            return Err(Error::ReadOnly);
        }
        let w = self.lock();
        let store = w.store()?;
        let first = forgotten_before(&store.db)?;
        if seq <= first {
            return Ok(0);
        }
        if store.records.get(batch_key(seq))?.is_none() {
            return Err(Error::Write(format!(
                "seq {seq} does not start a batch: records are deleted by whole batches"
            )));
        }
        // Where the log starts is written first: a crash part-way leaves batches before it,
        // which every reader skips, and the next retention deletes.
        let meta = store.db.open_tree(META_TREE)?;
        meta.insert(FORGOTTEN_BEFORE_KEY, &seq.to_be_bytes())?;
        let mut doomed = Vec::new();
        for kv in store.records.range(..batch_key(seq)) {
            doomed.push(kv?.0);
        }
        for key in &doomed {
            store.records.remove(key)?;
        }
        let mut stale = Vec::new();
        for kv in store.snapshots.range(..batch_key(seq)) {
            stale.push(kv?.0);
        }
        for key in &stale {
            store.snapshots.remove(key)?;
        }
        store.db.flush()?;
        Ok(seq - first)
    }

    fn size_on_disk(&self) -> Option<u64> {
        self.lock().store().ok()?.db.size_on_disk().ok()
    }

    fn flush_policy(&self) -> FlushPolicy {
        self.policy
    }

    fn close(&self) -> Result<()> {
        let mut w = self.lock();
        let Some(store) = w.store.take() else {
            return Ok(());
        };
        if self.read_only {
            return Ok(());
        }
        store.db.flush()?;
        Ok(())
    }
}

impl Drop for SledJournal {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            tracing::error!(path = %self.path.display(), error = %e, "final journal flush failed");
        }
    }
}

/// Whether an open failure is about the stored data, so that moving the directory aside and
/// starting afresh cures it (rather than about the caller, the file system or a held lock).
fn worth_setting_aside(e: &Error) -> bool {
    match e {
        Error::Storage(sled::Error::Io(io)) => {
            !is_lock_held(io)
                && !matches!(
                    io.kind(),
                    std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::StorageFull
                )
        }
        Error::Storage(_) | Error::NotAJournal { .. } | Error::JournalFormat { .. } => true,
        Error::Corrupt { .. } | Error::Torn { .. } | Error::UnsupportedFormat { .. } => true,
        _ => false,
    }
}

/// Reads a journal sled cannot open as far as it can: copies the directory without sled's
/// snapshot files (the usual cause) into a temporary directory and opens the copy, so sled
/// rebuilds its page table from the log itself. Every record read is still checked by its CRC.
/// The original is left as it is.
fn salvage(dir: &Path, error: &Error) -> Result<(sled::Db, Option<tempfile::TempDir>)> {
    let unopenable = |what: String| Error::Unopenable {
        path: dir.to_owned(),
        what,
    };
    let copy = tempfile::Builder::new()
        .prefix("switchboard-salvage-")
        .tempdir()
        .map_err(|e| unopenable(format!("{error}; no salvage copy: {e}")))?;
    copy_without_snapshots(dir, copy.path()).map_err(|e| unopenable(format!("{error}; {e}")))?;
    match open_db(copy.path()) {
        Ok(db) => {
            tracing::warn!(journal = %dir.display(), %error, "sled could not open the journal; reading a copy without its snapshots");
            Ok((db, Some(copy)))
        }
        Err(second) => Err(unopenable(format!(
            "{error}; without its snapshots: {second}"
        ))),
    }
}

/// Copies the files of a sled directory (recursively) except its snapshots.
fn copy_without_snapshots(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_without_snapshots(&entry.path(), &target)?;
        } else if !name.to_string_lossy().starts_with("snap.") {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Renames the journal directory to the first free `NAME.set-aside-N` beside it.
fn set_aside(dir: &Path) -> Result<PathBuf> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "journal".to_owned());
    let parent = dir.parent().unwrap_or_else(|| Path::new("."));
    for n in 1..=SET_ASIDE_MAX {
        let target = parent.join(format!("{name}{SET_ASIDE_SUFFIX}{n}"));
        if target.symlink_metadata().is_ok() {
            continue;
        }
        std::fs::rename(dir, &target).map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        return Ok(target);
    }
    Err(Error::Write(format!(
        "{} already has {SET_ASIDE_MAX} set-aside journals beside it",
        dir.display()
    )))
}

/// The greatest batch key at or below `at` in `records`, found with forward lookups only (a
/// binary search of at most 64 steps, each one tree lookup).
///
/// Why not `Tree::last` or `range(..=at).next_back()`: sled's reverse iteration holds a 1 MiB
/// constant (`Iter::high_key`'s `MAX_KEY`), and any use of it puts that megabyte into the app's
/// library, a quarter of its size. A stray key (not 8 bytes, which only damage leaves) counts at
/// the seq its first 8 bytes spell, zero-padded.
fn last_key_at_or_below(records: &sled::Tree, at: u64) -> Result<Option<u64>> {
    let position = |k: &[u8]| {
        let mut b = [0u8; 8];
        let n = k.len().min(8);
        b[..n].copy_from_slice(&k[..n]);
        u64::from_be_bytes(b)
    };
    let Some(first) = records.range(..=batch_key(at)).next() else {
        return Ok(None);
    };
    // A key sits at `lo`; none lies above `hi` (up to `at`).
    let (mut lo, mut hi) = (position(&first?.0), at);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        match records.range(batch_key(mid)..=batch_key(hi)).next() {
            Some(kv) => lo = position(&kv?.0).max(mid),
            None => hi = mid - 1,
        }
    }
    Ok(Some(lo))
}

/// Where open starts reading: the newest indexed snapshot that starts a stored batch, or the
/// first batch.
fn recovery_start(db: &sled::Db, records: &sled::Tree) -> Result<u64> {
    let snapshots = db.open_tree(SNAPSHOTS_TREE)?;
    let mut newest = Vec::new();
    for kv in snapshots.iter().keys() {
        if let Some(seq) = key_seq(&kv?) {
            newest.push(seq);
        }
    }
    for seq in newest.into_iter().rev() {
        if records.get(batch_key(seq))?.is_some() {
            return Ok(seq);
        }
    }
    forgotten_before(db)
}

/// The seq retention deleted everything before (0 when it never ran).
fn forgotten_before(db: &sled::Db) -> Result<u64> {
    Ok(meta_bytes(db, FORGOTTEN_BEFORE_KEY)?.map_or(0, u64::from_be_bytes))
}

/// The meta tree's value at `key`, when it holds exactly `N` bytes.
fn meta_bytes<const N: usize>(db: &sled::Db, key: &str) -> Result<Option<[u8; N]>> {
    let meta = db.open_tree(META_TREE)?;
    Ok(meta
        .get(key)?
        .and_then(|v| <[u8; N]>::try_from(v.as_ref()).ok()))
}

/// The batches of `records` from `start_key` on, as (first seq, value).
fn sled_batches(
    records: &sled::Tree,
    start_key: u64,
) -> impl Iterator<Item = Result<(u64, sled::IVec)>> {
    records.range(batch_key(start_key)..).map(move |kv| {
        let (k, v) = kv?;
        let seq = key_seq(&k).ok_or_else(|| Error::Corrupt {
            seq: start_key,
            what: format!("a stray key of {} bytes in the records tree", k.len()),
        })?;
        Ok((seq, v))
    })
}

/// Reads the log from its newest indexed snapshot (from its first record when it has none) and
/// moves a bad tail aside. Returns the next seq and what was moved. Records before that snapshot
/// are not read here: start-up does not grow with the history; a reader of the whole log
/// (replay, export) still stops at any damage there, naming the seq.
fn recover(db: &sled::Db, records: &sled::Tree, dir: &Path) -> Result<(u64, Option<Quarantined>)> {
    let start = recovery_start(db, records)?;
    let mut scan = BatchScan::new(sled_batches(records, start), start, start);
    let error = scan.by_ref().find_map(|r| r.err());
    let next_seq = scan.expected_seq();
    let (Some(error), Some(bad)) = (error.as_ref(), scan.bad_batch()) else {
        return match error {
            Some(e) => Err(e),
            None => Ok((next_seq, None)),
        };
    };
    let reason = error.to_string();
    let (batches, bytes) = quarantine(db, records, bad, &reason)?;
    tracing::warn!(
        path = %dir.display(),
        from_seq = next_seq,
        batches,
        bytes,
        %reason,
        "moved a bad journal tail into quarantine; appends continue after the last good record"
    );
    let q = Quarantined {
        from_seq: next_seq,
        batches,
        bytes,
        reason,
    };
    Ok((next_seq, Some(q)))
}

/// Moves every batch from the bad one on into the quarantine tree, keeping the good records at
/// the start of the bad batch in place. One transaction, then a flush.
fn quarantine(
    db: &sled::Db,
    records: &sled::Tree,
    bad: BadBatch,
    reason: &str,
) -> Result<(usize, usize)> {
    let quarantine = db.open_tree(QUARANTINE_TREE)?;
    let meta = db.open_tree(META_TREE)?;
    let id = db.generate_id()?;
    let mut moved = Vec::new();
    for kv in records.range(batch_key(bad.key)..) {
        moved.push(kv?);
    }
    let bytes = moved.iter().map(|(_, v)| v.len()).sum();
    let keep = moved
        .first()
        .filter(|_| bad.good_records > 0)
        .map(|(k, v)| {
            (
                k.clone(),
                truncated_batch(v, bad.good_records, bad.good_len),
            )
        });
    let note = format!("quarantine/{id:020}");
    let result = (records, &quarantine, &meta).transaction(|(r, q, m)| {
        for (k, v) in &moved {
            let mut qkey = id.to_be_bytes().to_vec();
            qkey.extend_from_slice(k);
            q.insert(qkey, v.clone())?;
            r.remove(k.clone())?;
        }
        if let Some((k, v)) = &keep {
            r.insert(k.clone(), v.as_slice())?;
        }
        m.insert(note.as_bytes(), reason.as_bytes())?;
        Ok(())
    });
    result.map_err(|e: sled::transaction::TransactionError<()>| match e {
        sled::transaction::TransactionError::Storage(e) => Error::Storage(e),
        sled::transaction::TransactionError::Abort(()) => Error::Write("quarantine aborted".into()),
    })?;
    db.flush()?;
    Ok((moved.len(), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The forward-only search gives what sled's reverse iteration gives, for any keys and any
    /// bound, stray keys included.
    #[test]
    fn last_key_at_or_below_agrees_with_reverse_iteration() {
        let tmp = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(tmp.path()).open().unwrap();
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
        let keys = proptest::collection::vec(
            prop_oneof![
                (0u64..64).prop_map(|k| batch_key(k).to_vec()),
                any::<u64>().prop_map(|k| batch_key(k).to_vec()),
                proptest::collection::vec(any::<u8>(), 0..12),
            ],
            0..24,
        );
        let bounds = proptest::collection::vec(prop_oneof![0u64..80, any::<u64>()], 1..8);
        runner
            .run(&(keys, bounds), |(keys, bounds)| {
                let tree = db.open_tree("t").unwrap();
                tree.clear().unwrap();
                for k in &keys {
                    tree.insert(k.as_slice(), b"v").unwrap();
                }
                for at in bounds.into_iter().chain([0, u64::MAX]) {
                    let reverse = tree
                        .range(..=batch_key(at))
                        .next_back()
                        .map(|kv| kv.unwrap().0);
                    let forward = last_key_at_or_below(&tree, at).unwrap();
                    match reverse {
                        None => prop_assert_eq!(forward, None),
                        Some(k) if k.len() == 8 => {
                            prop_assert_eq!(forward, key_seq(&k), "at {}", at)
                        }
                        // A stray key: found at its padded position.
                        Some(k) => {
                            let mut b = [0u8; 8];
                            let n = k.len().min(8);
                            b[..n].copy_from_slice(&k[..n]);
                            prop_assert_eq!(forward, Some(u64::from_be_bytes(b)), "at {}", at);
                        }
                    }
                }
                Ok(())
            })
            .unwrap();
    }
}
