//! Rules about one call attempt's conversation with the Calls SDK: joins, leaves, listeners,
//! reconnection, and what arrived after the call had ended.
use std::collections::{BTreeMap, BTreeSet};

use switchboard_domain::session::Phase;
use switchboard_domain::{
    ActorName, AttemptId, Command, Effect, EndReason, Entry, Input, JoinErrorCode, Message,
    RouterInput, SdkEvent, SessionInput, TimerKind,
};

use super::{secs, Finding, Log, SdkHit};

/// Rule `join-twice`: a second `JoinSession` for a session whose first join has not ended.
pub fn join_twice(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    // session id -> (index of the live join, its attempt)
    let mut live: BTreeMap<String, (usize, AttemptId)> = BTreeMap::new();
    for (i, r) in log.records.iter().enumerate() {
        match &r.body {
            Entry::Command(Command::Effect(Effect::JoinSession {
                attempt,
                session_id,
                ..
            })) => {
                let key = session_id.to_string();
                if let Some((first, first_attempt)) = live.get(&key).copied() {
                    out.push(double_join(log, first, first_attempt, i, *attempt, &key));
                } else {
                    live.insert(key, (i, *attempt));
                }
            }
            Entry::Command(Command::Message(Message::Ended { attempt, .. })) => {
                live.retain(|_, (_, a)| a != attempt);
            }
            _ => {}
        }
    }
    out
}

fn double_join(
    log: &Log,
    first: usize,
    first_attempt: AttemptId,
    second: usize,
    attempt: AttemptId,
    session: &str,
) -> Finding {
    let mut f = log.finding("join-twice", first, second);
    f.attempt = Some(attempt);
    f.title = format!("joinSession was sent twice for session {session}");
    let which = if first_attempt == attempt {
        format!("by the same attempt {attempt}")
    } else {
        format!("by attempt {first_attempt} and again by attempt {attempt} before the first ended")
    };
    f.explanation = format!(
        "joinSession for {session} went out at seq {} and again at seq {}, {which}. The SDK \
         joins one session per call screen; a second join can leave two connections, duplicate \
         callbacks, or a call that cannot be left.",
        log.records[first].seq, log.records[second].seq
    );
    f.fix = "The join must go out once per session: check that the core build in the app is \
             current (the session machine sends JoinSession only on the first ViewAppeared) and \
             that the shell does not call joinSession itself."
        .to_owned();
    f
}

/// What ended a join: the index of the record and whether it was the core's own timeout.
fn join_resolution(log: &Log, join: usize, attempt: AttemptId) -> Option<(usize, bool)> {
    let completion = log.sdk.iter().find(|h| {
        h.attempt == attempt
            && h.index > join
            && match h.event {
                SdkEvent::JoinSucceeded | SdkEvent::SessionJoined => true,
                SdkEvent::JoinFailed { code, .. } => *code != JoinErrorCode::Init,
                _ => false,
            }
    });
    let ended = log.ended.get(&attempt).copied().filter(|e| *e > join);
    let timed_out = |e: usize| {
        matches!(
            &log.records[e].body,
            Entry::Command(Command::Message(Message::Ended {
                reason: EndReason::JoinTimedOut,
                ..
            }))
        )
    };
    match (completion.map(|h| h.index), ended) {
        (Some(c), Some(e)) if e < c => Some((e, timed_out(e))),
        (Some(c), _) => Some((c, false)),
        (None, Some(e)) => Some((e, timed_out(e))),
        (None, None) => None,
    }
}

/// Rule `join-timeout`: a join with no success, no joined and no real error before its timeout.
pub fn join_timeout(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, r) in log.records.iter().enumerate() {
        let Entry::Command(Command::Effect(Effect::JoinSession { attempt, .. })) = &r.body else {
            continue;
        };
        let Some(timeout) = log.timeouts.get(attempt).map(|t| t.join_ms) else {
            continue;
        };
        let deadline = r.at_ms.saturating_add(timeout);
        let (last, how) = match join_resolution(log, i, *attempt) {
            Some((e, true)) => (e, "the core's join timeout fired and ended the call"),
            Some((c, false)) if log.records[c].at_ms > deadline => (
                c,
                "the join completed only after the timeout should have fired",
            ),
            Some(_) => continue,
            None if log.end_ms() > deadline => (
                log.records.len() - 1,
                "the join was still pending when the log ends",
            ),
            None => continue,
        };
        out.push(join_finding(log, i, last, *attempt, timeout, how));
    }
    out
}

