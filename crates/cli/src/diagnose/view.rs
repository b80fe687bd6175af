//! The stranded call view: the core rendered a UiState that takes the call view away (ended or
//! error), but the shell did not report the view gone (router input `ViewDisappeared`) in time.
use switchboard_domain::{ActorName, Command, Effect, Entry, Input, RouterInput, SessionInput};

use super::{secs, Finding, Log};

/// A dismissing render while the view was on screen, not yet answered by a disappearance.
struct Open {
    index: usize,
    label: &'static str,
    attempt: Option<u64>,
}

/// Rule `view-stranded`.
pub fn stranded_view(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let grace = log.limits.view_grace_ms;
    log.fold_each(|i, r, m| {
        let at = r.at_ms;
        match (&r.actor, &r.body) {
            (ActorName::Ui, Entry::Command(Command::Effect(Effect::Render(state)))) => {
                if state.dismisses_call_view() && m.router.view_visible() && open.is_none() {
                    open = Some(Open {
                        index: i,
                        label: state.label(),
                        attempt: m.router.current().map(|c| c.attempt),
                    });
                } else if state.shows_call_view() {
                    // A new call took the screen: the old view was up until now.
                    if let Some(o) = open.take() {
                        if at.saturating_sub(log.records[o.index].at_ms) > grace {
                            out.push(reused(log, &o, i));
                        }
                    }
                }
            }
            // A new process: the old one's call view died with it. A view that had been left up
            // past the grace until then was stranded; otherwise it went with the process.
            (ActorName::Router, Entry::Input(Input::Router(RouterInput::Boot(_)))) => {
                if let Some(o) = open.take() {
                    if at.saturating_sub(log.records[o.index].at_ms) > grace {
                        out.push(never(log, &o, i));
                    }
                }
            }
            (
                ActorName::Router,
                Entry::Input(Input::Router(RouterInput::ForCurrent(SessionInput::ViewDisappeared))),
            ) => {
                if let Some(o) = open.take() {
                    if at.saturating_sub(log.records[o.index].at_ms) > grace {
                        out.push(late(log, &o, i));
                    }
                }
            }
            _ => {}
        }
    });
    if let Some(o) = open {
        let last = log.records.len() - 1;
        if log.end_ms().saturating_sub(log.records[o.index].at_ms) > grace {
            out.push(never(log, &o, last));
        }
    }
    out
}

const FIX: &str = "Make the shell take the call view down whenever UiState says the call ended \
or failed (Ended or Error), whichever callback caused it, and report ViewDisappeared when it is \
gone. Check the view model's observer of UiState and the navigation code that owns the call \
screen.";

fn base(log: &Log, o: &Open, last: usize) -> Finding {
    let mut f = log.finding("view-stranded", o.index, last);
    f.attempt = o.attempt;
    f.fix = FIX.to_owned();
    f
}

fn never(log: &Log, o: &Open, last: usize) -> Finding {
    let r = &log.records[o.index];
    let up = log.end_ms().saturating_sub(r.at_ms);
    let mut f = base(log, o, last);
    f.title = "the call view was never taken down after the call ended".to_owned();
    f.explanation = format!(
        "At seq {} the core rendered '{}', which dismisses the call view, but the shell never \
         reported the view gone: it was still up when the log ends, {} later. The user was \
         left looking at a call screen that no longer does anything (\"the call screen froze\").",
        r.seq,
        o.label,
        secs(up)
    );
    f
}

fn late(log: &Log, o: &Open, gone: usize) -> Finding {
    let r = &log.records[o.index];
    let up = log.records[gone].at_ms.saturating_sub(r.at_ms);
    let mut f = base(log, o, gone);
    f.title = format!("the call view stayed up {} after the call ended", secs(up));
    f.explanation = format!(
        "At seq {} the core rendered '{}', which dismisses the call view, but the shell \
         reported the view gone only at seq {}, {} later (allowed: {}). Until then the user saw \
         a dead call screen.",
        r.seq,
        o.label,
        log.records[gone].seq,
        secs(up),
        secs(log.limits.view_grace_ms)
    );
    f
}

fn reused(log: &Log, o: &Open, next: usize) -> Finding {
    let r = &log.records[o.index];
    let up = log.records[next].at_ms.saturating_sub(r.at_ms);
    let mut f = base(log, o, next);
    f.title = format!(
        "the call view stayed up {} after the call ended, until the next call",
        secs(up)
    );
    f.explanation = format!(
        "At seq {} the core rendered '{}', which dismisses the call view, but the shell never \
         reported the view gone; at seq {} ({} later) the next call took over the same screen.",
        r.seq,
        o.label,
        log.records[next].seq,
        secs(up)
    );
    f
}
