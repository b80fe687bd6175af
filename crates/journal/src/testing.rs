//! Fault wrappers for tests: [`FailingJournal`] makes any journal's appends fail on demand, the
//! way a full or failing disk refuses a write. Behind the `test-support` feature, with
//! [`crate::script`]; the app's library never turns it on.
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};
use crate::journal::{FlushPolicy, Journal};
use crate::record::{NewRecord, Record};

/// A journal whose appends fail with [`Error::Write`] (appending nothing) while failing is on;
/// everything else goes to the journal inside.
#[derive(Debug, Default)]
pub struct FailingJournal<J> {
    inner: J,
    failing: AtomicBool,
}

impl<J: Journal> FailingJournal<J> {
    /// Wraps `inner`, not failing.
    pub fn new(inner: J) -> Self {
        FailingJournal {
            inner,
            failing: AtomicBool::new(false),
        }
    }

    /// While on, every append fails and appends nothing.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// The journal inside.
    pub fn inner(&self) -> &J {
        &self.inner
    }
}

impl<J: Journal> Journal for FailingJournal<J> {
    fn append(&self, batch: &[NewRecord]) -> Result<Range<u64>> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(Error::Write("injected write failure".to_owned()));
        }
        self.inner.append(batch)
    }

    fn flush(&self) -> Result<()> {
        self.inner.flush()
    }

    fn scan(&self, from_seq: u64) -> Box<dyn Iterator<Item = Result<Record>> + '_> {
        self.inner.scan(from_seq)
    }

    fn next_seq(&self) -> u64 {
        self.inner.next_seq()
    }

    fn flush_policy(&self) -> FlushPolicy {
        self.inner.flush_policy()
    }

    fn close(&self) -> Result<()> {
        self.inner.close()
    }
}
