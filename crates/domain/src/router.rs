//! The router machine: meeting links and join requests, which attempt is current, switching
//! between calls, retry, and the SDKs to initialise (rule 9).
use serde::{Deserialize, Serialize};

use crate::command::{Command, Notice};
use crate::ids::{AttemptId, SessionId};
use crate::input::{RouterInput, SessionInput};
use crate::link::{validate_link, LinkRejection};
use crate::machine::Machine;
use crate::settings::{CoreConfig, IntegrationMode};
use crate::ui::EndReason;

/// The attempt the router last started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Current {
    /// The attempt.
    pub attempt: AttemptId,
    /// Its session.
    pub session_id: SessionId,
    /// Set once the attempt ended.
    pub ended: Option<EndReason>,
}

/// State of the router.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Router {
    config: CoreConfig,
    last_attempt: AttemptId,
    current: Option<Current>,
    pending_switch: Option<SessionId>,
    switch_accepted: bool,
    view_visible: bool,
}

impl Router {
    /// The attempt last started, if any.
    pub fn current(&self) -> Option<&Current> {
        self.current.as_ref()
    }

    /// The attempt whose call is not over yet, if any.
    pub fn live_attempt(&self) -> Option<AttemptId> {
        self.current
            .as_ref()
            .filter(|c| c.ended.is_none())
            .map(|c| c.attempt)
    }

    /// Whether the shell last reported the call view on screen, whatever the attempt (an ended
    /// call whose view is still up is a stranded view).
    pub fn view_visible(&self) -> bool {
        self.view_visible
    }

    /// The configuration from the last boot.
    pub fn config(&self) -> &CoreConfig {
        &self.config
    }

    fn start_attempt(&mut self, session_id: SessionId) -> Vec<Command> {
        self.last_attempt += 1;
        let attempt = self.last_attempt;
        self.current = Some(Current {
            attempt,
            session_id: session_id.clone(),
            ended: None,
        });
        vec![Command::StartAttempt {
            attempt,
            session_id,
            settings: self.config.settings.clone(),
            join_timeout_ms: self.config.join_timeout_ms,
            leave_ack_timeout_ms: self.config.leave_ack_timeout_ms,
        }]
    }

    fn request(&mut self, id: Result<SessionId, LinkRejection>) -> Vec<Command> {
        let id = match id {
            Ok(id) => id,
            Err(reason) => return vec![Command::Notify(Notice::LinkRejected { reason })],
        };
        match (&self.current, self.live_attempt()) {
            // A link for the call we are in, or joining: nothing to do.
            (Some(c), Some(_)) if c.session_id == id => Vec::new(),
            (Some(_), Some(_)) => {
                if self.pending_switch.as_ref() == Some(&id) {
                    return Vec::new();
                }
                if self.switch_accepted {
                    // The user already chose to leave this call: the newest link is the one to
                    // join once it has ended.
                    self.pending_switch = Some(id);
                    return Vec::new();
                }
                self.pending_switch = Some(id.clone());
                self.switch_accepted = false;
                vec![Command::Notify(Notice::SwitchOffered { to: id })]
            }
            _ => self.start_attempt(id),
        }
    }

    fn answer_switch(&mut self, accept: bool) -> Vec<Command> {
        if self.pending_switch.is_none() || self.switch_accepted {
            return Vec::new();
        }
        let Some(attempt) = self.live_attempt() else {
            let id = self.pending_switch.take().expect("checked above");
            return if accept {
                self.start_attempt(id)
            } else {
                vec![Command::Notify(Notice::SwitchCleared)]
            };
        };
        if accept {
            self.switch_accepted = true;
            vec![Command::Forward {
                attempt,
                input: SessionInput::Leave,
            }]
        } else {
            self.pending_switch = None;
            vec![Command::Notify(Notice::SwitchCleared)]
        }
    }

    fn attempt_ended(&mut self, attempt: AttemptId, reason: &EndReason) -> Vec<Command> {
        match &mut self.current {
            Some(c) if c.attempt == attempt && c.ended.is_none() => {
                c.ended = Some(reason.clone());
            }
            _ => return Vec::new(),
        }
        // A switch the user accepted in a process that has since died is not carried out by the
        // next one on its own: that process shows the relaunch notice instead (rule 10).
        if self.switch_accepted && *reason != EndReason::AppTerminated {
            self.switch_accepted = false;
            if let Some(id) = self.pending_switch.take() {
                return self.start_attempt(id);
            }
        }
        self.switch_accepted = false;
        if self.pending_switch.take().is_some() {
            return vec![Command::Notify(Notice::SwitchCleared)];
        }
        Vec::new()
    }

    fn retry(&mut self) -> Vec<Command> {
        match &self.current {
            Some(Current {
                session_id,
                ended: Some(reason),
                ..
            }) if reason.can_retry() => {
                let id = session_id.clone();
                self.start_attempt(id)
            }
            _ => Vec::new(),
        }
    }
}

impl Machine for Router {
    type Input = RouterInput;

    fn step(&mut self, input: &RouterInput, _at_ms: u64) -> Vec<Command> {
        match input {
            RouterInput::Boot(config) => {
                self.config = config.clone();
                // A new process starts with no call view on screen: the old one's died with it,
                // and so did any switch between calls it was offering or about to make.
                self.view_visible = false;
                self.pending_switch = None;
                self.switch_accepted = false;
                let mut out = vec![Command::InitCallsSdk];
                if config.mode == IntegrationMode::Additive {
                    out.push(Command::InitChatSdk);
                }
                out
            }
            RouterInput::OpenLink { url } => {
                let id = validate_link(url, &self.config.allowed_hosts);
                self.request(id)
            }
            RouterInput::Join { session_id } => self.request(SessionId::parse(session_id)),
            RouterInput::AnswerSwitch { accept } => self.answer_switch(*accept),
            RouterInput::Retry => self.retry(),
            RouterInput::Dismiss => {
                if self.live_attempt().is_some() {
                    return Vec::new();
                }
                self.pending_switch = None;
                vec![Command::Notify(Notice::Dismissed)]
            }
            RouterInput::ForCurrent(input) => {
                match input {
                    SessionInput::ViewAppeared => self.view_visible = true,
                    SessionInput::ViewDisappeared => self.view_visible = false,
                    _ => {}
                }
                match self.live_attempt() {
                    Some(attempt) => vec![Command::Forward {
                        attempt,
                        input: input.clone(),
                    }],
                    None => Vec::new(),
                }
            }
            RouterInput::AttemptEnded { attempt, reason } => self.attempt_ended(*attempt, reason),
            RouterInput::StaleSdkEvent { .. } | RouterInput::Incident(_) => Vec::new(),
        }
    }
}
