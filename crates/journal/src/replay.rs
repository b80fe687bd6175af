//! The one replay: a log folded through today's machines, one record at a time ([`Replay`]).
//! Everything that reads a log through the machines uses it: [`verify`] and [`fold`] here,
//! recovery and the rebuild of one actor in the runtime, the CLI's timeline, state, diff,
//! diagnose and report, and the simulator's log checker. A support engineer uses verify to see
//! whether a fix changes a recorded call as intended.
//!
//! What one step gives: the record; for an input, what today's machines decided (or why they
//! rejected it); the machines' state after it; and, when the input closes the previous input of
//! the same actor, that input's [`Group`]: what it decided beside what the log recorded after it.
//!
//! **A rejected input** (an input the machines cannot take, such as a session input addressed to
//! the router: only a damaged or foreign log has one) leaves every machine as it was and opens a
//! group of its own that decided nothing, so the commands recorded after it are still counted
//! against it. Its group is a divergence at its seq ([`DivergenceKind::Rejected`]); every
//! consumer goes on reading (recovery logs it: the app must start).
//!
//! **The first divergence** is the one with the lowest seq, where a divergence is named by the
//! seq of the input whose recorded commands differ from what today's machine decides (the place
//! to look: what went in, what the machine did with it), or of a command recorded before any
//! input of its actor. The first differing command of a group is given beside it
//! ([`Divergence::first_difference`]). `switchboard replay --verify` and the simulator's checker
//! both report this seq.
use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;

use switchboard_domain::{
    ActorName, Command, Effect, Entry, Input, Machines, SessionInput, Snapshot, TimerId,
};

use crate::record::Record;
use crate::snapshot::State;

/// A log that replayed to the same commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyOk {
    /// Recorded commands that today's machines also decided.
    pub commands_matched: u64,
    /// Inputs folded.
    pub inputs: u64,
}

/// Why a replay differs from the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DivergenceKind {
    /// Today's machine decided other commands than the log recorded after this input.
    Commands,
    /// The log holds commands of an actor before any input of that actor.
    CommandsWithoutInput,
    /// The machine rejected the input (an input of the wrong kind for the actor).
    Rejected(String),
    /// A snapshot that does not hold what the records before it fold to, or a log that starts
    /// at a snapshot this build cannot use.
    Snapshot(String),
}

/// The first place a replay differs from the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The seq of the input whose commands differ (or of the stray command, or the rejected
    /// input).
    pub seq: u64,
    /// Its actor.
    pub actor: ActorName,
    /// The commands the log recorded.
    pub expected: Vec<Command>,
    /// The commands today's machine decided.
    pub got: Vec<Command>,
    /// What kind of difference.
    pub kind: DivergenceKind,
    /// The first recorded command that differs from replay's, as (its seq, its index among the
    /// input's commands); the input's own seq and the count when the log recorded too few.
    pub first_difference: (u64, usize),
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (seq, actor) = (self.seq, self.actor);
        match &self.kind {
            DivergenceKind::Commands => {
                let (at, index) = self.first_difference;
                let show =
                    |c: Option<&Command>| c.map_or("nothing".to_owned(), |c| format!("'{c}'"));
                write!(
                    f,
                    "seq {seq} ({actor}): the log recorded {} command(s), replay decided {}; \
                     first difference at seq {at}: log {} vs replay {}",
                    self.expected.len(),
                    self.got.len(),
                    show(self.expected.get(index)),
                    show(self.got.get(index)),
                )
            }
            DivergenceKind::CommandsWithoutInput => {
                write!(
                    f,
                    "seq {seq} ({actor}): a command recorded before any input"
                )
            }
            DivergenceKind::Rejected(why) => write!(f, "seq {seq}: {why}"),
            DivergenceKind::Snapshot(why) => write!(f, "seq {seq}: snapshot {why}"),
        }
    }
}

impl std::error::Error for Divergence {}

