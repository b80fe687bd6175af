//! The simulated world around the core: a virtual clock, and fakes of the Calls SDK, the audio
//! session and the shell that react to what the core asks of them by scheduling callbacks, as
//! the real ones would, subject to the seed's fault plan. Scheduled callbacks wait in one queue
//! ordered by virtual due time; the simulator's driver delivers them.
//!
//! The fakes' own randomness is keyed by what they react to (the SDK's by attempt, the audio
//! session's by activation, the shell's by render), so cutting an action out of a trace changes
//! little else: that is what lets the shrinker work.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use switchboard_domain::command::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{
    AttemptId, AudioEvent, AudioMode, AudioPort, Authorization, CoreConfig, InterruptionReason,
    JoinErrorCode, MediaKind, RouteChangeReason, SdkEvent, SessionId, SessionSettings, SetupEvent,
    UiState,
};
use switchboard_runtime::{AudioSession, CallsSdk, Clock, PortResult, Ports, UiSink};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::check::Effect;
use crate::faults::FaultPlan;
use crate::invariant::{Invariant, Violation};
use crate::journal::EffectLedger;
use crate::rng::{derive, Seeds, SimRng};

/// Milliseconds since the Unix epoch at which every run starts (a fixed date, so journals of the
/// same seed are identical and timelines look like real ones).
pub const EPOCH_MS: u64 = 1_767_225_600_000;

/// The virtual clock: tokio's paused clock, counted from the start of the run.
#[derive(Debug)]
pub struct SimClock {
    origin: Instant,
}

impl SimClock {
    /// A clock reading [`EPOCH_MS`] now. Must be made inside the run's tokio runtime.
    pub fn start() -> Self {
        SimClock {
            origin: Instant::now(),
        }
    }

    /// Virtual milliseconds since the run started.
    pub fn elapsed_ms(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64
    }

    /// The tokio instant of a virtual time.
    pub fn instant(&self, elapsed_ms: u64) -> Instant {
        self.origin + std::time::Duration::from_millis(elapsed_ms)
    }
}

impl Clock for SimClock {
    fn now_ms(&self) -> u64 {
        EPOCH_MS + self.elapsed_ms()
    }
}

/// Something the world will tell the core.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Due {
    /// An SDK callback. `leak` lets it through even after the SDK session closed (a stale
    /// callback, a duplicate, a second terminal callback).
    Sdk {
        /// The attempt the adapter stamps.
        attempt: AttemptId,
        /// The callback.
        event: SdkEvent,
        /// Delivered even after the SDK session closed.
        leak: bool,
    },
    /// An `AVAudioSession` notification.
    Audio(AudioEvent),
    /// The shell reports the Calls SDK's init or login result.
    Setup(SetupEvent),
    /// The shell reports a permission answer.
    Permission {
        /// Which device.
        media: MediaKind,
        /// The answer.
        status: Authorization,
    },
    /// The call view appears or goes away. `navigation` marks the return of a navigation, which
    /// only happens while the UI still wants the view.
    View {
        /// Appeared (true) or went away.
        appeared: bool,
        /// The end of a navigation away.
        navigation: bool,
    },
}

/// The SDK's side of one attempt.
#[derive(Debug)]
struct SdkSession {
    rng: SimRng,
    /// When the SDK considers the session over (its first terminal callback), if scheduled.
    closed_at: Option<u64>,
    /// Due time of the last callback scheduled, for reordering.
    last_due: u64,
    /// The SDK's own mute state.
    muted: bool,
}

/// Counters for the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorldStats {
    /// SDK callbacks scheduled.
    pub sdk_callbacks: u64,
    /// Callbacks dropped by the fault plan.
    pub dropped: u64,
    /// Callbacks duplicated.
    pub duplicated: u64,
    /// Callbacks held back.
    pub delayed: u64,
    /// Callbacks moved before the previous one.
    pub reordered: u64,
    /// Callbacks discarded because their SDK session had closed.
    pub after_close: u64,
    /// Audio notifications scheduled.
    pub audio_events: u64,
    /// Renders the shell received.
    pub renders: u64,
}

