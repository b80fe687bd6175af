//! The simulated world around the core: a virtual clock, and fakes of the Calls SDK, the audio
//! session and the shell that react to what the core asks of them by scheduling callbacks, as
//! the real ones would, subject to the seed's fault plan. Scheduled callbacks wait in one queue
//! ordered by virtual due time; the simulator's driver delivers them.
//!
//! The fakes' own randomness is keyed by what they react to (the SDK's by attempt, the audio
//! session's by activation, the shell's by render, init and login by their count, a permission
//! prompt by its count), so cutting an action out of a trace changes little else: that is what
//! lets the shrinker work.
//!
//! The phone around the call (DESIGN section 6): the Calls SDK must be initialised in each
//! process, and the user logged in to it (a login survives a relaunch, as the SDK keeps it); a
//! session may clear the SDK's state when it ends, after which every join fails with
//! `INIT ERROR` until the SDK is initialised again; the microphone and camera have an
//! authorisation that survives relaunches, and a prompt the user answers, slowly or not, yes or
//! no. Turning a permission on in Settings ends the app's process, as iOS does.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use switchboard_domain::effect::{AudioCategory, AudioOptions, AudioSessionMode};
use switchboard_domain::{
    AttemptId, AudioEvent, AudioMode, AudioPort, Authorization, CoreConfig, Effect,
    InterruptionReason, JoinErrorCode, MediaKind, Permissions, RouteChangeReason, SdkEvent,
    SessionId, SessionSettings, SetupEvent, UiState,
};
use switchboard_runtime::{AudioSession, CallsSdk, Clock, PortResult, Ports, UiSink};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::check::LedgerKey;
use crate::faults::FaultPlan;
use crate::invariant::{Invariant, Violation};
use crate::journal::EffectLedger;
use crate::rng::{derive, Seeds, SimRng};

/// Milliseconds since the Unix epoch at which every run starts (a fixed date, so journals of the
/// same seed are identical and timelines look like real ones).
pub const EPOCH_MS: u64 = 1_767_225_600_000;

/// Keys of the fakes' random streams that are not keyed by attempt (high bits keep them apart
/// from attempt numbers and render counts).
const INIT_KEY: u64 = 1 << 56;
const LOGIN_KEY: u64 = 2 << 56;
const PROMPT_KEY: u64 = 3 << 56;
const SETTINGS_KEY: u64 = 4 << 56;
const CLEAR_KEY: u64 = 5 << 56;

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
    /// When `leaveSession` was called for it.
    left_at: Option<u64>,
    /// Its end clears the SDK's state (the fault plan's `state_cleared`).
    clears_state: bool,
    /// It reached an SDK that was not ready: it fails with `INIT ERROR` and never joins.
    unusable: bool,
}