/// One input and what followed it: today's decision beside the commands its actor recorded after
/// it and before its next input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The input's seq.
    pub seq: u64,
    /// Its actor.
    pub actor: ActorName,
    /// The input.
    pub input: Input,
    /// What today's machine decided for it (nothing when it was rejected).
    pub decided: Vec<Command>,
    /// The commands recorded after it, with their seqs.
    pub recorded: Vec<(u64, Command)>,
    /// Why the machines rejected the input, if they did.
    pub rejected: Option<String>,
}

impl Group {
    /// How it differs from the log, if it does (the one definition).
    pub fn divergence(&self) -> Option<Divergence> {
        let expected: Vec<Command> = self.recorded.iter().map(|(_, c)| c.clone()).collect();
        let kind = match &self.rejected {
            Some(why) => DivergenceKind::Rejected(why.clone()),
            None if expected == self.decided => return None,
            None => DivergenceKind::Commands,
        };
        let index = expected
            .iter()
            .zip(&self.decided)
            .position(|(a, b)| a != b)
            .unwrap_or(expected.len().min(self.decided.len()));
        let at = self.recorded.get(index).map_or(self.seq, |(seq, _)| *seq);
        Some(Divergence {
            seq: self.seq,
            actor: self.actor,
            expected,
            got: self.decided.clone(),
            kind,
            first_difference: (at, index),
        })
    }
}

/// What folding one record gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fold {
    /// An input today's machine took, with what it decided.
    Input(Vec<Command>),
    /// An input the machines rejected (see the module's rule), with why.
    Rejected(String),
    /// A command, counted against the open input of its actor.
    Command,
    /// A command recorded before any input of its actor: a divergence at its seq.
    Stray(Divergence),
    /// A snapshot, and what the replay did with it.
    Snapshot(SnapshotUse),
}

/// What a replay did with a snapshot record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotUse {
    /// The log starts at it: the replay took its state and folds on from there.
    Started,
    /// The log starts at it and this build cannot use it (why): the replay goes on from fresh
    /// machines, which is not the log's state.
    Unusable(String),
    /// Met after other records, compared with the fold so far: they agree.
    Agrees,
    /// Met after other records: it holds something else than the fold so far (what).
    Differs(String),
    /// Met after other records and not read (a folding replay, or a layout this build does not
    /// read).
    Skipped,
}

/// One folded record.
#[derive(Debug)]
pub struct Step<'a> {
    /// What it gave.
    pub fold: Fold,
    /// The input of the same actor that this input closed, if any.
    pub closed: Option<Group>,
    /// Every machine, after the record.
    pub machines: &'a Machines,
}

/// A log folded through today's machines, one record at a time.
///
/// [`Replay::new`] (also `Default`) compares: it keeps every open input's [`Group`] (a copy of
/// the input, of what was decided and of what was recorded after it). [`Replay::folding`] only
/// folds, for readers that want the states and not the comparison (recovery on the app's launch
/// path above all): it copies nothing, and its steps close no groups and find no strays.
///
/// **Snapshots.** A log may start at a snapshot (older records were deleted, or a reader began
/// at the newest snapshot): the replay takes its state, then folds what follows. A snapshot met
/// after other records is compared with the fold so far by a comparing replay and skipped by a
/// folding one. Pending timers are followed too ([`Replay::state`]).
#[derive(Clone, Debug)]
pub struct Replay {
    machines: Machines,
    timers: BTreeMap<TimerId, u64>,
    open: BTreeMap<ActorName, Group>,
    compare: bool,
    fed: u64,
}

impl Default for Replay {
    fn default() -> Self {
        Replay {
            machines: Machines::default(),
            timers: BTreeMap::new(),
            open: BTreeMap::new(),
            compare: true,
            fed: 0,
        }
    }
}

impl Replay {
    /// A comparing replay from fresh machines.
    pub fn new() -> Self {
        Self::default()
    }