impl WorldStats {
    /// Adds another run's counters.
    pub fn add(&mut self, o: &WorldStats) {
        self.sdk_callbacks += o.sdk_callbacks;
        self.dropped += o.dropped;
        self.duplicated += o.duplicated;
        self.delayed += o.delayed;
        self.reordered += o.reordered;
        self.after_close += o.after_close;
        self.audio_events += o.audio_events;
        self.renders += o.renders;
    }
}

#[derive(Debug)]
struct State {
    queue: BTreeMap<(u64, u64), Due>,
    queued: u64,
    sessions: BTreeMap<AttemptId, SdkSession>,
    audio_active: bool,
    audio_activations: u64,
    /// The UI last asked for the call view.
    view_wanted: bool,
    /// The call view is on screen (as last reported to the core).
    view_visible: bool,
    view_last_due: u64,
    last_render: Option<UiState>,
    calls: BTreeMap<Effect, u64>,
    violations: Vec<Violation>,
    stats: WorldStats,
}

/// The world of one run. Implements the runtime's ports.
pub struct World {
    state: Mutex<State>,
    /// Woken whenever something is scheduled, so the driver never sleeps past it.
    pub scheduled: Notify,
    clock: Arc<SimClock>,
    plan: FaultPlan,
    seeds: Seeds,
    idle_timeout_ms: u64,
    ledger: Arc<EffectLedger>,
}

impl World {
    /// A quiet world; `ledger` says what the journal holds when an effect happens.
    pub fn new(
        clock: Arc<SimClock>,
        plan: FaultPlan,
        seeds: Seeds,
        core: &CoreConfig,
        ledger: Arc<EffectLedger>,
    ) -> World {
        World {
            state: Mutex::new(State {
                queue: BTreeMap::new(),
                queued: 0,
                sessions: BTreeMap::new(),
                audio_active: false,
                audio_activations: 0,
                view_wanted: false,
                view_visible: false,
                view_last_due: 0,
                last_render: None,
                calls: BTreeMap::new(),
                violations: Vec::new(),
                stats: WorldStats::default(),
            }),
            scheduled: Notify::new(),
            clock,
            plan,
            seeds,
            idle_timeout_ms: u64::from(core.settings.idle_timeout_s) * 1000,
            ledger,
        }
    }

    /// The app's process died (a crash, jetsam, a force-quit): everything that lived in it dies
    /// with it. The SDK's sessions and every callback they had queued, the audio session, the
    /// audio notifications on their way, and the shell's call view (a relaunched app starts
    /// with no call on screen). Counters and violations found so far stay.
    pub fn process_died(&self) {
        let mut s = self.lock();
        let s = &mut *s;
        s.stats.after_close += s.queue.len() as u64;
        s.queue.clear();
        s.sessions.clear();
        s.audio_active = false;
        s.view_wanted = false;
        s.view_visible = false;
        s.last_render = None;
    }

