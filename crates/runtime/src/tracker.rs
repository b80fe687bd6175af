//! Counts messages in flight between actors, so a caller can wait until the runtime is idle
//! (every event and everything it caused has been handled). Pending timers do not count.
//!
//! Each message carries an [`InFlight`] guard from the moment it is sent; the count goes down
//! when the guard is dropped: after the message was handled, when it could not be sent, when an
//! actor stopped with it still queued, or when a handler panicked or returned early. No path can
//! leave the count up, so [`Tracker::settled`] cannot wait forever on a lost message.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// Messages sent and not yet fully handled.
#[derive(Debug, Default)]
pub struct Tracker {
    in_flight: AtomicUsize,
    idle: Notify,
}

/// One message in flight: ends its count when dropped.
#[derive(Debug)]
#[must_use = "the message counts as in flight only while its guard lives"]
pub struct InFlight(Arc<Tracker>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.end();
    }
}

impl Tracker {
    /// A message is about to be sent: it counts until the returned guard is dropped.
    pub fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(self))
    }

    fn end(&self) {
        let before = self.in_flight.fetch_sub(1, Ordering::SeqCst);
        debug_assert!(before > 0, "tracker underflow");
        if before == 1 {
            self.idle.notify_waiters();
        }
    }

    /// How many messages are in flight now.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Waits until nothing is in flight.
    pub async fn settled(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.in_flight() == 0 {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dropped_guard_ends_its_count_on_every_path() {
        let tracker = Arc::new(Tracker::default());
        let a = tracker.begin();
        let b = tracker.begin();
        assert_eq!(tracker.in_flight(), 2);
        drop(a);
        // A guard dropped during a panic's unwinding ends its count too.
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _held = b;
            panic!("handler failed");
        }));
        assert!(unwound.is_err());
        assert_eq!(tracker.in_flight(), 0);
        tokio::time::timeout(std::time::Duration::from_secs(5), tracker.settled())
            .await
            .expect("settled once every guard is gone");
    }
}
