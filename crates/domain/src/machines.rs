//! [`Machines`]: every machine of one core, keyed by actor name. It is what replay folds a log
//! through ([`Machines::step`]), what a timeline names the state of ([`Machines::summary`]), and
//! what recovery repairs after a crash ([`Machines::reconcile`]).
//!
//! Reconciliation: each machine journals its own inputs, so recovery rebuilds each one exactly;
//! but a message between machines whose sending command was journaled and whose receiving input
//! was not (the process died in between) is lost. `reconcile` finds every such gap from the
//! machines' states alone and returns the inputs that close it; the runtime delivers them after
//! recovery. In a consistent state it returns nothing.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::audio::Audio;
use crate::command::Command;
use crate::describe::describe_ui;
use crate::ids::{ActorName, AttemptId};
use crate::input::{AudioInput, Input, RouterInput, SessionInput, UiInput};
use crate::machine::{Machine, MachineError};
use crate::message::Target;
use crate::router::Router;
use crate::session::{Phase, Session};
use crate::ui_bridge::UiBridge;

/// Every machine of a core, keyed by actor name: what replay folds a log through.
///
/// **Retired sessions.** When a new attempt's session starts, the ended sessions of older
/// attempts are dropped (retired), except one that the router or the audio machine still holds
/// as its call: a phone keeps years of calls, and neither the machines nor a snapshot should
/// grow with them. An input for a retired attempt is ignored, exactly as its ended session would
/// have ignored it (DESIGN rule 8). Replay and recovery retire the same way, so a fold from a
/// snapshot and a full fold agree.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machines {
    /// The router.
    pub router: Router,
    /// Sessions by attempt (the retired ones left out).
    pub sessions: BTreeMap<u64, Session>,
    /// The audio machine.
    pub audio: Audio,
    /// The UI bridge.
    pub ui: UiBridge,
    /// Every attempt below this that is not in `sessions` ended and was retired.
    pub retired_below: AttemptId,
}

impl Machines {
    /// Steps the machine of `actor` with `input`.
    pub fn step(
        &mut self,
        actor: ActorName,
        input: &Input,
        at_ms: u64,
    ) -> Result<Vec<Command>, MachineError> {
        let bad = || MachineError {
            actor,
            got: input.kind_name(),
        };
        Ok(match (actor, input) {
            (ActorName::Router, Input::Router(i)) => self.router.step(i, at_ms),
            (ActorName::Session(a), Input::Session(i)) => match self.sessions.get_mut(&a) {
                Some(session) => session.step(i, at_ms),
                // Retired: it ended, and an ended session ignores everything.
                None if a < self.retired_below => Vec::new(),
                None => {
                    self.retire_before(a);
                    self.sessions.entry(a).or_default().step(i, at_ms)
                }
            },
            (ActorName::Audio, Input::Audio(i)) => self.audio.step(i, at_ms),
            (ActorName::Ui, Input::Ui(i)) => self.ui.step(i, at_ms),
            _ => return Err(bad()),
        })
    }

    /// Drops the ended sessions of attempts before `attempt` that nothing holds any more.
    fn retire_before(&mut self, attempt: AttemptId) {
        let held = [self.router.live_attempt(), self.audio.call()];
        let retired: Vec<AttemptId> = self
            .sessions
            .range(..attempt)
            .filter(|(a, s)| s.is_ended() && !held.contains(&Some(**a)))
            .map(|(a, _)| *a)
            .collect();
        for a in retired {
            self.sessions.remove(&a);
            self.retired_below = self.retired_below.max(a + 1);
        }
    }

    /// True when the attempt's session ended and was retired (see [`Machines`]).
    pub fn is_retired(&self, attempt: AttemptId) -> bool {
        attempt < self.retired_below && !self.sessions.contains_key(&attempt)
    }

