//! Rules about time and the log itself: silences that show the app was not running, and a log
//! whose tail is damaged.
use std::collections::BTreeMap;

use switchboard_domain::{ActorName, Command, Effect, Entry, Input, SessionInput, TimerId};
use switchboard_journal::Record;

use super::{secs, Finding, Log};

/// A timer that fired this much after its deadline was not running on time.
const TIMER_LATE_MS: u64 = 1_000;

/// Timers armed and not yet fired or cancelled, with their deadlines.
#[derive(Default)]
struct Timers {
    armed: BTreeMap<TimerId, u64>,
}

impl Timers {
    fn note(&mut self, r: &Record) {
        match (&r.actor, &r.body) {
            (_, Entry::Command(Command::Effect(Effect::StartTimer { id, after_ms }))) => {
                self.armed.insert(*id, r.at_ms.saturating_add(*after_ms));
            }
            (_, Entry::Command(Command::Effect(Effect::CancelTimer { id }))) => {
                self.armed.remove(id);
            }
            (
                ActorName::Session(a),
                Entry::Input(Input::Session(SessionInput::TimerFired(kind))),
            ) => {
                self.armed.remove(&TimerId {
                    kind: *kind,
                    attempt: *a,
                });
            }
            _ => {}
        }
    }

    /// The timer that should have fired before `until`, if any.
    fn overdue(&self, until: u64) -> Option<(TimerId, u64)> {
        self.armed
            .iter()
            .map(|(id, due)| (*id, *due))
            .find(|(_, due)| due.saturating_add(TIMER_LATE_MS) < until)
    }
}

/// Rule `time-gap`: a silence of at least `gap_ms` during which the app cannot have been
/// running (a timer that was due did not fire on time), and a clock that went backwards within
/// one actor's own records.
///
/// Being in the background during a call is no evidence on its own: with its background modes
/// the app keeps running, and a call can be silent for minutes (the fault-free simulator's
/// journals have such stretches). A timer that was due and did not fire is evidence.
///
/// Each actor stamps a record when it handles the message, and the records of different actors
/// interleave in the journal in the order their batches became durable, so a record may be a few
/// milliseconds older than another actor's record just before it without anything being wrong.
/// Only an actor's own records are in the order it stamped them: that is where a clock going
/// backwards shows. A silence is measured from the latest time stamped so far.
pub fn time_gaps(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut timers = Timers::default();
    // Each actor's latest record (index), and the record with the latest time so far.
    let mut last_of: BTreeMap<ActorName, usize> = BTreeMap::new();
    let mut latest: Option<usize> = None;
    log.fold_each(|i, r, _| {
        if let Some(&p) = last_of.get(&r.actor) {
            if r.at_ms < log.records[p].at_ms {
                out.push(backwards(log, p, i));
            }
        }
        if let Some(l) = latest {
            let since = r.at_ms.saturating_sub(log.records[l].at_ms);
            if since >= log.limits.gap_ms {
                if let Some(timer) = timers.overdue(r.at_ms) {
                    out.push(gap(log, l, i, timer));
                }
            }
        }
        if latest.is_none_or(|l| r.at_ms >= log.records[l].at_ms) {
            latest = Some(i);
        }
        last_of.insert(r.actor, i);
        timers.note(r);
    });
    out
}

/// The silence between record `p` (the latest stamped so far) and record `i`.
fn gap(log: &Log, p: usize, i: usize, (id, due): (TimerId, u64)) -> Finding {
    let (prev, next) = (&log.records[p], &log.records[i]);
    let silent = next.at_ms - prev.at_ms;
    let mut f = log.finding("time-gap", p, i);
    f.title = format!(
        "nothing was recorded for {}: the app was suspended",
        secs(silent)
    );
    f.attempt = Some(id.attempt);
    let evidence = format!(
        "the {:?} timer of attempt {} was due {} into the silence and did not fire on time, so \
         the process was not running",
        id.kind,
        id.attempt,
        secs(due.saturating_sub(prev.at_ms))
    );
    f.explanation = format!(
        "Between seq {} and seq {} no record was written for {}; {evidence}. Callbacks and \
         timers of that time were lost or arrived all at once afterwards.",
        prev.seq,
        next.seq,
        secs(silent)
    );
    f.fix = "Check the app's background modes (audio, voip) and that the audio session stays \
             active during calls; iOS suspends apps without them as soon as they leave the \
             screen."
        .to_owned();
    f
}

/// Record `i` is older than record `p`, the same actor's record before it.
fn backwards(log: &Log, p: usize, i: usize) -> Finding {
    let (prev, next) = (&log.records[p], &log.records[i]);
    let mut f = log.finding("time-gap", p, i);
    f.title = format!(
        "the clock went backwards by {} (actor {})",
        secs(prev.at_ms - next.at_ms),
        next.actor
    );
    f.explanation = format!(
        "seq {} is stamped {} earlier than seq {}, the record {} wrote before it; one actor \
         stamps its records in the order it handles them, so its clock was set back. \
         Durations in this log around it are wrong, and timers may have fired early or late.",
        next.seq,
        secs(prev.at_ms - next.at_ms),
        prev.seq,
        next.actor
    );
    f.fix = "Stamp records with a monotonic clock in the shell's Clock port (not the wall \
             clock, which the user or the network can set back)."
        .to_owned();
    f
}

/// Rule `corrupt-tail`: the log could be read only up to a damaged record.
pub fn corrupt_tail(records: &[Record], e: &switchboard_journal::Error) -> Finding {
    let last = records.last();
    let seq = last.map_or(0, |r| r.seq + 1);
    let at = last.map_or(0, |r| r.at_ms);
    Finding {
        rule: "corrupt-tail",
        title: format!("the log is damaged after seq {}", seq.saturating_sub(1)),
        seq_first: seq,
        seq_last: seq,
        at_ms_first: at,
        at_ms_last: at,
        attempt: None,
        explanation: format!(
            "Reading stopped at the first bad record: {e}. The {} records before it were \
             diagnosed; whatever came after is lost to this report.",
            records.len()
        ),
        fix: "Ask for the log again (an export made after the app restarted keeps the good \
              records and sets the damaged tail aside); if damage repeats, check the device's \
              storage and that the app is not killed in the middle of a write."
            .to_owned(),
    }
}
