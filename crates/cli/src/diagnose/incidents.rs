//! Rules about what the runtime reported of its own footing (incidents): a journal that could
//! not be opened and was set aside, a damaged tail moved into quarantine, port calls the shell
//! could not carry out (DESIGN rule 13), calls lost when the app's process ended (rule 10), and
//! inputs today's machines cannot take (a damaged or foreign log).
use std::collections::BTreeMap;

use switchboard_domain::session::Phase;
use switchboard_domain::{
    ActorName, AttemptId, AudioEvent, AudioInput, Command, Effect, Entry, Incident, Input, Message,
    RouterInput, SessionInput,
};

use switchboard_journal::{Fold, Replay};

use super::{Finding, Log};

/// Every incident in the log, with its record's index.
fn incidents<'a>(log: &'a Log) -> impl Iterator<Item = (usize, &'a Incident)> + 'a {
    log.records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.body {
            Entry::Input(Input::Router(RouterInput::Incident(incident))) => Some((i, incident)),
            _ => None,
        })
}

/// Rule `journal-set-aside`: the journal could not be opened at all, so it was moved aside and
/// this log started afresh; what came before is in the set-aside journal.
pub fn journal_set_aside(log: &Log) -> Vec<Finding> {
    incidents(log)
        .filter_map(|(i, incident)| {
            let Incident::JournalSetAside { kept_as, message } = incident else {
                return None;
            };
            let mut f = log.finding("journal-set-aside", i, i);
            f.title = format!("the journal could not be opened and was set aside as {kept_as}");
            f.explanation = format!(
                "At start-up the app's journal could not be opened ({message}). It was moved \
                 aside whole as {kept_as}, beside the data directory, and this log started \
                 fresh: every call before seq {} is in the set-aside journal, not here.",
                f.seq_first
            );
            f.fix = "Ask for the set-aside journal too (the app exports it with \
                     export_set_aside_log); switchboard replay reads it as far as it can. If \
                     this repeats on one device, its storage is failing."
                .to_owned();
            Some(f)
        })
        .collect()
}

/// Rule `journal-tail-quarantined`: the journal opened, but its last records were damaged and
/// were moved into its quarantine tree; the calls they held are missing from this log.
pub fn journal_tail_quarantined(log: &Log) -> Vec<Finding> {
    incidents(log)
        .filter_map(|(i, incident)| {
            let Incident::JournalTailQuarantined {
                from_seq,
                batches,
                bytes,
                message,
            } = incident
            else {
                return None;
            };
            let mut f = log.finding("journal-tail-quarantined", i, i);
            f.title = format!("a damaged journal tail from seq {from_seq} was set aside");
            f.explanation = format!(
                "At start-up the journal read cleanly up to seq {from_seq}; the record there \
                 was damaged ({message}). {batches} stored batch(es), {bytes} bytes, were moved \
                 into the journal's quarantine tree (kept, not deleted) and new records \
                 continue from seq {from_seq}."
            );
            f.fix = "Whatever happened just before this start (often the app was killed during a \
                     write) may be missing from the log; a damage that repeats points at storage."
                .to_owned();
            Some(f)
        })
        .collect()
}

/// Every shell-reported port failure: the router's incidents, and the audio-session failures the
/// audio machine records (`AudioInput::PortFailed`, actor `audio`). Init and login failures are
/// the rules `init-failed` and `login-failed`: one record, one finding.
fn port_failures<'a>(log: &'a Log) -> impl Iterator<Item = (usize, &'a Effect, &'a str)> + 'a {
    log.records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.body {
            Entry::Input(Input::Router(RouterInput::Incident(Incident::PortFailed {
                command,
                message,
            })))
            | Entry::Input(Input::Audio(AudioInput::PortFailed { command, message })) => {
                Some((i, command, message.as_str()))
            }
            _ => None,
        })
        .filter(|(_, c, _)| {
            !matches!(
                c,
                Effect::InitCalls { .. } | Effect::InitCallsSdk | Effect::LoginCallsSdk
            )
        })
}

