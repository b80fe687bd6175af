//! The messages the actors take, each in an [`Envelope`] with its in-flight guard, which ends
//! the count however the handling ends. Every actor's inputs are the domain's (`RouterInput`,
//! `SessionInput`, `AudioInput`, `UiInput`); the router's also carry outside events to route and
//! inputs on their way to a session actor.
use switchboard_domain::{AttemptId, AudioInput, Event, RouterInput, SessionInput, UiInput};

use crate::tracker::InFlight;

/// A message on its way to an actor, with the guard that counts it as in flight. `None` is the
/// simulator's hook that makes the receiving actor panic (only `sim-hooks` builds make one).
#[derive(Debug)]
pub struct Envelope<M> {
    /// Taken by the handler; the guard stays in the envelope until the handling ends.
    pub(crate) msg: Option<M>,
    _in_flight: InFlight,
}

impl<M> Envelope<M> {
    pub(crate) fn new(msg: M, in_flight: InFlight) -> Self {
        Envelope {
            msg: Some(msg),
            _in_flight: in_flight,
        }
    }

    #[cfg(feature = "sim-hooks")]
    pub(crate) fn panic(in_flight: InFlight) -> Self {
        Envelope {
            msg: None,
            _in_flight: in_flight,
        }
    }
}

/// Messages to the router actor.
#[derive(Debug)]
pub enum RouterMsg {
    /// An event from the outside world, to be routed.
    Event(Event),
    /// An input for the router machine itself.
    Input(RouterInput),
    /// An input for the session of an attempt (spawned on `Start`).
    ToSession(AttemptId, SessionInput),
    /// Test and simulator hook: make the session actor of an attempt panic.
    #[cfg(feature = "sim-hooks")]
    PanicSession(AttemptId),
}

/// Messages to a session actor.
#[derive(Debug)]
pub enum SessionMsg {
    /// An input for the session machine.
    Input(SessionInput),
    /// Panic (test and simulator hook for supervision).
    #[cfg(feature = "sim-hooks")]
    Panic,
}

/// A message to the audio actor.
#[derive(Debug)]
pub struct AudioMsg(pub AudioInput);

/// A message to the UI-bridge actor.
#[derive(Debug)]
pub struct UiMsg(pub UiInput);