fn join_finding(
    log: &Log,
    join: usize,
    last: usize,
    attempt: AttemptId,
    timeout: u64,
    how: &str,
) -> Finding {
    let inits = log
        .sdk
        .iter()
        .filter(|h| h.attempt == attempt && h.index > join && h.index <= last)
        .filter(|h| {
            matches!(
                h.event,
                SdkEvent::JoinFailed {
                    code: JoinErrorCode::Init,
                    ..
                }
            )
        })
        .count();
    let late = log.sdk.iter().find(|h| {
        h.attempt == attempt
            && h.index > last
            && matches!(h.event, SdkEvent::JoinSucceeded | SdkEvent::SessionJoined)
    });
    let mut f = log.finding("join-timeout", join, last);
    f.attempt = Some(attempt);
    f.title = format!("the join of attempt {attempt} never completed");
    let mut text = format!(
        "joinSession went out at seq {}, and neither onSuccess, onSessionJoined nor a real \
         onError came within the join timeout ({}): {how}.",
        log.records[join].seq,
        secs(timeout)
    );
    if inits > 0 {
        text += &format!(" The SDK reported INIT ERROR {inits} time(s) meanwhile (tolerated).");
    }
    if let Some(h) = late {
        text += &format!(
            " The SDK did join later, at seq {}, into a call the app had already given up.",
            log.records[h.index].seq
        );
    }
    f.explanation = text;
    f.fix = "Check the network and the CometChat app id/region on the device, and that the \
             adapter forwards joinSession's completions and onSessionJoined for this attempt. \
             If joins are just slow, raise join_timeout_ms in CoreConfig."
        .to_owned();
    f
}

/// Rule `sdk-before-listeners`: callbacks for an attempt whose listeners were not registered.
pub fn sdk_before_listeners(log: &Log) -> Vec<Finding> {
    let mut registered: BTreeMap<AttemptId, usize> = BTreeMap::new();
    for (i, r) in log.records.iter().enumerate() {
        if let Entry::Command(Command::Effect(Effect::RegisterListeners { attempt })) = &r.body {
            registered.entry(*attempt).or_insert(i);
        }
    }
    let mut early: BTreeMap<AttemptId, Vec<&SdkHit>> = BTreeMap::new();
    for h in &log.sdk {
        if registered.get(&h.attempt).is_none_or(|reg| h.index < *reg) {
            early.entry(h.attempt).or_default().push(h);
        }
    }
    early
        .into_iter()
        .map(|(attempt, hits)| early_finding(log, attempt, &hits, registered.get(&attempt)))
        .collect()
}

fn early_finding(log: &Log, attempt: AttemptId, hits: &[&SdkHit], reg: Option<&usize>) -> Finding {
    let (first, last) = (hits[0].index, hits[hits.len() - 1].index);
    let mut f = log.finding("sdk-before-listeners", first, reg.copied().unwrap_or(last));
    f.attempt = Some(attempt);
    f.title = format!(
        "{} SDK callback(s) for attempt {attempt} arrived before its listeners were registered",
        hits.len()
    );
    let names: Vec<String> = hits.iter().take(4).map(|h| h.event.to_string()).collect();
    let when = match reg {
        Some(r) => format!(
            "the listeners were registered only at seq {}",
            log.records[*r].seq
        ),
        None => "the core never registered listeners for that attempt".to_owned(),
    };
    f.explanation = format!(
        "The adapter delivered {} (first at seq {}) for attempt {attempt}, but {when}. Such \
         callbacks come from an SDK session the core did not start, or from listeners the \
         shell registered itself; the core ignores them, so a join or a hang-up can be missed.",
        names.join(", "),
        log.records[first].seq
    );
    f.fix = "Register the SessionStatusListener and ButtonClickListener only when the core \
             sends RegisterListeners for the attempt, stamp each callback with that attempt, and \
             remove the listeners when the call ends."
        .to_owned();
    f
}

/// Rule `reconnect-stuck`: a session that stayed reconnecting longer than the limit.
pub fn reconnect_stuck(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut lost: BTreeMap<AttemptId, usize> = BTreeMap::new();
    let limit = log.limits.reconnect_ms;
    log.fold_each(|i, r, m| {
        let ActorName::Session(a) = r.actor else {
            return;
        };
        if !matches!(r.body, Entry::Input(_)) {
            return;
        }
        let reconnecting = m
            .sessions
            .get(&a)
            .is_some_and(|s| *s.phase() == Phase::InCall { reconnecting: true });
        match (reconnecting, lost.get(&a).copied()) {
            (true, None) => {
                lost.insert(a, i);
            }
            (false, Some(start)) => {
                lost.remove(&a);
                if r.at_ms.saturating_sub(log.records[start].at_ms) > limit {
                    out.push(stuck(log, a, start, i, false));
                }
            }
            _ => {}
        }
    });
    for (a, start) in lost {
        if log.end_ms().saturating_sub(log.records[start].at_ms) > limit {
            out.push(stuck(log, a, start, log.records.len() - 1, true));
        }
    }
    out
}