    /// The runtime's ports, all backed by this world.
    pub fn ports(self: &Arc<Self>) -> Ports {
        Ports {
            sdk: self.clone(),
            audio: self.clone(),
            ui: self.clone(),
            clock: self.clock.clone(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> u64 {
        self.clock.elapsed_ms()
    }

    fn push(&self, s: &mut State, due_ms: u64, due: Due) {
        let key = (due_ms, s.queued);
        s.queued += 1;
        s.queue.insert(key, due);
        self.scheduled.notify_waiters();
    }

    /// The due time of the next scheduled item.
    pub fn next_due(&self) -> Option<u64> {
        self.lock().queue.keys().next().map(|(due, _)| *due)
    }

    /// Removes every item due at `due_ms`, in the order they were scheduled.
    pub fn take_due(&self, due_ms: u64) -> Vec<Due> {
        let mut s = self.lock();
        let keys: Vec<(u64, u64)> = s
            .queue
            .range((due_ms, 0)..=(due_ms, u64::MAX))
            .map(|(k, _)| *k)
            .collect();
        keys.iter().filter_map(|k| s.queue.remove(k)).collect()
    }

    /// Removes the items due at `due_ms` when none of them is a view report (which must not
    /// race with anything); otherwise takes nothing.
    pub fn take_due_callbacks(&self, due_ms: u64) -> Option<Vec<Due>> {
        let views = {
            let s = self.lock();
            s.queue
                .range((due_ms, 0)..=(due_ms, u64::MAX))
                .any(|(_, d)| matches!(d, Due::View { .. }))
        };
        (!views).then(|| self.take_due(due_ms))
    }

    /// Whether the queue is empty.
    pub fn quiet(&self) -> bool {
        self.lock().queue.is_empty()
    }

    /// Port calls so far, by effect.
    pub fn calls(&self) -> BTreeMap<Effect, u64> {
        self.lock().calls.clone()
    }

    /// Renders so far.
    pub fn renders(&self) -> u64 {
        self.lock().stats.renders
    }

    /// Violations the fakes saw (a join without a view, a category without the microphone).
    pub fn take_violations(&self) -> Vec<Violation> {
        std::mem::take(&mut self.lock().violations)
    }

    /// Counters.
    pub fn stats(&self) -> WorldStats {
        self.lock().stats
    }

    /// The last `UiState` the shell was given.
    pub fn last_render(&self) -> Option<UiState> {
        self.lock().last_render.clone()
    }

    /// Whether the audio session is active.
    pub fn audio_active(&self) -> bool {
        self.lock().audio_active
    }

    /// Counts a port call, and checks that the journal already holds its command (persist
    /// before effect).
    fn call(&self, s: &mut State, effect: Effect) {
        let calls = s.calls.entry(effect).or_default();
        *calls += 1;
        let journaled = self.ledger.journaled(effect);
        if *calls > journaled {
            let why = format!(
                "{effect:?} performed for the {} time while the journal holds it {journaled} time(s)",
                *calls
            );
            s.violations
                .push(Violation::world(Invariant::EffectJournaled, why));
        }
    }

    // ---- delivery, asked by the driver ----

    /// Whether an SDK callback due at `due_ms` should still be delivered: not when its SDK
    /// session closed before (unless it leaks).
    pub fn sdk_deliverable(&self, attempt: AttemptId, due_ms: u64, leak: bool) -> bool {
        let mut s = self.lock();
        let closed_before = s
            .sessions
            .get(&attempt)
            .and_then(|x| x.closed_at)
            .is_some_and(|c| c < due_ms);
        if closed_before && !leak {
            s.stats.after_close += 1;
            return false;
        }
        true
    }

    /// The view change to report, if a scheduled one still changes anything.
    pub fn view_change(&self, appeared: bool, navigation: bool) -> Option<bool> {
        let mut s = self.lock();
        if appeared == s.view_visible || (navigation && !s.view_wanted) {
            return None;
        }
        s.view_visible = appeared;
        Some(appeared)
    }

    /// Navigation away: the view goes now (if shown) and comes back later.
    pub fn navigate(&self, back_ms: u64) -> bool {
        let mut s = self.lock();
        if !s.view_visible {
            return false;
        }
        s.view_visible = false;
        let due = self.now() + back_ms;
        self.push(
            &mut s,
            due,
            Due::View {
                appeared: true,
                navigation: true,
            },
        );
        true
    }

    /// Whether the view is on screen.
    pub fn view_visible(&self) -> bool {
        self.lock().view_visible
    }

    /// The SDK session the SDK's own buttons act on: the newest one still open.
    pub fn sdk_current(&self) -> Option<AttemptId> {
        let now = self.now();
        let s = self.lock();
        s.sessions
            .iter()
            .rev()
            .find(|(_, x)| x.closed_at.is_none_or(|c| c > now))
            .map(|(a, _)| *a)
    }

    /// The SDK's mute button: flips the SDK's mute state and returns the callback it makes.
    pub fn sdk_mute_button(&self, attempt: AttemptId) -> Option<SdkEvent> {
        let mut s = self.lock();
        let session = s.sessions.get_mut(&attempt)?;
        session.muted = !session.muted;
        Some(SdkEvent::LocalAudioMuted {
            muted: session.muted,
        })
    }

    // ---- the SDK ----

    /// Schedules an SDK callback through the fault plan: dropped, held back, moved before the
    /// previous one, duplicated. A terminal callback closes the SDK session at its due time,
    /// even when it is dropped.
    fn emit(&self, s: &mut State, attempt: AttemptId, delay_ms: u64, event: SdkEvent, leak: bool) {
        let now = self.now();
        let plan = &self.plan;
        let Some(session) = s.sessions.get_mut(&attempt) else {
            return;
        };
        let rng = &mut session.rng;
        let mut due = now + delay_ms;
        let mut counts = (false, false, false, false);
        if rng.chance(plan.delay) {
            due += rng.range(1_000, 20_000);
            counts.0 = true;
        }
        if rng.chance(plan.reorder) && session.last_due > now {
            due = (session.last_due - 1).max(now);
            counts.1 = true;
        }
        session.last_due = session.last_due.max(due);
        if event.is_terminal() {
            session.closed_at = Some(session.closed_at.map_or(due, |c| c.min(due)));
        }
        let leak = leak || rng.chance(plan.stale_leak);
        let dropped = rng.chance(plan.drop);
        let duplicate = rng
            .chance(plan.duplicate)
            .then(|| due + rng.range(0, 3_000));
        counts.2 = dropped;
        counts.3 = duplicate.is_some();
        s.stats.sdk_callbacks += 1;
        s.stats.delayed += u64::from(counts.0);
        s.stats.reordered += u64::from(counts.1);
        s.stats.dropped += u64::from(counts.2);
        s.stats.duplicated += u64::from(counts.3);
        if !dropped {
            self.push(
                s,
                due,
                Due::Sdk {
                    attempt,
                    event: event.clone(),
                    leak,
                },
            );
        }
        if let Some(again) = duplicate {
            self.push(
                s,
                again,
                Due::Sdk {
                    attempt,
                    event,
                    leak: true,
                },
            );
        }
    }

    fn join_outcome(&self, s: &mut State, attempt: AttemptId) {
        let plan = &self.plan;
        let rng = &mut s.sessions.get_mut(&attempt).expect("just created").rng;
        let d = rng.range(200, 2_500);
        if rng.chance(plan.join_hang) {
            return;
        }
        if rng.chance(plan.join_error) {
            let code = rng
                .pick(&[
                    JoinErrorCode::AuthToken,
                    JoinErrorCode::SessionId,
                    JoinErrorCode::Api,
                    JoinErrorCode::Other {
                        code: "ERR_TOO_MANY_PARTICIPANTS".to_owned(),
                    },
                ])
                .clone();
            let message = format!("{} (simulated)", code.sdk_name());
            self.emit(s, attempt, d, SdkEvent::JoinFailed { code, message }, false);
            let session = s.sessions.get_mut(&attempt).expect("exists");
            session.closed_at = Some(self.now() + d);
            return;
        }
        let spurious = rng.chance(plan.spurious_init);
        let success_first = rng.coin();
        let gap = rng.range(0, 400);
        let participants = rng.range(2, 6) as u32;
        let roster_ms = d + rng.range(100, 1_500);
        if spurious {
            let init = SdkEvent::JoinFailed {
                code: JoinErrorCode::Init,
                message: "INIT ERROR".to_owned(),
            };
            self.emit(s, attempt, d / 2, init, false);
        }
        let (first, second) = if success_first {
            (SdkEvent::JoinSucceeded, SdkEvent::SessionJoined)
        } else {
            (SdkEvent::SessionJoined, SdkEvent::JoinSucceeded)
        };
        self.emit(s, attempt, d, first, false);
        self.emit(s, attempt, d + gap, second, false);
        let count = SdkEvent::ParticipantCountChanged {
            count: participants,
        };
        self.emit(s, attempt, roster_ms, count, false);
        self.call_life(s, attempt, d);
    }

    /// What happens to a joined call on its own: connection drops, a close, a remote end, the
    /// idle timeout. Scheduled at join; whatever comes after the SDK session closed is dropped.
    fn call_life(&self, s: &mut State, attempt: AttemptId, joined_ms: u64) {
        let plan = self.plan.clone();
        let mut plans: Vec<(u64, SdkEvent, bool)> = Vec::new();
        {
            let rng = &mut s.sessions.get_mut(&attempt).expect("exists").rng;
            if rng.chance(plan.connection_flap) {
                let mut t = joined_ms;
                for _ in 0..rng.range(1, 3) {
                    t += rng.range(5_000, 120_000);
                    plans.push((t, SdkEvent::ConnectionLost, false));
                    t += rng.range(500, 20_000);
                    plans.push((t, SdkEvent::ConnectionRestored, false));
                }
            }
            if rng.chance(plan.connection_close) {
                let t = joined_ms + rng.range(10_000, 600_000);
                plans.push((t, SdkEvent::ConnectionLost, false));
                plans.push((
                    t + rng.range(1_000, 30_000),
                    SdkEvent::ConnectionClosed,
                    false,
                ));
            }
            if rng.chance(plan.remote_end) {
                let t = joined_ms + rng.range(20_000, 900_000);
                plans.push((t, SdkEvent::SessionLeft, false));
                if rng.chance(plan.double_terminal) {
                    plans.push((t + rng.range(0, 500), SdkEvent::ConnectionClosed, true));
                }
            }
            if rng.chance(plan.idle_timeout) {
                let alone = joined_ms + rng.range(30_000, 600_000);
                plans.push((alone, SdkEvent::ParticipantCountChanged { count: 1 }, false));
                let t = alone + self.idle_timeout_ms;
                plans.push((t, SdkEvent::SessionTimedOut, false));
                if rng.chance(plan.double_terminal) {
                    plans.push((t + rng.range(0, 500), SdkEvent::ConnectionClosed, true));
                }
            }
        }
        for (t, event, leak) in plans {
            self.emit(s, attempt, t, event, leak);
        }
    }

    fn sdk_reply(&self, attempt: AttemptId, delay: (u64, u64), event: SdkEvent) {
        let mut s = self.lock();
        let now = self.now();
        let Some(session) = s.sessions.get_mut(&attempt) else {
            return;
        };
        if session.closed_at.is_some_and(|c| c <= now) {
            return;
        }
        let d = session.rng.range(delay.0, delay.1);
        self.emit(&mut s, attempt, d, event, false);
    }

    // ---- the audio session ----

    fn push_audio(&self, s: &mut State, due_ms: u64, event: AudioEvent) {
        s.stats.audio_events += 1;
        self.push(s, due_ms, Due::Audio(event));
    }

    /// What the system does to the audio session during a call: interruptions, route changes,
    /// a media-services reset.
    fn audio_life(&self, s: &mut State) {
        let plan = &self.plan;
        let mut rng = SimRng::new(derive(self.seeds.audio, s.audio_activations));
        let now = self.now();
        let mut events = Vec::new();
        if rng.chance(plan.interruption) {
            let t = now + rng.range(5_000, 300_000);
            let reason = *rng.pick(&[
                InterruptionReason::Default,
                InterruptionReason::AppWasSuspended,
                InterruptionReason::BuiltInMicMuted,
                InterruptionReason::RouteDisconnected,
                InterruptionReason::SceneWasBackgrounded,
            ]);
            events.push((t, AudioEvent::InterruptionBegan { reason }));
            let should_resume = rng.chance(700);
            events.push((
                t + rng.range(2_000, 120_000),
                AudioEvent::InterruptionEnded { should_resume },
            ));
        }
        if rng.chance(plan.route_change) {
            let t = now + rng.range(3_000, 300_000);
            let output = *rng.pick(&[
                AudioPort::BluetoothHfp,
                AudioPort::Headphones,
                AudioPort::CarAudio,
                AudioPort::BluetoothA2dp,
            ]);
            let reason = RouteChangeReason::NewDeviceAvailable;
            events.push((t, AudioEvent::RouteChanged { reason, output }));
            if rng.coin() {
                let reason = RouteChangeReason::OldDeviceUnavailable;
                let output = AudioPort::Receiver;
                events.push((
                    t + rng.range(10_000, 300_000),
                    AudioEvent::RouteChanged { reason, output },
                ));
            }
        }
        if rng.chance(plan.media_reset) {
            events.push((
                now + rng.range(5_000, 400_000),
                AudioEvent::MediaServicesReset,
            ));
        }
        for (t, e) in events {
            self.push_audio(s, t, e);
        }
    }
}

impl CallsSdk for World {
    fn init_calls(&self) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::InitCalls);
        let due = self.now() + 50;
        self.push(
            &mut s,
            due,
            Due::Setup(SetupEvent::InitSucceeded { logged_in: true }),
        );
        Ok(())
    }

    fn login(&self) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::Login);
        let due = self.now() + 50;
        self.push(&mut s, due, Due::Setup(SetupEvent::LoginSucceeded));
        Ok(())
    }

    fn init_chat(&self) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::InitChat);
        Ok(())
    }

    fn register_listeners(&self, attempt: AttemptId) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::RegisterListeners(attempt));
        Ok(())
    }

    fn join_session(
        &self,
        attempt: AttemptId,
        _: &SessionId,
        settings: &SessionSettings,
    ) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::Join(attempt));
        if !s.view_visible {
            let why =
                format!("joinSession for attempt {attempt} while the call view is not on screen");
            s.violations
                .push(Violation::world(Invariant::JoinAfterView, why));
        }
        if s.sessions.contains_key(&attempt) {
            // A second join of the same attempt: the invariants report it; the SDK ignores it.
            return Ok(());
        }
        let session = SdkSession {
            rng: SimRng::new(derive(self.seeds.sdk, attempt)),
            closed_at: None,
            last_due: 0,
            muted: settings.start_audio_muted,
        };
        s.sessions.insert(attempt, session);
        self.join_outcome(&mut s, attempt);
        Ok(())
    }

    fn leave_session(&self, attempt: AttemptId) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::Leave(attempt));
        let now = self.now();
        let plan = &self.plan;
        let Some(session) = s.sessions.get_mut(&attempt) else {
            return Ok(());
        };
        if session.closed_at.is_some_and(|c| c <= now) {
            return Ok(());
        }
        let rng = &mut session.rng;
        if rng.chance(plan.leave_no_ack) {
            session.closed_at = Some(now);
            return Ok(());
        }
        let d = rng.range(100, 1_200);
        let double = rng
            .chance(plan.double_terminal)
            .then(|| d + rng.range(0, 500));
        self.emit(&mut s, attempt, d, SdkEvent::SessionLeft, false);
        if let Some(d2) = double {
            self.emit(&mut s, attempt, d2, SdkEvent::ConnectionClosed, true);
        }
        Ok(())
    }

    fn set_audio_muted(&self, attempt: AttemptId, muted: bool) -> PortResult {
        {
            let mut s = self.lock();
            self.call(&mut s, Effect::AudioMuted(attempt, muted));
            if let Some(session) = s.sessions.get_mut(&attempt) {
                session.muted = muted;
            }
        }
        self.sdk_reply(attempt, (20, 300), SdkEvent::LocalAudioMuted { muted });
        Ok(())
    }

    fn set_video_paused(&self, attempt: AttemptId, paused: bool) -> PortResult {
        {
            let mut s = self.lock();
            self.call(&mut s, Effect::VideoPaused(attempt, paused));
        }
        self.sdk_reply(attempt, (20, 300), SdkEvent::LocalVideoPaused { paused });
        Ok(())
    }

    /// The SDK moves the audio route itself: the system reports the new route (an override)
    /// and the SDK its `onAudioModeChanged`.
    fn set_audio_mode(&self, attempt: AttemptId, mode: AudioMode) -> PortResult {
        {
            let mut s = self.lock();
            self.call(&mut s, Effect::AudioMode(attempt));
            if s.sessions.contains_key(&attempt) {
                let output = match mode {
                    AudioMode::Speaker => AudioPort::Speaker,
                    AudioMode::Earpiece => AudioPort::Receiver,
                    AudioMode::Bluetooth => AudioPort::BluetoothHfp,
                    AudioMode::Headphones => AudioPort::Headphones,
                };
                self.route_override(&mut s, output);
            }
        }
        self.sdk_reply(attempt, (20, 300), SdkEvent::AudioModeChanged { mode });
        Ok(())
    }
}

