//! Replay: fold a log's inputs through today's machines ([`fold`]), and check that they decide
//! the same commands the log recorded ([`verify`]). A support engineer uses this to see whether a
//! fix changes a recorded call as intended.
use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;

use switchboard_domain::{ActorName, Command, Entry, Machines};

use crate::record::Record;

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
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (seq, actor) = (self.seq, self.actor);
        match &self.kind {
            DivergenceKind::Commands => write!(
                f,
                "seq {seq} ({actor}): the log recorded {} command(s), replay decided {}",
                self.expected.len(),
                self.got.len()
            ),
            DivergenceKind::CommandsWithoutInput => {
                write!(
                    f,
                    "seq {seq} ({actor}): a command recorded before any input"
                )
            }
            DivergenceKind::Rejected(why) => write!(f, "seq {seq}: {why}"),
        }
    }
}

impl std::error::Error for Divergence {}

/// The commands an open input of one actor produced and those the log recorded after it.
struct Open {
    seq: u64,
    got: Vec<Command>,
    expected: Vec<Command>,
}

impl Open {
    fn close(self, actor: ActorName) -> Result<u64, Divergence> {
        if self.got == self.expected {
            return Ok(self.expected.len() as u64);
        }
        Err(Divergence {
            seq: self.seq,
            actor,
            expected: self.expected,
            got: self.got,
            kind: DivergenceKind::Commands,
        })
    }
}

/// Folds every input record through fresh machines and returns them.
pub fn fold<R: Borrow<Record>>(
    records: impl IntoIterator<Item = R>,
) -> Result<Machines, Divergence> {
    let mut machines = Machines::default();
    for r in records {
        let r = r.borrow();
        if let Entry::Input(input) = &r.body {
            step(&mut machines, r, input)?;
        }
    }
    Ok(machines)
}

fn step(
    machines: &mut Machines,
    r: &Record,
    input: &switchboard_domain::Input,
) -> Result<Vec<Command>, Divergence> {
    machines
        .step(r.actor, input, r.at_ms)
        .map_err(|e| Divergence {
            seq: r.seq,
            actor: r.actor,
            expected: Vec::new(),
            got: Vec::new(),
            kind: DivergenceKind::Rejected(e.to_string()),
        })
}

/// Replays the log and compares, for every input, the commands today's machine decides with
/// the command records its actor wrote after that input and before its next one. Returns the
/// divergence with the lowest seq.
pub fn verify<R: Borrow<Record>>(
    records: impl IntoIterator<Item = R>,
) -> Result<VerifyOk, Divergence> {
    let mut machines = Machines::default();
    let mut open: BTreeMap<ActorName, Open> = BTreeMap::new();
    let mut ok = VerifyOk {
        commands_matched: 0,
        inputs: 0,
    };
    let mut first: Option<Divergence> = None;
    for r in records {
        let r = r.borrow();
        match &r.body {
            Entry::Input(input) => {
                if let Some(prev) = open.remove(&r.actor) {
                    note(prev.close(r.actor), &mut ok, &mut first);
                }
                let got = match step(&mut machines, r, input) {
                    Ok(got) => got,
                    Err(d) => {
                        note(Err(d), &mut ok, &mut first);
                        break;
                    }
                };
                ok.inputs += 1;
                open.insert(
                    r.actor,
                    Open {
                        seq: r.seq,
                        got,
                        expected: Vec::new(),
                    },
                );
            }
            Entry::Command(c) => match open.get_mut(&r.actor) {
                Some(o) => o.expected.push(c.clone()),
                None => note(Err(stray(r, c)), &mut ok, &mut first),
            },
        }
    }
    if first.is_none() {
        for (actor, o) in open {
            note(o.close(actor), &mut ok, &mut first);
        }
    }
    first.map_or(Ok(ok), Err)
}

/// Counts matched commands, and keeps the divergence with the lowest seq.
fn note(result: Result<u64, Divergence>, ok: &mut VerifyOk, first: &mut Option<Divergence>) {
    match result {
        Ok(n) => ok.commands_matched += n,
        Err(d) if first.as_ref().is_none_or(|f| d.seq < f.seq) => *first = Some(d),
        Err(_) => {}
    }
}

fn stray(r: &Record, c: &Command) -> Divergence {
    Divergence {
        seq: r.seq,
        actor: r.actor,
        expected: vec![c.clone()],
        got: Vec::new(),
        kind: DivergenceKind::CommandsWithoutInput,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::scripted_log;
    use switchboard_domain::input::{Input, RouterInput};

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
        assert!(machines.sessions.len() >= 2);
        assert!(machines.sessions.values().all(|s| s.is_ended()));
    }

    #[test]
    fn a_changed_command_is_the_divergence() {
        let mut log = core_log();
        let i = first_command_index(&log, |c| matches!(c, Command::JoinSession { .. }));
        let recorded = log[i].body.clone();
        log[i].body = Entry::Command(Command::InitChatSdk);
        let d = verify(&log).unwrap_err();
        assert_eq!(d.seq, input_before(&log, i));
        assert_eq!(d.kind, DivergenceKind::Commands);
        assert!(d.expected.contains(&Command::InitChatSdk));
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
        let i = first_command_index(&log, |c| matches!(c, Command::LeaveSession { .. }));
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
        log[0].body = Entry::Command(Command::InitCallsSdk);
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
