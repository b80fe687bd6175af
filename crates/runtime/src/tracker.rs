//! Counts messages in flight between actors, so a caller can wait until the runtime is idle
//! (every event and everything it caused has been handled). Pending timers do not count.
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Messages sent and not yet fully handled.
#[derive(Debug, Default)]
pub struct Tracker {
    in_flight: AtomicUsize,
    idle: Notify,
}

impl Tracker {
    /// A message is about to be sent.
    pub fn begin(&self) {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
    }

    /// A message was handled (or could not be sent).
    pub fn end(&self) {
        let before = self.in_flight.fetch_sub(1, Ordering::SeqCst);
        debug_assert!(before > 0, "tracker underflow");
        if before == 1 {
            self.idle.notify_waiters();
        }
    }

    /// Waits until nothing is in flight.
    pub async fn settled(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}