impl AudioSession for World {
    fn configure(
        &self,
        category: AudioCategory,
        _: AudioSessionMode,
        _: AudioOptions,
    ) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::ConfigureAudio);
        if !category.captures_microphone() {
            let why =
                format!("the audio session was set to {category:?}, which captures no microphone");
            s.violations
                .push(Violation::world(Invariant::MicCategory, why));
        }
        Ok(())
    }

    fn activate(&self) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::ActivateAudio);
        if !s.audio_active {
            s.audio_active = true;
            s.audio_activations += 1;
            self.audio_life(&mut s);
        }
        Ok(())
    }

    fn deactivate(&self, _notify_others: bool) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::DeactivateAudio);
        s.audio_active = false;
        Ok(())
    }

    fn override_output(&self, speaker: bool) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::OverrideOutput(speaker));
        let output = if speaker {
            AudioPort::Speaker
        } else {
            AudioPort::Receiver
        };
        self.route_override(&mut s, output);
        Ok(())
    }
}

impl World {
    /// The system's route-change notification after an output override, a little later.
    fn route_override(&self, s: &mut State, output: AudioPort) {
        let mut rng = SimRng::new(derive(self.seeds.audio, u64::MAX - s.stats.audio_events));
        let due = self.now() + rng.range(10, 80);
        let event = AudioEvent::RouteChanged {
            reason: RouteChangeReason::Override,
            output,
        };
        self.push_audio(s, due, event);
    }
}