impl SdkSession {
    /// When the SDK tore the session down: its first terminal callback, or `leaveSession`.
    fn teardown(&self) -> Option<u64> {
        match (self.closed_at, self.left_at) {
            (Some(c), Some(l)) => Some(c.min(l)),
            (c, l) => c.or(l),
        }
    }
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
    /// Calls SDK inits asked for.
    pub inits: u64,
    /// Of the inits, those that failed.
    pub init_failures: u64,
    /// Of the inits, those that took longer than the join timeout.
    pub slow_inits: u64,
    /// Of the inits, those asked for while an earlier one was still running (its completion
    /// still comes; only the latest makes the SDK ready).
    pub inits_superseded: u64,
    /// Of the inits, those that found nobody logged in.
    pub logins_needed: u64,
    /// Logins asked for.
    pub logins: u64,
    /// Of the logins, those that failed.
    pub login_failures: u64,
    /// Permission prompts shown.
    pub prompts: u64,
    /// Permissions refused: a microphone or camera denied or restricted at a launch, and prompts
    /// the user answered no.
    pub permission_denials: u64,
    /// Sessions whose end cleared the SDK's state.
    pub states_cleared: u64,
    /// Visits to Settings that turned a permission on (and so ended the app's process).
    pub settings_grants: u64,
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
        self.inits += o.inits;
        self.init_failures += o.init_failures;
        self.slow_inits += o.slow_inits;
        self.inits_superseded += o.inits_superseded;
        self.logins_needed += o.logins_needed;
        self.logins += o.logins;
        self.login_failures += o.login_failures;
        self.prompts += o.prompts;
        self.permission_denials += o.permission_denials;
        self.states_cleared += o.states_cleared;
        self.settings_grants += o.settings_grants;
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
    /// What the core was last told about the view (a report the journal refused never reached
    /// it).
    view_reported: bool,
    view_last_due: u64,
    last_render: Option<UiState>,
    calls: BTreeMap<LedgerKey, u64>,
    violations: Vec<Violation>,
    stats: WorldStats,
    /// When the Calls SDK's last successful init completed in this process; `None` before it,
    /// and while an init is under way.
    init_ready: Option<u64>,
    /// The request number of the latest init the core asked for.
    init_latest: u64,
    /// The user is logged in to the Calls SDK (kept across processes).
    logged_in: bool,
    /// The microphone and camera authorisation (kept across processes).
    permissions: Permissions,
    /// The permission prompt on screen for each device: its answer and when it comes.
    prompts: BTreeMap<MediaKind, (u64, Authorization)>,
    /// Visits to Settings so far (keys their draws).
    settings_visits: u64,
    /// A permission was turned on in Settings: iOS ends the app's process.
    settings_kill: bool,
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
    join_timeout_ms: u64,
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
                view_reported: false,
                view_last_due: 0,
                last_render: None,
                calls: BTreeMap::new(),
                violations: Vec::new(),
                stats: WorldStats::default(),
                init_ready: None,
                init_latest: 0,
                logged_in: true,
                permissions: Permissions {
                    microphone: plan.mic_at_launch,
                    camera: plan.camera_at_launch,
                },
                prompts: BTreeMap::new(),
                settings_visits: 0,
                settings_kill: false,
            }),
            scheduled: Notify::new(),
            clock,
            plan,
            seeds,
            idle_timeout_ms: u64::from(core.settings.idle_timeout_s) * 1000,
            join_timeout_ms: core.join_timeout_ms,
            ledger,
        }
    }

    /// The app's process died (a crash, jetsam, a force-quit): everything that lived in it dies
    /// with it. The SDK's sessions and every callback they had queued, the SDK's init (a new
    /// process must initialise it again), the audio session, the audio notifications on their
    /// way, the permission prompts on screen (unanswered), and the shell's call view (a
    /// relaunched app starts with no call on screen). What the phone keeps stays: the user's
    /// login to the SDK, the permissions. Counters and violations found so far stay.
    pub fn process_died(&self) {
        let mut s = self.lock();
        let s = &mut *s;
        s.stats.after_close += s.queue.len() as u64;
        s.queue.clear();
        s.sessions.clear();
        s.init_ready = None;
        s.prompts.clear();
        s.settings_kill = false;
        s.audio_active = false;
        s.view_wanted = false;
        s.view_visible = false;
        s.view_reported = false;
        s.last_render = None;
    }

    /// The core was told that the view appeared or went away (the report was journaled).
    pub fn view_reported(&self, appeared: bool) {
        self.lock().view_reported = appeared;
    }

    /// The permissions a new process reads at launch (`AVCaptureDevice.authorizationStatus`),
    /// counting those refused.
    pub fn launch_permissions(&self) -> Permissions {
        let mut s = self.lock();
        let p = s.permissions;
        let refused = [p.microphone, p.camera]
            .iter()
            .filter(|a| a.refused())
            .count();
        s.stats.permission_denials += refused as u64;
        p
    }

    /// The shell delivered a setup result: the SDK is in that state from now on.
    pub fn setup_delivered(&self, event: &SetupEvent) {
        let mut s = self.lock();
        let now = self.now();
        match event {
            // Only the latest init's completion makes the SDK ready; an earlier one completing
            // late leaves the latest still running.
            SetupEvent::InitSucceeded { request, logged_in } if *request == s.init_latest => {
                s.init_ready = Some(now);
                s.logged_in = *logged_in;
            }
            SetupEvent::InitSucceeded { .. } => {}
            SetupEvent::LoginSucceeded => s.logged_in = true,
            SetupEvent::InitFailed { .. } | SetupEvent::LoginFailed { .. } => {}
        }
    }

    /// The shell delivered the answer to a permission prompt: the phone keeps it.
    pub fn permission_delivered(&self, media: MediaKind, status: Authorization) {
        let mut s = self.lock();
        s.permissions.set(media, status);
        s.prompts.remove(&media);
    }

    /// Whether a permission was turned on in Settings since the last call, which ends the app's
    /// process (iOS does that when a privacy setting changes); clears it.
    pub fn take_settings_kill(&self) -> bool {
        std::mem::take(&mut self.lock().settings_kill)
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
    pub fn calls(&self) -> BTreeMap<LedgerKey, u64> {
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

    /// Counts a port call, as the domain's effect built from its arguments, and checks that the
    /// journal already holds its command (persist before effect).
    fn call(&self, s: &mut State, effect: &Effect) {
        let Some(key) = LedgerKey::of(effect) else {
            return;
        };
        let calls = s.calls.entry(key).or_default();
        *calls += 1;
        let journaled = self.ledger.journaled(key);
        if *calls > journaled {
            let why = format!(
                "{key:?} performed for the {} time while the journal holds it {journaled} time(s)",
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

    /// An SDK callback is being delivered now. One that ends the SDK's session (a terminal
    /// callback, a real join failure) ends it now if it comes early (a racing user action pulls
    /// callbacks forward).
    pub fn sdk_delivered(&self, attempt: AttemptId, event: &SdkEvent) {
        let ends = event.is_terminal()
            || matches!(event, SdkEvent::JoinFailed { code, .. } if *code != JoinErrorCode::Init);
        if !ends {
            return;
        }
        let now = self.now();
        let mut s = self.lock();
        if let Some(session) = s.sessions.get_mut(&attempt) {
            session.closed_at = Some(session.closed_at.map_or(now, |c| c.min(now)));
        }
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
    /// Returns when the callback is due (dropped or not), when its session exists.
    fn emit(
        &self,
        s: &mut State,
        attempt: AttemptId,
        delay_ms: u64,
        event: SdkEvent,
        leak: bool,
    ) -> Option<u64> {
        let now = self.now();
        let plan = &self.plan;
        let session = s.sessions.get_mut(&attempt)?;
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
        Some(due)
    }

    /// Why a join cannot work now, as the invariant it breaks: the SDK not initialised in this
    /// process (or an init under way), nobody logged in, or the SDK's state cleared by a
    /// session that ended after the last init.
    fn unready(&self, s: &State, attempt: AttemptId) -> Option<(Invariant, String)> {
        let now = self.now();
        let Some(ready) = s.init_ready else {
            let why = format!(
                "joinSession for attempt {attempt} reached a Calls SDK that is not initialised \
                 in this process (or is being initialised again)"
            );
            return Some((Invariant::JoinBeforeReady, why));
        };
        if !s.logged_in {
            let why = format!("joinSession for attempt {attempt} while nobody is logged in");
            return Some((Invariant::JoinBeforeReady, why));
        }
        let cleared = s
            .sessions
            .iter()
            .filter(|(a, x)| **a != attempt && x.clears_state)
            .filter_map(|(a, x)| x.teardown().map(|t| (t, *a)))
            .filter(|(t, _)| *t <= now && *t > ready)
            .max();
        cleared.map(|(t, a)| {
            let why = format!(
                "joinSession for attempt {attempt}: attempt {a}'s session cleared the SDK's state \
                 when it ended (at {}), and the SDK was not initialised again since",
                crate::format_ms(t)
            );
            (Invariant::JoinAfterReinit, why)
        })
    }

    /// An SDK that is not ready: `INIT ERROR`, once or a few times, and never a join.
    fn init_errors(&self, s: &mut State, attempt: AttemptId) {
        let rng = &mut s.sessions.get_mut(&attempt).expect("just created").rng;
        let times: Vec<u64> = (0..rng.range(1, 3))
            .map(|_| rng.range(100, self.join_timeout_ms.max(200)))
            .collect();
        for d in times {
            let init = SdkEvent::JoinFailed {
                code: JoinErrorCode::Init,
                message: "INIT ERROR".to_owned(),
            };
            self.emit(s, attempt, d, init, false);
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
            // The SDK is done with the session when it reports the failure (which the fault plan
            // may hold back or move).
            let failed = SdkEvent::JoinFailed { code, message };
            let due = self.emit(s, attempt, d, failed, false);
            let session = s.sessions.get_mut(&attempt).expect("exists");
            session.closed_at = due;
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
    /// `CometChatCalls(callsAppSettings:...)`: the SDK is not usable until it completes; it
    /// completes after a moment, or seconds (now and then longer than the join timeout), or
    /// fails; it may find nobody logged in.
    fn init_calls(&self, request: u64) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, &Effect::init_calls(request));
        let plan = &self.plan;
        let mut rng = SimRng::new(derive(self.seeds.sdk, INIT_KEY + s.stats.inits));
        s.stats.inits += 1;
        s.init_ready = None;
        // An init still running when the core asks again: its completion will still come (the
        // shell reports every completion, naming its request); only the latest makes the SDK
        // ready.
        let running = s.queue.values().any(|d| {
            matches!(
                d,
                Due::Setup(SetupEvent::InitSucceeded { .. } | SetupEvent::InitFailed { .. })
            )
        });
        s.stats.inits_superseded += u64::from(running);
        s.init_latest = request;
        let mut delay = rng.range(50, 400);
        if rng.chance(plan.init_slow) {
            delay = if rng.chance(300) {
                rng.range(
                    self.join_timeout_ms + 1_000,
                    self.join_timeout_ms * 2 + 5_000,
                )
            } else {
                rng.range(1_500, 8_000)
            };
        }
        s.stats.slow_inits += u64::from(delay > self.join_timeout_ms);
        let event = if rng.chance(plan.init_fail) {
            s.stats.init_failures += 1;
            let message = rng.pick(&[
                "Unable to resolve host api-us.cometchat.io (simulated)",
                "The request timed out (simulated)",
                "Invalid App ID or region (simulated)",
            ]);
            SetupEvent::InitFailed {
                request,
                message: (*message).to_owned(),
            }
        } else {
            let logged_out = rng.chance(plan.login_needed);
            s.stats.logins_needed += u64::from(logged_out || !s.logged_in);
            SetupEvent::InitSucceeded {
                request,
                logged_in: s.logged_in && !logged_out,
            }
        };
        let due = self.now() + delay;
        self.push(&mut s, due, Due::Setup(event));
        Ok(())
    }

    /// `CometChatCalls.login(authToken:...)`: after a moment, or seconds; or it fails.
    fn login(&self) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, &Effect::LoginCallsSdk);
        let plan = &self.plan;
        let mut rng = SimRng::new(derive(self.seeds.sdk, LOGIN_KEY + s.stats.logins));
        s.stats.logins += 1;
        let delay = if rng.chance(plan.login_slow) {
            rng.range(2_000, 30_000)
        } else {
            rng.range(100, 800)
        };
        let event = if rng.chance(plan.login_fail) {
            s.stats.login_failures += 1;
            let message = rng.pick(&[
                "ERR_AUTH_TOKEN_NOT_FOUND: the auth token is not valid (simulated)",
                "The token provider could not get a token: offline (simulated)",
            ]);
            SetupEvent::LoginFailed {
                message: (*message).to_owned(),
            }
        } else {
            SetupEvent::LoginSucceeded
        };
        let due = self.now() + delay;
        self.push(&mut s, due, Due::Setup(event));
        Ok(())
    }

    fn init_chat(&self) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, &Effect::InitChatSdk);
        Ok(())
    }

    fn register_listeners(&self, attempt: AttemptId) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, &Effect::RegisterListeners { attempt });
        Ok(())
    }

    fn join_session(
        &self,
        attempt: AttemptId,
        session_id: &SessionId,
        settings: &SessionSettings,
    ) -> PortResult {
        let mut s = self.lock();
        let effect = Effect::JoinSession {
            attempt,
            session_id: session_id.clone(),
            settings: settings.clone(),
        };
        self.call(&mut s, &effect);
        // A join into a view the shell took away breaks rule 7, unless the core never heard that
        // it went away (the report was refused by the journal: the core's view is stale through
        // the fault, not its own doing).
        if !s.view_visible && !s.view_reported {
            let why =
                format!("joinSession for attempt {attempt} while the call view is not on screen");
            s.violations
                .push(Violation::world(Invariant::JoinAfterView, why));
        }
        if s.sessions.contains_key(&attempt) {
            // A second join of the same attempt: the invariants report it; the SDK ignores it.
            return Ok(());
        }
        let unready = self.unready(&s, attempt);
        let clears_state = SimRng::new(derive(self.seeds.sdk, CLEAR_KEY + attempt))
            .chance(self.plan.state_cleared);
        s.stats.states_cleared += u64::from(clears_state);
        let session = SdkSession {
            rng: SimRng::new(derive(self.seeds.sdk, attempt)),
            closed_at: None,
            last_due: 0,
            muted: settings.start_audio_muted,
            left_at: None,
            clears_state,
            unusable: unready.is_some(),
        };
        s.sessions.insert(attempt, session);
        match unready {
            Some((invariant, why)) => {
                s.violations.push(Violation::world(invariant, why));
                self.init_errors(&mut s, attempt);
            }
            None => self.join_outcome(&mut s, attempt),
        }
        Ok(())
    }

    fn leave_session(&self, attempt: AttemptId) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, &Effect::LeaveSession { attempt });
        let now = self.now();
        let plan = &self.plan;
        let Some(session) = s.sessions.get_mut(&attempt) else {
            return Ok(());
        };
        session.left_at = session.left_at.or(Some(now));
        if session.closed_at.is_some_and(|c| c <= now) {
            return Ok(());
        }
        if session.unusable {
            // It never joined: there is nothing to leave, and nothing comes back.
            session.closed_at = Some(now);
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
            self.call(&mut s, &Effect::audio_muted(attempt, muted));
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
            self.call(&mut s, &Effect::video_paused(attempt, paused));
        }
        self.sdk_reply(attempt, (20, 300), SdkEvent::LocalVideoPaused { paused });
        Ok(())
    }

    /// The SDK moves the audio route itself: the system reports the new route (an override)
    /// and the SDK its `onAudioModeChanged`.
    fn set_audio_mode(&self, attempt: AttemptId, mode: AudioMode) -> PortResult {
        {
            let mut s = self.lock();
            self.call(&mut s, &Effect::SetAudioMode { attempt, mode });
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
        mode: AudioSessionMode,
        options: AudioOptions,
    ) -> PortResult {
        let mut s = self.lock();
        let effect = Effect::ConfigureAudio {
            category,
            mode,
            options,
        };
        self.call(&mut s, &effect);
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
        self.call(&mut s, &Effect::ActivateAudio);
        if !s.audio_active {
            s.audio_active = true;
            s.audio_activations += 1;
            self.audio_life(&mut s);
        }
        Ok(())
    }

    fn deactivate(&self, notify_others: bool) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, &Effect::DeactivateAudio { notify_others });
        s.audio_active = false;
        Ok(())
    }

    fn override_output(&self, speaker: bool) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, &Effect::OverrideOutput { speaker });
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
    /// `AVCaptureDevice.requestAccess(for:)`: a prompt the user answers after a few seconds (or
    /// much later), yes or no; one prompt per device at a time, and no prompt at all once the
    /// device was answered (the call returns the status as it is).
    fn request_permission(&self, media: MediaKind) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, &Effect::RequestPermission { media });
        let now = self.now();
        let status = s.permissions.of(media);
        let (due, status) = if status != Authorization::NotDetermined {
            (now + 10, status)
        } else if let Some(on_screen) = s.prompts.get(&media) {
            *on_screen
        } else {
            let plan = &self.plan;
            let mut rng = SimRng::new(derive(self.seeds.timing, PROMPT_KEY + s.stats.prompts));
            s.stats.prompts += 1;
            let delay = if rng.chance(plan.prompt_slow) {
                rng.range(10_000, 120_000)
            } else {
                rng.range(800, 5_000)
            };
            let answer = if rng.chance(plan.prompt_denied) {
                s.stats.permission_denials += 1;
                Authorization::Denied
            } else {
                Authorization::Authorized
            };
            s.prompts.insert(media, (now + delay, answer));
            (now + delay, answer)
        };
        self.push(&mut s, due, Due::Permission { media, status });
        Ok(())
    }

    /// The app's Settings page: now and then the user turns a denied microphone or camera on
    /// there (a restricted one cannot be), and iOS ends the app's process for it.
    fn open_app_settings(&self) -> PortResult {
        let mut s = self.lock();
        self.call(&mut s, &Effect::OpenAppSettings);
        let mut rng = SimRng::new(derive(self.seeds.timing, SETTINGS_KEY + s.settings_visits));
        s.settings_visits += 1;
        let denied = [MediaKind::Microphone, MediaKind::Camera]
            .into_iter()
            .filter(|m| s.permissions.of(*m) == Authorization::Denied)
            .collect::<Vec<_>>();
        if !denied.is_empty() && rng.chance(self.plan.settings_grant) {
            for media in denied {
                s.permissions.set(media, Authorization::Authorized);
            }
            s.stats.settings_grants += 1;
            s.settings_kill = true;
        }
        Ok(())
    }

    fn share_link(&self, url: &str) -> PortResult {
        let mut s = self.lock();
        let effect = Effect::ShareLink {
            url: url.to_owned(),
        };
        self.call(&mut s, &effect);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A world on a paused clock, in the test's own runtime.
    fn world(plan: FaultPlan) -> (tokio::runtime::Runtime, Arc<World>) {
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        let world = tokio.block_on(async {
            let clock = Arc::new(SimClock::start());
            let ledger = Arc::new(EffectLedger::default());
            let core = CoreConfig::default();
            Arc::new(World::new(clock, plan, Seeds::split(1), &core, ledger))
        });
        (tokio, world)
    }

    /// Lets `ms` of virtual time pass, delivering the setup results that come due (as the
    /// driver does) and dropping everything else.
    async fn pass(world: &World, ms: u64) {
        let target = world.now() + ms;
        while let Some(due) = world.next_due().filter(|d| *d <= target) {
            tokio::time::advance(Duration::from_millis(due.saturating_sub(world.now()))).await;
            for item in world.take_due(due) {
                if let Due::Setup(e) = item {
                    world.setup_delivered(&e);
                }
            }
        }
        tokio::time::advance(Duration::from_millis(target.saturating_sub(world.now()))).await;
    }

    fn join(world: &World, attempt: AttemptId) {
        let id = SessionId::parse("standup_42").unwrap();
        world
            .join_session(attempt, &id, &SessionSettings::default())
            .unwrap();
    }

    /// The violations of one invariant the fakes saw (the ports here are called without a
    /// journal, so "effect journaled" is broken throughout and left out).
    fn seen(world: &World, invariant: Invariant) -> usize {
        let all = world.take_violations();
        all.iter().filter(|v| v.invariant == invariant).count()
    }

    /// The SDK callbacks scheduled for an attempt.
    fn callbacks(world: &World, of: AttemptId) -> Vec<SdkEvent> {
        let s = world.lock();
        s.queue
            .values()
            .filter_map(|d| match d {
                Due::Sdk { attempt, event, .. } if *attempt == of => Some(event.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_session_that_clears_the_sdk_fails_the_next_join_until_a_new_init() {
        let plan = FaultPlan {
            state_cleared: 1000,
            ..FaultPlan::none()
        };
        let (tokio, world) = world(plan);
        tokio.block_on(async {
            world.init_calls(1).unwrap();
            pass(&world, 1_000).await;
            join(&world, 1);
            assert_eq!(seen(&world, Invariant::JoinBeforeReady), 0);
            assert!(callbacks(&world, 1).contains(&SdkEvent::JoinSucceeded));
            pass(&world, 5_000).await;
            world.leave_session(1).unwrap();
            pass(&world, 5_000).await;

            // No init since the call: the SDK fails the join with INIT ERROR, and never joins.
            join(&world, 2);
            assert_eq!(seen(&world, Invariant::JoinAfterReinit), 1);
            let got = callbacks(&world, 2);
            assert!(!got.is_empty());
            assert!(got.iter().all(|e| matches!(
                e,
                SdkEvent::JoinFailed {
                    code: JoinErrorCode::Init,
                    ..
                }
            )));

            // While the init runs the SDK is not usable either; once it is done, it is.
            world.init_calls(1).unwrap();
            join(&world, 3);
            assert_eq!(seen(&world, Invariant::JoinBeforeReady), 1);
            pass(&world, 1_000).await;
            join(&world, 4);
            let v = world.take_violations();
            assert!(
                v.iter().all(|v| v.invariant == Invariant::EffectJournaled
                    || v.invariant == Invariant::JoinAfterView),
                "{v:?}"
            );
            assert!(callbacks(&world, 4).contains(&SdkEvent::JoinSucceeded));
        });
    }

    #[test]
    fn a_new_process_must_initialise_the_sdk_again_and_keeps_the_login_and_permissions() {
        let plan = FaultPlan {
            mic_at_launch: Authorization::Denied,
            ..FaultPlan::none()
        };
        let (tokio, world) = world(plan);
        tokio.block_on(async {
            join(&world, 1);
            assert_eq!(seen(&world, Invariant::JoinBeforeReady), 1, "no init yet");
            world.init_calls(1).unwrap();
            pass(&world, 1_000).await;
            world.permission_delivered(MediaKind::Camera, Authorization::Denied);
            world.process_died();
            join(&world, 2);
            assert_eq!(seen(&world, Invariant::JoinBeforeReady), 1, "a new process");
            let launch = world.launch_permissions();
            assert_eq!(launch.microphone, Authorization::Denied);
            assert_eq!(launch.camera, Authorization::Denied);
            assert_eq!(world.stats().permission_denials, 2);
            // The login survived: the new process's init finds the user logged in.
            world.init_calls(1).unwrap();
            let due = world.next_due().unwrap();
            let items = world.take_due(due);
            assert_eq!(
                items,
                vec![Due::Setup(SetupEvent::InitSucceeded {
                    request: 1,
                    logged_in: true
                })]
            );
        });
    }

    #[test]
    fn one_prompt_per_device_and_no_prompt_once_answered() {
        let plan = FaultPlan {
            mic_at_launch: Authorization::NotDetermined,
            prompt_denied: 1000,
            ..FaultPlan::none()
        };
        let (tokio, world) = world(plan);
        tokio.block_on(async {
            world.request_permission(MediaKind::Microphone).unwrap();
            world.request_permission(MediaKind::Microphone).unwrap();
            assert_eq!(world.stats().prompts, 1, "the system shows one prompt");
            let due = world.next_due().unwrap();
            let answers = world.take_due(due);
            let denied = Due::Permission {
                media: MediaKind::Microphone,
                status: Authorization::Denied,
            };
            assert_eq!(answers, vec![denied.clone(), denied]);
            world.permission_delivered(MediaKind::Microphone, Authorization::Denied);
            world.request_permission(MediaKind::Microphone).unwrap();
            assert_eq!(
                world.stats().prompts,
                1,
                "answered: the status comes back as it is"
            );
        });
    }
}