/// Rule `port-failed`: the shell could not carry out a command the core performed (an SDK or
/// audio-session call that threw, a render, a permission prompt); the command is in the log,
/// but it did not happen on the device. A failed audio activation during a call names the retry.
pub fn port_failed(log: &Log) -> Vec<Finding> {
    // The audio machine's view after each record: whether a call was left without audio.
    let mut no_audio: BTreeMap<usize, Option<AttemptId>> = BTreeMap::new();
    log.fold_each(|i, r, m| {
        if let Entry::Input(Input::Audio(AudioInput::PortFailed { .. })) = &r.body {
            if m.audio.view().unavailable {
                no_audio.insert(i, m.audio.call());
            }
        }
    });
    port_failures(log)
        .map(|(i, command, message)| {
            let seq = log.records[i].seq;
            let lost = no_audio.get(&i).copied();
            let mut f = log.finding("port-failed", i, i);
            f.attempt = command.attempt().or(lost.flatten());
            f.title = format!("the shell could not carry out: {command}");
            let mut text = format!(
                "The core decided \"{command}\" and the shell's port call failed (seq {seq}): \
                 {message}. The log shows the command, but the device did not do it."
            );
            if let Some(call) = lost {
                f.title += " (the call had no audio)";
                let (last, after) = audio_after(log, i, call);
                f.seq_last = log.records[last].seq;
                f.at_ms_last = log.records[last].at_ms;
                text = format!(
                    "The shell's audio session refused \"{command}\" at seq {seq}: {message}. \
                     The call{} went on without audio (the call screen said audio is \
                     unavailable) {after}",
                    call.map_or(String::new(), |a| format!(" (attempt {a})"))
                );
            } else if let Some(effect) = consequence(log, i, command) {
                text = format!("{text} {effect}");
            }
            f.explanation = text;
            f.fix = if lost.is_some() {
                "Read the AVAudioSession error code: 561017449 (insufficient priority) means \
                 another app or a phone call held the audio session; others point at the \
                 category or an interruption the shell did not report."
                    .to_owned()
            } else {
                "Read the shell's error: an SDK call made when no session was active, or an \
                 AVAudioSession error code, usually says which state the shell was in."
                    .to_owned()
            };
            f
        })
        .collect()
}

/// What a failed command (its failure at index `i`) meant for the user, where it is more than
/// "it did not happen".
fn consequence(log: &Log, i: usize, command: &Effect) -> Option<String> {
    Some(match command {
        Effect::JoinSession { attempt, .. } => match log.ended.get(attempt).filter(|&&e| e > i) {
            Some(&e) => match &log.records[e].body {
                Entry::Command(Command::Message(Message::Ended { reason, .. })) => format!(
                    "The call was not joined: attempt {attempt} ended at seq {} ({reason}).",
                    log.records[e].seq
                ),
                _ => "The call was not joined.".to_owned(),
            },
            None => "The call was not joined.".to_owned(),
        },
        Effect::LeaveSession { .. } => {
            "The SDK may still have been in the call; the core's leave timer ended it.".to_owned()
        }
        Effect::RequestPermission { .. } => "The permission prompt was not shown: the join \
             waited for an answer until its join timeout, and the next join asks again."
            .to_owned(),
        Effect::OpenAppSettings => "The user's Open Settings tap did nothing.".to_owned(),
        Effect::ShareLink { .. } => {
            "The share sheet with the meeting link was not shown.".to_owned()
        }
        Effect::Render(_) => "The screen did not show this state.".to_owned(),
        _ => return None,
    })
}

/// After the audio session refused to start for `call` at index `i`: until when the call had no
/// audio (the index that ends it) and how, as a clause.
fn audio_after(log: &Log, i: usize, call: Option<AttemptId>) -> (usize, String) {
    for (j, r) in log.records.iter().enumerate().skip(i + 1) {
        if r.actor != ActorName::Audio {
            continue;
        }
        match &r.body {
            Entry::Command(Command::Effect(Effect::ActivateAudio)) => {
                let why = log.records[..j]
                    .iter()
                    .rev()
                    .find(|r| r.actor == ActorName::Audio && matches!(r.body, Entry::Input(_)))
                    .map_or("", |r| match &r.body {
                        Entry::Input(Input::Audio(AudioInput::App(_))) => {
                            " when the app came back to the foreground"
                        }
                        Entry::Input(Input::Audio(AudioInput::Event(
                            AudioEvent::RouteChanged { .. },
                        ))) => " on the next audio route change",
                        _ => "",
                    });
                let failed_again = log.records[j + 1..]
                    .iter()
                    .take_while(|r| {
                        !(r.actor == ActorName::Audio
                            && matches!(
                                r.body,
                                Entry::Command(Command::Effect(Effect::ActivateAudio))
                            ))
                    })
                    .find(|r| {
                        matches!(
                            &r.body,
                            Entry::Input(Input::Audio(AudioInput::PortFailed {
                                command: Effect::ActivateAudio | Effect::ConfigureAudio { .. },
                                ..
                            }))
                        )
                    });
                let outcome = match failed_again {
                    Some(r) => format!("; that try failed too (seq {})", r.seq),
                    None => ", and audio came back".to_owned(),
                };
                return (
                    j,
                    format!("until it was retried at seq {}{why}{outcome}.", r.seq),
                );
            }
            Entry::Input(Input::Audio(AudioInput::CallEnded { attempt }))
                if call.is_none_or(|c| c == *attempt) =>
            {
                return (
                    j,
                    format!("until it ended at seq {}: audio never came back.", r.seq),
                );
            }
            _ => {}
        }
    }
    (
        log.records.len() - 1,
        "and the log ends with the call still without audio.".to_owned(),
    )
}