    /// A one-line summary of one machine's state, for timelines.
    pub fn summary(&self, actor: ActorName) -> String {
        match actor {
            ActorName::Router => match self.router.current() {
                None => "no call".to_owned(),
                Some(c) => match &c.ended {
                    None => format!("current: attempt {} ({})", c.attempt, c.session_id),
                    Some(r) => format!("attempt {} ended ({r})", c.attempt),
                },
            },
            ActorName::Session(a) if self.is_retired(a) => "ended (retired)".to_owned(),
            ActorName::Session(a) => match self.sessions.get(&a).map(|s| s.phase()) {
                None | Some(Phase::Unstarted) => "not started".to_owned(),
                Some(Phase::InCall { reconnecting: true }) => "in call, reconnecting".to_owned(),
                Some(Phase::InCall { .. }) => "in call, connected".to_owned(),
                Some(Phase::Ended(r)) => format!("ended ({r})"),
                Some(p) => format!("{p:?}").to_lowercase(),
            },
            ActorName::Audio => {
                let v = self.audio.view();
                format!(
                    "{}{}, route {:?}",
                    if v.active { "active" } else { "inactive" },
                    if v.interrupted { ", interrupted" } else { "" },
                    v.route
                )
            }
            ActorName::Ui => describe_ui(&self.ui.current()),
        }
    }

    /// The inputs that bring the machines back in agreement with each other.
    pub fn reconcile(&self) -> Vec<(Target, Input)> {
        let mut out = Vec::new();
        let live = self.router.live_attempt();
        // The router started an attempt whose session never got its Start.
        if let (Some(attempt), Some(current)) = (live, self.router.current()) {
            let started = self
                .sessions
                .get(&attempt)
                .is_some_and(|s| *s.phase() != Phase::Unstarted);
            if !started {
                let config = self.router.config();
                out.push((
                    Target::Session(attempt),
                    Input::Session(SessionInput::Start {
                        attempt,
                        session_id: current.session_id.clone(),
                        settings: config.settings.clone(),
                        join_timeout_ms: config.join_timeout_ms,
                        leave_ack_timeout_ms: config.leave_ack_timeout_ms,
                    }),
                ));
            }
        }
        for (&attempt, session) in &self.sessions {
            match session.phase() {
                Phase::Ended(reason) => {
                    if live == Some(attempt) {
                        out.push((
                            Target::Router,
                            Input::Router(RouterInput::AttemptEnded {
                                attempt,
                                reason: reason.clone(),
                            }),
                        ));
                    }
                    if self.audio.call() == Some(attempt) {
                        out.push((
                            Target::Audio,
                            Input::Audio(AudioInput::CallEnded { attempt }),
                        ));
                    }
                }
                Phase::Joining | Phase::InCall { .. } | Phase::Leaving
                    if live == Some(attempt)
                        && session.join_sent()
                        && self.audio.call() != Some(attempt) =>
                {
                    out.push((
                        Target::Audio,
                        Input::Audio(AudioInput::CallStarting {
                            attempt,
                            video: session.is_video(),
                        }),
                    ));
                }
                _ => {}
            }
        }
        out.extend(self.ui_gaps());
        out
    }

    /// What a new process delivers before it boots (DESIGN rule 10). The attempt the log shows
    /// as still live belonged to the process that died, and its SDK session died with it: it is
    /// ended ([`SessionInput::AppRelaunched`]), and every other gap is closed as
    /// [`Machines::reconcile`] would. Nothing continues the old call: no `Start`, no
    /// `CallStarting` and no call view for that attempt.
    pub fn reconcile_at_launch(&self) -> Vec<(Target, Input)> {
        let live = self
            .router
            .live_attempt()
            .filter(|a| !self.sessions.get(a).is_some_and(|s| s.is_ended()));
        let (Some(live), Some(current)) = (live, self.router.current()) else {
            return self.reconcile();
        };
        let end = SessionInput::AppRelaunched {
            attempt: live,
            session_id: current.session_id.clone(),
        };
        let mut out = vec![(Target::Session(live), Input::Session(end))];
        out.extend(
            self.reconcile()
                .into_iter()
                .filter(|(_, input)| !continues(live, input)),
        );
        out
    }