    /// A replay that only folds (no groups, no strays), from fresh machines.
    pub fn folding() -> Self {
        Replay {
            compare: false,
            ..Self::default()
        }
    }

    /// The machines as folded so far.
    pub fn machines(&self) -> &Machines {
        &self.machines
    }

    /// The machines as folded so far, kept.
    pub fn into_machines(self) -> Machines {
        self.machines
    }

    /// The pending timers, with when each is due (ms).
    pub fn timers(&self) -> &BTreeMap<TimerId, u64> {
        &self.timers
    }

    /// Records fed so far.
    pub fn fed(&self) -> u64 {
        self.fed
    }

    /// What a snapshot taken now would hold.
    pub fn state(&self) -> State {
        State {
            machines: self.machines.clone(),
            timers: self.timers.clone(),
        }
    }

    /// Follows the timers a record starts, cancels or fires.
    fn track_timers(&mut self, r: &Record) {
        match &r.body {
            Entry::Command(Command::Effect(Effect::StartTimer { id, after_ms })) => {
                self.timers.insert(*id, r.at_ms.saturating_add(*after_ms));
            }
            Entry::Command(Command::Effect(Effect::CancelTimer { id })) => {
                self.timers.remove(id);
            }
            Entry::Input(Input::Session(SessionInput::TimerFired(kind))) => {
                if let ActorName::Session(attempt) = r.actor {
                    self.timers.remove(&TimerId {
                        kind: *kind,
                        attempt,
                    });
                }
            }
            _ => {}
        }
    }

    /// What a snapshot record does to the replay.
    fn snapshot(&mut self, snapshot: &Snapshot) -> SnapshotUse {
        let first = self.fed == 0;
        if !first && !self.compare {
            return SnapshotUse::Skipped;
        }
        let state = match State::from_snapshot(snapshot) {
            Ok(state) => state,
            Err(why) if first => return SnapshotUse::Unusable(why),
            Err(_) => return SnapshotUse::Skipped,
        };
        if first {
            self.machines = state.machines;
            self.timers = state.timers;
            return SnapshotUse::Started;
        }
        if state.machines != self.machines {
            return SnapshotUse::Differs(
                "holds other machine states than the records before it fold to".into(),
            );
        }
        if state.timers != self.timers {
            return SnapshotUse::Differs(format!(
                "holds timers {:?}, the records before it leave {:?}",
                state.timers.keys().collect::<Vec<_>>(),
                self.timers.keys().collect::<Vec<_>>()
            ));
        }
        SnapshotUse::Agrees
    }

    /// Folds the next record (records come in seq order).
    pub fn feed(&mut self, r: &Record) -> Step<'_> {
        let fold_snapshot = match &r.body {
            Entry::Snapshot(s) => Some(self.snapshot(s)),
            _ => None,
        };
        self.fed += 1;
        if let Some(used) = fold_snapshot {
            return Step {
                fold: Fold::Snapshot(used),
                closed: None,
                machines: &self.machines,
            };
        }
        self.track_timers(r);
        let (fold, closed) = match &r.body {
            Entry::Snapshot(_) => unreachable!("handled above"),
            Entry::Input(input) if !self.compare => {
                let fold = match self.machines.step(r.actor, input, r.at_ms) {
                    Ok(decided) => Fold::Input(decided),
                    Err(e) => Fold::Rejected(e.to_string()),
                };
                (fold, None)
            }
            Entry::Command(_) if !self.compare => (Fold::Command, None),
            Entry::Input(input) => {
                let closed = self.open.remove(&r.actor);
                let (fold, decided, rejected) = match self.machines.step(r.actor, input, r.at_ms) {
                    Ok(decided) => (Fold::Input(decided.clone()), decided, None),
                    Err(e) => {
                        let why = e.to_string();
                        (Fold::Rejected(why.clone()), Vec::new(), Some(why))
                    }
                };
                let group = Group {
                    seq: r.seq,
                    actor: r.actor,
                    input: input.clone(),
                    decided,
                    recorded: Vec::new(),
                    rejected,
                };
                self.open.insert(r.actor, group);
                (fold, closed)
            }
            Entry::Command(c) => match self.open.get_mut(&r.actor) {
                Some(group) => {
                    group.recorded.push((r.seq, c.clone()));
                    (Fold::Command, None)
                }
                None => (Fold::Stray(stray(r, c)), None),
            },
        };
        Step {
            fold,
            closed,
            machines: &self.machines,
        }
    }

    /// Closes every open input (the end of the log, or of a simulated step), in actor order.
    pub fn close_all(&mut self) -> Vec<Group> {
        std::mem::take(&mut self.open).into_values().collect()
    }
}