/// Rule `app-terminated`: a call was lost because the app's process ended while it was live (a
/// crash, the system reclaiming a background app, a force-quit); the next launch ended it and
/// offered to rejoin (DESIGN rule 10).
pub fn app_terminated(log: &Log) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut last_boot: Option<usize> = None;
    let mut phase_before: BTreeMap<AttemptId, &'static str> = BTreeMap::new();
    log.fold_each(|i, r, m| match &r.body {
        Entry::Input(Input::Router(RouterInput::Boot(_) | RouterInput::Launch(_))) => {
            last_boot = Some(i)
        }
        Entry::Input(Input::Session(SessionInput::AppRelaunched {
            attempt,
            session_id,
        })) => {
            let boot = last_boot.unwrap_or(i);
            let mut f = log.finding("app-terminated", boot, i);
            f.attempt = Some(*attempt);
            let phase = phase_before
                .get(attempt)
                .copied()
                .unwrap_or("not yet started");
            f.title = format!("the call {session_id} was lost when the app's process ended");
            f.explanation = format!(
                "Attempt {attempt} ({session_id}) was {phase} when the app's process ended: the \
                 next launch ({} at seq {}) found it still live in the log and ended it, since \
                 its SDK session died with the old process. The user was shown that the call \
                 ended when the app closed, with an offer to rejoin.",
                match log.records[boot].body {
                    Entry::Input(Input::Router(RouterInput::Launch(_))) => "its launch",
                    _ => "boot",
                },
                log.records[boot].seq
            );
            f.fix = "Find out why the process ended before that boot: a crash (the device's crash \
                     reports), the system reclaiming the app in the background (memory use, \
                     background modes), or the user force-quitting it."
                .to_owned();
            out.push(f);
        }
        // A session's phase changes only on its own inputs: note it after each of them.
        _ => {
            if let (ActorName::Session(a), Some(s)) = (r.actor, m.sessions.get(&attempt_of(r))) {
                phase_before.insert(a, phase_name(s.phase()));
            }
        }
    });
    out
}

/// The attempt of a session's record (0 for other actors, which have none).
fn attempt_of(r: &switchboard_journal::Record) -> AttemptId {
    match r.actor {
        ActorName::Session(a) => a,
        _ => 0,
    }
}

fn phase_name(phase: &Phase) -> &'static str {
    match phase {
        Phase::Unstarted => "not yet started",
        Phase::Waiting => "waiting for its call view",
        Phase::Joining => "joining",
        Phase::InCall {
            reconnecting: false,
        } => "in the call",
        Phase::InCall { reconnecting: true } => "reconnecting",
        Phase::Leaving => "leaving",
        Phase::Ended(_) => "over",
    }
}

/// Rule `input-rejected`: today's machines could not take an input (one addressed to an actor of
/// another kind). Only a damaged log, or one this core did not write, has one. By the replay's
/// rule it changed nothing and everything after it was read on; `replay --verify` names it as
/// the divergence at its seq.
pub fn input_rejected(log: &Log) -> Vec<Finding> {
    let mut replay = Replay::folding();
    let mut out = Vec::new();
    for (i, r) in log.records.iter().enumerate() {
        let Fold::Rejected(why) = replay.feed(r).fold else {
            continue;
        };
        let mut f = log.finding("input-rejected", i, i);
        f.title = format!("an input today's machines cannot take, at seq {}", r.seq);
        f.explanation = format!(
            "The record at seq {} is an input for {} that its machine rejected ({why}). A log \
             the core wrote never has one: this log was damaged (with a valid checksum) or \
             written by something else. The input changed nothing; every finding after it is \
             read from the states before it.",
            r.seq, r.actor
        );
        f.fix = "Ask where the file came from and for the original export; \
                 `switchboard replay --verify` names the same seq."
            .to_owned();
        out.push(f);
    }
    out
}