impl UiSink for World {
    fn request_permission(&self, media: MediaKind) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::RequestPermission(media));
        let due = self.now() + 500;
        self.push(
            &mut s,
            due,
            Due::Permission {
                media,
                status: Authorization::Authorized,
            },
        );
        Ok(())
    }

    fn open_app_settings(&self) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::OpenAppSettings);
        Ok(())
    }

    fn share_link(&self, _url: &str) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, Effect::ShareLink);
        Ok(())
    }

    /// The shell: shows the call view while the UI wants it, takes it away when it is
    /// dismissed, each after a short, seeded delay; view reports keep their order.
    fn render(&self, state: &UiState) -> PortResult {
        let mut s = self.lock();
        s.stats.renders += 1;
        s.last_render = Some(state.clone());
        let wanted = state.shows_call_view();
        if wanted == s.view_wanted {
            return Ok(());
        }
        s.view_wanted = wanted;
        let mut rng = SimRng::new(derive(self.seeds.timing, s.stats.renders));
        let delay = if wanted {
            rng.range(80, 900)
        } else {
            rng.range(50, 500)
        };
        let due = (self.now() + delay).max(s.view_last_due + 1);
        s.view_last_due = due;
        self.push(
            &mut s,
            due,
            Due::View {
                appeared: wanted,
                navigation: false,
            },
        );
        Ok(())
    }
}