    /// The newest session's view and the audio view, where the UI bridge holds something else.
    fn ui_gaps(&self) -> Vec<(Target, Input)> {
        let mut out = Vec::new();
        let newest = self.sessions.values().rev().find_map(|s| s.view());
        if let Some(view) = newest {
            // No view held and the call over: the user dismissed it; nothing to show again.
            let dismissed = self.ui.session_view().is_none()
                && matches!(view.phase, crate::view::PhaseView::Ended(_));
            if !dismissed && self.ui.session_view() != Some(&view) {
                out.push((Target::Ui, Input::Ui(UiInput::Session(view))));
            }
        }
        let audio = self.audio.view();
        if *self.ui.audio_view() != audio {
            out.push((Target::Ui, Input::Ui(UiInput::Audio(audio))));
        }
        out
    }
}

/// Whether a repair would carry on the attempt `live` (start it, start its audio, show its view).
fn continues(live: AttemptId, input: &Input) -> bool {
    match input {
        Input::Session(SessionInput::Start { attempt, .. })
        | Input::Audio(AudioInput::CallStarting { attempt, .. }) => *attempt == live,
        Input::Ui(UiInput::Session(view)) => {
            view.attempt == live && !matches!(view.phase, crate::view::PhaseView::Ended(_))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Core;
    use crate::input::{Event, SdkEvent};
    use crate::machine::Machine;
    use crate::settings::CoreConfig;
    use crate::ui::UiState;
    use crate::view::EndReason;

    fn in_call() -> Core {
        let mut core = Core::default();
        for e in [
            Event::Boot(CoreConfig::default()),
            Event::OpenLink {
                url: "https://meet.switchboard.example/meet/abc".into(),
            },
            Event::ViewAppeared,
            Event::Sdk {
                attempt: 1,
                event: SdkEvent::JoinSucceeded,
            },
        ] {
            core.handle_event(e, 0);
        }
        core
    }

    #[test]
    fn a_consistent_core_needs_nothing() {
        let mut core = in_call();
        assert!(core.machines.reconcile().is_empty());
        core.handle_event(
            Event::Sdk {
                attempt: 1,
                event: SdkEvent::SessionLeft,
            },
            0,
        );
        assert!(core.machines.reconcile().is_empty());
        core.handle_event(Event::Dismiss, 0);
        assert!(
            core.machines.reconcile().is_empty(),
            "a dismissed call stays dismissed"
        );
    }

    #[test]
    fn an_end_lost_between_machines_is_delivered_again() {
        let mut core = in_call();
        // The session ends, but the process dies before any machine receives what it sent.
        let session = core.machines.sessions.get_mut(&1).unwrap();
        session.step(&SessionInput::Sdk(SdkEvent::ConnectionClosed), 0);
        let repairs = core.machines.reconcile();
        assert_eq!(repairs.len(), 3, "{repairs:#?}");
        for (target, input) in repairs {
            core.deliver(target, input, 0);
        }
        assert!(core.machines.reconcile().is_empty());
        assert_eq!(core.machines.router.live_attempt(), None);
        assert_eq!(core.machines.audio.call(), None);
        assert!(matches!(
            core.machines.ui.current(),
            UiState::Ended {
                reason: EndReason::ConnectionClosed,
                ..
            }
        ));
    }

    #[test]
    fn a_start_lost_between_router_and_session_is_delivered_again() {
        let mut core = Core::default();
        core.handle_event(Event::Boot(CoreConfig::default()), 0);
        let router = &mut core.machines.router;
        router.step(
            &RouterInput::OpenLink {
                url: "https://meet.switchboard.example/meet/abc".into(),
            },
            0,
        );
        let repairs = core.machines.reconcile();
        assert!(matches!(
            repairs[..],
            [(
                Target::Session(1),
                Input::Session(SessionInput::Start { .. })
            )]
        ));
        for (target, input) in repairs {
            core.deliver(target, input, 0);
        }
        assert!(matches!(
            core.machines.ui.current(),
            UiState::Joining { .. }
        ));
        assert!(core.machines.reconcile().is_empty());
    }
}