/// Folds every record through fresh machines and returns them; the first rejected input is an
/// error (a state built past it would not be the log's).
pub fn fold<R: Borrow<Record>>(
    records: impl IntoIterator<Item = R>,
) -> Result<Machines, Divergence> {
    let mut replay = Replay::folding();
    for r in records {
        let r = r.borrow();
        let kind = match replay.feed(r).fold {
            Fold::Rejected(why) => DivergenceKind::Rejected(why),
            Fold::Snapshot(SnapshotUse::Unusable(why)) => {
                DivergenceKind::Snapshot(format!("cannot be started from: {why}"))
            }
            _ => continue,
        };
        return Err(Divergence {
            seq: r.seq,
            actor: r.actor,
            expected: Vec::new(),
            got: Vec::new(),
            kind,
            first_difference: (r.seq, 0),
        });
    }
    Ok(replay.into_machines())
}

/// Replays the log and compares, for every input, the commands today's machine decides with
/// the command records its actor wrote after that input and before its next one. Returns the
/// first divergence (the lowest seq; see the module's definition).
pub fn verify<R: Borrow<Record>>(
    records: impl IntoIterator<Item = R>,
) -> Result<VerifyOk, Divergence> {
    let mut replay = Replay::new();
    let mut ok = VerifyOk {
        commands_matched: 0,
        inputs: 0,
    };
    let mut first: Option<Divergence> = None;
    for r in records {
        let step = replay.feed(r.borrow());
        let r = r.borrow();
        match step.fold {
            Fold::Input(_) | Fold::Rejected(_) => ok.inputs += 1,
            Fold::Stray(d) => keep_first(&mut first, d),
            Fold::Command => {}
            Fold::Snapshot(SnapshotUse::Unusable(why)) => keep_first(
                &mut first,
                snapshot_divergence(r, format!("cannot be started from: {why}")),
            ),
            Fold::Snapshot(SnapshotUse::Differs(why)) => {
                keep_first(&mut first, snapshot_divergence(r, why))
            }
            Fold::Snapshot(_) => {}
        }
        if let Some(group) = step.closed {
            note(group, &mut ok, &mut first);
        }
    }
    for group in replay.close_all() {
        note(group, &mut ok, &mut first);
    }
    first.map_or(Ok(ok), Err)
}

/// Counts a group's matched commands, or keeps its divergence.
fn note(group: Group, ok: &mut VerifyOk, first: &mut Option<Divergence>) {
    match group.divergence() {
        None => ok.commands_matched += group.recorded.len() as u64,
        Some(d) => keep_first(first, d),
    }
}

/// Keeps the divergence with the lowest seq.
fn keep_first(first: &mut Option<Divergence>, d: Divergence) {
    if first.as_ref().is_none_or(|f| d.seq < f.seq) {
        *first = Some(d);
    }
}

fn snapshot_divergence(r: &Record, why: String) -> Divergence {
    Divergence {
        seq: r.seq,
        actor: r.actor,
        expected: Vec::new(),
        got: Vec::new(),
        kind: DivergenceKind::Snapshot(why),
        first_difference: (r.seq, 0),
    }
}