fn stuck(log: &Log, attempt: AttemptId, start: usize, end: usize, open: bool) -> Finding {
    let took = log.records[end]
        .at_ms
        .saturating_sub(log.records[start].at_ms);
    let mut f = log.finding("reconnect-stuck", start, end);
    f.attempt = Some(attempt);
    f.title = format!(
        "the connection was lost for {} with no restore and no close",
        secs(took)
    );
    let after = if open {
        "and the log ends with the call still reconnecting".to_owned()
    } else {
        format!(
            "until seq {} ({})",
            log.records[end].seq,
            log.records[end].body_text()
        )
    };
    f.explanation = format!(
        "onConnectionLost arrived at seq {}; no onConnectionRestored or onConnectionClosed came \
         for {} (limit {}), {after}. The user saw 'reconnecting' all that time.",
        log.records[start].seq,
        secs(took),
        secs(log.limits.reconnect_ms)
    );
    f.fix = "Check the device's network at that time. If the SDK never gives up on its own, \
             consider a core-side reconnect timeout that ends the call as ConnectionClosed, and \
             check that the adapter forwards onConnectionRestored/onConnectionClosed."
        .to_owned();
    f
}

trait BodyText {
    fn body_text(&self) -> String;
}

impl BodyText for switchboard_journal::Record {
    fn body_text(&self) -> String {
        match &self.body {
            Entry::Input(i) => i.to_string(),
            Entry::Command(c) => c.to_string(),
            Entry::Snapshot(s) => s.to_string(),
        }
    }
}

/// Whether a `LeaveSession` was sent by the join timeout (that rule reports it).
fn sent_by_join_timeout(log: &Log, leave: usize) -> bool {
    let actor = log.records[leave].actor;
    log.records[..leave]
        .iter()
        .rev()
        .find(|r| r.actor == actor && matches!(r.body, Entry::Input(_)))
        .is_some_and(|r| {
            matches!(
                r.body,
                Entry::Input(Input::Session(SessionInput::TimerFired(
                    TimerKind::JoinTimeout
                )))
            )
        })
}

/// Rule `leave-unanswered`: a `LeaveSession` with no terminal callback within the leave
/// acknowledgement timeout.
pub fn leave_unanswered(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, r) in log.records.iter().enumerate() {
        let Entry::Command(Command::Effect(Effect::LeaveSession { attempt })) = &r.body else {
            continue;
        };
        if sent_by_join_timeout(log, i) {
            continue;
        }
        let Some(limit) = log.timeouts.get(attempt).map(|t| t.leave_ack_ms) else {
            continue;
        };
        let answer = log
            .sdk
            .iter()
            .find(|h| h.attempt == *attempt && h.index > i && h.event.is_terminal());
        let deadline = r.at_ms.saturating_add(limit);
        let last = match answer {
            Some(h) if log.records[h.index].at_ms <= deadline => continue,
            Some(h) => h.index,
            None if log.end_ms() > deadline => log.records.len() - 1,
            None => continue,
        };
        out.push(unanswered(log, i, last, *attempt, limit, answer.is_some()));
    }
    out
}

fn unanswered(
    log: &Log,
    leave: usize,
    last: usize,
    attempt: AttemptId,
    limit: u64,
    late: bool,
) -> Finding {
    let mut f = log.finding("leave-unanswered", leave, last);
    f.attempt = Some(attempt);
    let seq = log.records[leave].seq;
    let acked = log.records.iter().any(|r| {
        r.actor == ActorName::Session(attempt)
            && matches!(
                r.body,
                Entry::Input(Input::Session(SessionInput::TimerFired(
                    TimerKind::LeaveAck
                )))
            )
    });
    let how = if acked {
        " The core's leave timer ended the call as LocalLeave."
    } else {
        ""
    };
    if late {
        f.title = format!("leaveSession of attempt {attempt} was answered late");
        f.explanation = format!(
            "leaveSession went out at seq {seq}; the SDK's terminal callback came only at seq {}, \
             after the leave timeout ({}).{how}",
            log.records[last].seq,
            secs(limit)
        );
    } else {
        f.title = format!("leaveSession of attempt {attempt} got no terminal callback");
        f.explanation = format!(
            "leaveSession went out at seq {seq}, and no onSessionLeft, onConnectionClosed or \
             onSessionTimedOut came after it (waited {}).{how} The SDK may still hold the \
             camera, microphone or connection.",
            secs(limit)
        );
    }
    f.fix = "Check that the adapter calls CallSession.shared.leaveSession() for this attempt and \
             forwards onSessionLeft/onConnectionClosed with the same attempt; on SDK 5.0.x, \
             check the SDK's own logs for a failed leave."
        .to_owned();
    f
}

