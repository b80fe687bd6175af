//! [`Core`]: the four machines wired together in one thread, delivering every message between
//! machines in FIFO order with [`Message::deliveries`](crate::message::Message::deliveries). The actor runtime does the same across
//! actors; this one is for property tests, the simulator's reference model and documentation.
use std::collections::VecDeque;

use crate::command::Command;

use crate::message::Target;

use crate::effect::Port;
use crate::ids::ActorName;
use crate::incident::Incident;
use crate::input::{AudioInput, Event, Input, RouterInput, SdkButton, SdkEvent, SessionInput};
use crate::machines::Machines;
use crate::settings::AudioMode;

/// One machine step: who, what came in, what it decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The actor.
    pub actor: ActorName,
    /// Its input.
    pub input: Input,
    /// Its commands.
    pub commands: Vec<Command>,
}

/// Upper bound on machine steps caused by one event; a loop between machines is a bug.
pub const STEPS_PER_EVENT_MAX: usize = 256;

impl Event {
    /// Where an outside event goes first. SDK callbacks go to their attempt's session while it is
    /// live, and to the router (recorded and ignored) otherwise.
    pub fn route(self, session_live: impl Fn(u64) -> bool) -> (Target, Input) {
        let router = |i| (Target::Router, Input::Router(i));
        let current = |i| router(RouterInput::ForCurrent(i));
        match self {
            Event::Boot(c) => router(RouterInput::Boot(c)),
            Event::OpenLink { url } => router(RouterInput::OpenLink { url }),
            Event::Join { session_id } => router(RouterInput::Join { session_id }),
            Event::AnswerSwitch { accept } => router(RouterInput::AnswerSwitch { accept }),
            Event::Retry => router(RouterInput::Retry),
            Event::Dismiss => router(RouterInput::Dismiss),
            Event::Leave => current(SessionInput::Leave),
            Event::ToggleMic => current(SessionInput::ToggleMic),
            Event::ToggleCamera => current(SessionInput::ToggleCamera),
            Event::ViewAppeared => current(SessionInput::ViewAppeared),
            Event::ViewDisappeared => current(SessionInput::ViewDisappeared),
            // The share-invite button asks for the meeting link, which the router builds.
            Event::Sdk {
                attempt,
                event:
                    SdkEvent::ButtonClicked {
                        button: SdkButton::ShareInvite,
                    },
            } => router(RouterInput::ShareInvite { attempt }),
            Event::Sdk { attempt, event } if session_live(attempt) => (
                Target::Session(attempt),
                Input::Session(SessionInput::Sdk(event)),
            ),
            Event::Sdk { attempt, event } => router(RouterInput::StaleSdkEvent { attempt, event }),
            Event::SelectAudioRoute { speaker } => current(SessionInput::SelectAudioMode {
                mode: if speaker {
                    AudioMode::Speaker
                } else {
                    AudioMode::Earpiece
                },
            }),
            Event::Audio(e) => (Target::Audio, Input::Audio(AudioInput::Event(e))),
            Event::App(s) => (Target::Audio, Input::Audio(AudioInput::App(s))),
            // The audio machine reacts to its own failed commands (rule 13); the router records
            // every other incident.
            Event::Incident(Incident::PortFailed { command, message })
                if command.port() == Port::Audio =>
            {
                (
                    Target::Audio,
                    Input::Audio(AudioInput::PortFailed { command, message }),
                )
            }
            Event::Incident(i) => router(RouterInput::Incident(i)),
            Event::Launch(l) => router(RouterInput::Launch(l)),
            Event::Setup(e) => router(RouterInput::Setup(e)),
            Event::Permission { media, status } => {
                router(RouterInput::Permission { media, status })
            }
            Event::NewMeeting { session_id } => router(RouterInput::NewMeeting { session_id }),
            Event::OpenSettings => router(RouterInput::OpenSettings),
        }
    }
}

impl Target {
    /// The actor name of a target.
    pub fn actor(self) -> ActorName {
        match self {
            Target::Router => ActorName::Router,
            Target::Session(a) => ActorName::Session(a),
            Target::Audio => ActorName::Audio,
            Target::Ui => ActorName::Ui,
        }
    }
}

/// All machines of one call core, stepped synchronously.
#[derive(Clone, Debug, Default)]
pub struct Core {
    /// The machines.
    pub machines: Machines,
}

impl Core {
    /// Whether an SDK callback for `attempt` goes to its session (the router's one liveness rule,
    /// [`crate::router::Router::routes_callbacks_to`], which the runtime uses too).
    pub fn session_live(&self, attempt: u64) -> bool {
        let exists = self.machines.sessions.contains_key(&attempt);
        self.machines.router.routes_callbacks_to(attempt, exists)
    }

    /// Handles one outside event and everything it causes, returning every step in order.
    pub fn handle_event(&mut self, event: Event, at_ms: u64) -> Vec<Step> {
        let (target, input) = event.route(|a| self.session_live(a));
        self.deliver(target, input, at_ms)
    }

    /// Delivers an input to a machine and runs every delivery it causes, FIFO.
    pub fn deliver(&mut self, target: Target, input: Input, at_ms: u64) -> Vec<Step> {
        let mut queue = VecDeque::from([(target, input)]);
        let mut steps = Vec::new();
        while let Some((target, input)) = queue.pop_front() {
            assert!(
                steps.len() < STEPS_PER_EVENT_MAX,
                "more than {STEPS_PER_EVENT_MAX} steps for one event: a delivery loop"
            );
            let actor = target.actor();
            let commands = self
                .machines
                .step(actor, &input, at_ms)
                .expect("deliveries always match their target");
            for c in &commands {
                match c {
                    Command::Message(m) => queue.extend(m.deliveries()),
                    // Effects are for the ports: nothing here performs them.
                    Command::Effect(_) => {}
                }
            }
            steps.push(Step {
                actor,
                input,
                commands,
            });
        }
        steps
    }
}