fn stray(r: &Record, c: &Command) -> Divergence {
    Divergence {
        seq: r.seq,
        actor: r.actor,
        expected: vec![c.clone()],
        got: Vec::new(),
        kind: DivergenceKind::CommandsWithoutInput,
        first_difference: (r.seq, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::scripted_log;
    use switchboard_domain::input::{Input, RouterInput};
    use switchboard_domain::Effect;

    /// A log made by the domain's core: a boot and three scripted calls.
    fn core_log() -> Vec<Record> {
        let new = scripted_log(200);
        (0u64..).zip(&new).map(|(seq, r)| r.at_seq(seq)).collect()
    }

    fn first_command_index(log: &[Record], pred: impl Fn(&Command) -> bool) -> usize {
        log.iter()
            .position(|r| matches!(&r.body, Entry::Command(c) if pred(c)))
            .unwrap()
    }

    /// The seq of the input that caused the command at `index`.
    fn input_before(log: &[Record], index: usize) -> u64 {
        let actor = log[index].actor;
        log[..index]
            .iter()
            .rev()
            .find(|r| r.actor == actor && matches!(r.body, Entry::Input(_)))
            .unwrap()
            .seq
    }

    #[test]
    fn a_log_made_by_the_core_verifies() {
        let log = core_log();
        let commands = log
            .iter()
            .filter(|r| matches!(r.body, Entry::Command(_)))
            .count();
        let inputs = log.len() - commands;
        let ok = verify(&log).unwrap();
        assert_eq!(ok.commands_matched, commands as u64);
        assert_eq!(ok.inputs, inputs as u64);
        let machines = fold(&log).unwrap();
        // Older ended sessions were retired when newer ones started.
        assert!(machines.retired_below >= 2);
        assert!(machines.sessions.values().all(|s| s.is_ended()));
    }

    #[test]
    fn a_changed_command_is_the_divergence() {
        let mut log = core_log();
        let i = first_command_index(&log, |c| {
            matches!(c, Command::Effect(Effect::JoinSession { .. }))
        });
        let recorded = log[i].body.clone();
        log[i].body = Entry::Command(Command::Effect(Effect::InitChatSdk));
        let d = verify(&log).unwrap_err();
        assert_eq!(d.seq, input_before(&log, i));
        assert_eq!(d.kind, DivergenceKind::Commands);
        assert!(d.expected.contains(&Command::Effect(Effect::InitChatSdk)));
        assert!(matches!(&recorded, Entry::Command(c) if d.got.contains(c)));
        assert!(
            d.to_string()
                .starts_with(&format!("seq {} (session/1)", d.seq)),
            "{d}"
        );
    }

    #[test]
    fn a_missing_command_is_the_divergence() {
        let mut log = core_log();
        let i = first_command_index(&log, |c| {
            matches!(c, Command::Effect(Effect::LeaveSession { .. }))
        });
        let input = input_before(&log, i);
        log.remove(i);
        let d = verify(&log).unwrap_err();
        assert_eq!(
            (d.seq, d.got.len(), d.expected.len() + 1),
            (input, d.got.len(), d.got.len())
        );
    }

    #[test]
    fn a_command_before_any_input_and_a_misrouted_input_are_named() {
        let mut log = core_log();
        log[0].body = Entry::Command(Command::Effect(Effect::InitCallsSdk));
        let d = verify(&log).unwrap_err();
        assert_eq!(
            (d.seq, d.kind.clone()),
            (0, DivergenceKind::CommandsWithoutInput)
        );

        let mut log = core_log();
        let i = log
            .iter()
            .position(|r| r.actor == ActorName::Audio)
            .unwrap();
        log[i].body = Entry::Input(Input::Router(RouterInput::Retry));
        let d = verify(&log).unwrap_err();
        assert_eq!(d.seq, log[i].seq);
        assert!(matches!(&d.kind, DivergenceKind::Rejected(why) if why.contains("audio")));
        assert_eq!(fold(&log).unwrap_err().seq, log[i].seq);
    }
}