/// What arrived after one attempt ended.
#[derive(Default)]
struct After {
    ended: usize,
    hits: Vec<(usize, String)>,
}

/// Rule `after-ended`: SDK callbacks other than the late terminal ones, and the user's call
/// controls, after the call had ended.
pub fn after_ended(log: &Log) -> Vec<Finding> {
    let mut per: BTreeMap<AttemptId, After> = BTreeMap::new();
    for h in &log.sdk {
        let Some(ended) = log.ended.get(&h.attempt).copied() else {
            continue;
        };
        if h.index > ended && !h.event.is_terminal() {
            let a = per.entry(h.attempt).or_default();
            a.ended = ended;
            let what = match &h.event {
                // A tap on the SDK's own call screen: the strongest sign it was still shown.
                SdkEvent::LeaveButtonClicked | SdkEvent::ButtonClicked { .. } => {
                    format!("a tap on the SDK's call screen ({})", h.event)
                }
                event => format!("SDK {event}"),
            };
            a.hits.push((h.index, what));
        }
    }
    user_after_ended(log, &mut per);
    per.into_iter()
        .map(|(attempt, a)| after_finding(log, attempt, &a))
        .collect()
}

/// The user pressing call controls when no call is live (they still see a call screen), later
/// than the view grace after the end.
fn user_after_ended(log: &Log, per: &mut BTreeMap<AttemptId, After>) {
    let mut seen = BTreeSet::new();
    log.fold_each(|i, r, m| {
        let Entry::Input(Input::Router(RouterInput::ForCurrent(input))) = &r.body else {
            return;
        };
        if !matches!(
            input,
            SessionInput::Leave | SessionInput::ToggleMic | SessionInput::ToggleCamera
        ) {
            return;
        }
        // With the call view reported gone, the tap came from somewhere else (a system
        // control): no sign of a call screen left up.
        if !m.router.view_visible() {
            return;
        }
        let Some(c) = m.router.current().filter(|c| c.ended.is_some()) else {
            return;
        };
        let Some(ended) = log.ended.get(&c.attempt).copied() else {
            return;
        };
        // A tap while the ended call's view is on its way down (the shell has the view grace to
        // take it away) is a tap on a screen that was still there for good reason.
        if r.at_ms
            <= log.records[ended]
                .at_ms
                .saturating_add(log.limits.view_grace_ms)
        {
            return;
        }
        let tap = match input {
            SessionInput::Leave => "the user's leave tap",
            SessionInput::ToggleMic => "the user's mute tap",
            _ => "the user's camera tap",
        };
        if seen.insert(i) {
            let a = per.entry(c.attempt).or_default();
            a.ended = ended;
            a.hits.push((i, tap.to_owned()));
        }
    });
    for a in per.values_mut() {
        a.hits.sort();
    }
}

fn after_finding(log: &Log, attempt: AttemptId, a: &After) -> Finding {
    let (first, last) = (a.hits[0].0, a.hits[a.hits.len() - 1].0);
    let mut f = log.finding("after-ended", first, last);
    f.attempt = Some(attempt);
    f.title = format!(
        "{} event(s) for attempt {attempt} after it had ended",
        a.hits.len()
    );
    let list: Vec<String> = a
        .hits
        .iter()
        .take(5)
        .map(|(i, what)| format!("{what} (seq {})", log.records[*i].seq))
        .collect();
    let since = log.records[first]
        .at_ms
        .saturating_sub(log.records[a.ended].at_ms);
    f.explanation = format!(
        "The call ended at seq {} ({}), yet {} later came: {}{}. The core ignored them. SDK \
         callbacks mean the SDK was still in the call; the user pressing call buttons means a \
         call screen was still on the display.",
        log.records[a.ended].seq,
        log.records[a.ended].body_text(),
        secs(since),
        list.join(", "),
        if a.hits.len() > 5 { ", ..." } else { "" }
    );
    f.fix = "Make sure the shell leaves the SDK session and takes the call view down when the \
             core ends the call, and that the adapter drops the listeners of ended attempts."
        .to_owned();
    f
}
