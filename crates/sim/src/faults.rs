//! The fault model. A level (`none`, `light`, `heavy`) bounds it; each seed then picks which
//! faults are on and how often they strike (like FoundationDB's buggify: a fault that is always
//! on hides the bugs that need it to be off). Rates are per mille.
//!
//! Besides the SDK's callbacks and the audio session, the plan models the phone around the call
//! (DESIGN section 6): the Calls SDK's init and login, slow or failing; an SDK whose state a
//! session clears, so that it fails every join with `INIT ERROR` until it is initialised again;
//! the microphone and camera authorisation at the first launch and the user's answers to the
//! prompts; and, at `none`, a phone that grants everything and gets ready at once.
use std::fmt;
use std::str::FromStr;

use switchboard_domain::Authorization;

use crate::rng::SimRng;

/// How hard the world pushes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum FaultLevel {
    /// An ideal SDK and audio session; only user journeys.
    None,
    /// Each fault on for about half the seeds, at low rates.
    #[default]
    Light,
    /// Most faults on, at high rates.
    Heavy,
}

impl FaultLevel {
    /// The level's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FaultLevel::None => "none",
            FaultLevel::Light => "light",
            FaultLevel::Heavy => "heavy",
        }
    }
}

impl fmt::Display for FaultLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(FaultLevel::None),
            "light" => Ok(FaultLevel::Light),
            "heavy" => Ok(FaultLevel::Heavy),
            other => Err(format!(
                "unknown fault level '{other}' (choose none, light or heavy)"
            )),
        }
    }
}

/// The faults of one seed. Rates are per mille, per the unit each field names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultPlan {
    /// The level it was drawn from.
    pub level: FaultLevel,
    /// An SDK callback is never delivered (per callback).
    pub drop: u32,
    /// An SDK callback is delivered twice (per callback).
    pub duplicate: u32,
    /// An SDK callback is held back 1-20 s (per callback).
    pub delay: u32,
    /// An SDK callback overtakes the one scheduled before it (per callback).
    pub reorder: u32,
    /// joinSession reports a spurious INIT ERROR first (per join).
    pub spurious_init: u32,
    /// joinSession fails with a real error (per join).
    pub join_error: u32,
    /// joinSession never completes (per join).
    pub join_hang: u32,
    /// leaveSession gets no terminal callback (per leave).
    pub leave_no_ack: u32,
    /// A second terminal callback follows the first (per end).
    pub double_terminal: u32,
    /// The connection drops and comes back during a call (per call).
    pub connection_flap: u32,
    /// The connection closes for good during a call (per call).
    pub connection_close: u32,
    /// The host removes the user, or the call ends remotely (per call).
    pub remote_end: u32,
    /// Everyone else leaves and the SDK's idle timeout ends the call (per call).
    pub idle_timeout: u32,
    /// A callback of an ended SDK session still arrives (per callback after the end).
    pub stale_leak: u32,
    /// A user action arrives together with the world's next callbacks, racing them in the
    /// mailboxes (per action).
    pub race: u32,
    /// An audio interruption (a phone call, Siri) during a call (per call).
    pub interruption: u32,
    /// A route change (headset on or off) during a call (per call).
    pub route_change: u32,
    /// Media services are reset during a call (per call).
    pub media_reset: u32,
    /// Session actor panics injected in the run (restarted from the journal).
    pub panics: u32,
    /// Crashes and restarts of the whole runtime on the same journal.
    pub crashes: u32,
    /// Journal write failures injected (each refuses the next 1-3 events from outside).
    pub journal_failures: u32,
    /// Crashes while an SDK callback is in flight between the actors, part-way through the
    /// journal appends of its cascade.
    pub crashes_in_flight: u32,
    /// Session panics with an SDK callback queued behind the panicking message.
    pub panics_in_flight: u32,
    /// The Calls SDK's init takes seconds, now and then longer than the join timeout (per init).
    pub init_slow: u32,
    /// The Calls SDK's init fails with a message (per init).
    pub init_fail: u32,
    /// Init finds nobody logged in (a first launch, an expired login), so the core must log in
    /// (per init).
    pub login_needed: u32,
    /// Login takes seconds (per login).
    pub login_slow: u32,
    /// Login fails with a message (per login).
    pub login_fail: u32,
    /// A session that ends clears the SDK's state: every join fails with `INIT ERROR` until the
    /// SDK is initialised again (per session).
    pub state_cleared: u32,
    /// The microphone's authorisation when the app is first launched.
    pub mic_at_launch: Authorization,
    /// The camera's authorisation when the app is first launched.
    pub camera_at_launch: Authorization,
    /// The user denies a permission prompt (per prompt).
    pub prompt_denied: u32,
    /// The user takes 10-120 s to answer a prompt, often longer than the join timeout (per prompt).
    pub prompt_slow: u32,
    /// After "Open Settings", the user turns the microphone and camera on there, which makes iOS
    /// end the app's process (per visit to Settings).
    pub settings_grant: u32,
}

/// One fault's bounds at a level: on for `on` per mille of seeds, then a rate in `lo..=hi`.
struct Bounds {
    on: u32,
    lo: u32,
    hi: u32,
}

const fn b(on: u32, lo: u32, hi: u32) -> Bounds {
    Bounds { on, lo, hi }
}

impl FaultPlan {
    /// No faults at all: the microphone and camera are allowed, the SDK gets ready at once.
    pub fn none() -> FaultPlan {
        FaultPlan {
            level: FaultLevel::None,
            mic_at_launch: Authorization::Authorized,
            camera_at_launch: Authorization::Authorized,
            ..FaultPlan::default()
        }
    }

    /// Draws the plan of one seed from its mix stream.
    pub fn draw(level: FaultLevel, rng: &mut SimRng) -> FaultPlan {
        let heavy = match level {
            FaultLevel::None => return FaultPlan::none(),
            FaultLevel::Light => false,
            FaultLevel::Heavy => true,
        };
        let mut pick = |light: Bounds, hard: Bounds| {
            let x = if heavy { hard } else { light };
            if rng.chance(x.on) {
                rng.range(u64::from(x.lo), u64::from(x.hi)) as u32
            } else {
                0
            }
        };
        let mut plan = FaultPlan {
            level,
            drop: pick(b(400, 5, 20), b(750, 20, 120)),
            duplicate: pick(b(500, 10, 40), b(800, 30, 150)),
            delay: pick(b(500, 10, 40), b(800, 30, 150)),
            reorder: pick(b(500, 10, 50), b(800, 50, 200)),
            spurious_init: pick(b(500, 50, 200), b(800, 100, 400)),
            join_error: pick(b(500, 20, 80), b(800, 50, 200)),
            join_hang: pick(b(300, 10, 40), b(700, 30, 120)),
            leave_no_ack: pick(b(400, 20, 100), b(800, 50, 250)),
            double_terminal: pick(b(500, 100, 400), b(800, 200, 700)),
            connection_flap: pick(b(500, 100, 300), b(850, 200, 600)),
            connection_close: pick(b(400, 30, 100), b(800, 50, 250)),
            remote_end: pick(b(500, 50, 150), b(800, 100, 300)),
            idle_timeout: pick(b(400, 30, 100), b(800, 50, 250)),
            stale_leak: pick(b(400, 50, 200), b(800, 100, 500)),
            race: pick(b(400, 50, 200), b(850, 150, 500)),
            interruption: pick(b(500, 50, 200), b(850, 150, 500)),
            route_change: pick(b(500, 100, 300), b(850, 200, 600)),
            media_reset: pick(b(300, 10, 50), b(700, 30, 150)),
            panics: pick(b(200, 1, 1), b(500, 1, 3)),
            crashes: pick(b(200, 1, 1), b(500, 1, 3)),
            journal_failures: pick(b(100, 1, 1), b(300, 1, 2)),
            crashes_in_flight: pick(b(200, 1, 1), b(500, 1, 2)),
            panics_in_flight: pick(b(200, 1, 1), b(500, 1, 2)),
            init_slow: pick(b(400, 50, 200), b(700, 100, 500)),
            init_fail: pick(b(300, 20, 100), b(600, 50, 300)),
            login_needed: pick(b(400, 100, 400), b(700, 200, 800)),
            login_slow: pick(b(300, 100, 400), b(600, 200, 700)),
            login_fail: pick(b(300, 20, 100), b(600, 50, 300)),
            state_cleared: pick(b(500, 300, 1000), b(800, 500, 1000)),
            mic_at_launch: Authorization::Authorized,
            camera_at_launch: Authorization::Authorized,
            prompt_denied: pick(b(300, 50, 300), b(600, 100, 500)),
            prompt_slow: pick(b(300, 50, 300), b(600, 100, 500)),
            settings_grant: pick(b(500, 300, 800), b(700, 300, 900)),
        };
        // Authorised, not asked yet, denied, restricted.
        let launch = if heavy {
            [40, 40, 14, 6]
        } else {
            [60, 32, 6, 2]
        };
        let status = |i| {
            [
                Authorization::Authorized,
                Authorization::NotDetermined,
                Authorization::Denied,
                Authorization::Restricted,
            ][i]
        };
        plan.mic_at_launch = status(rng.weighted(&launch));
        plan.camera_at_launch = status(rng.weighted(&launch));
        plan
    }

    /// The faults that are on, as `name rate` words (for summaries).
    pub fn describe(&self) -> String {
        let rates = [
            ("drop", self.drop),
            ("dup", self.duplicate),
            ("delay", self.delay),
            ("reorder", self.reorder),
            ("init-error", self.spurious_init),
            ("join-error", self.join_error),
            ("join-hang", self.join_hang),
            ("leave-no-ack", self.leave_no_ack),
            ("double-end", self.double_terminal),
            ("flap", self.connection_flap),
            ("close", self.connection_close),
            ("remote-end", self.remote_end),
            ("idle-timeout", self.idle_timeout),
            ("stale", self.stale_leak),
            ("race", self.race),
            ("interruption", self.interruption),
            ("route", self.route_change),
            ("media-reset", self.media_reset),
            ("init-slow", self.init_slow),
            ("init-fail", self.init_fail),
            ("login-needed", self.login_needed),
            ("login-slow", self.login_slow),
            ("login-fail", self.login_fail),
            ("state-cleared", self.state_cleared),
            ("prompt-denied", self.prompt_denied),
            ("prompt-slow", self.prompt_slow),
            ("settings-grant", self.settings_grant),
        ];
        let mut words: Vec<String> = rates
            .iter()
            .filter(|(_, r)| *r > 0)
            .map(|(n, r)| format!("{n} {:.1}%", f64::from(*r) / 10.0))
            .collect();
        for (n, count) in [
            ("panics", self.panics),
            ("crashes", self.crashes),
            ("journal-failures", self.journal_failures),
            ("crashes-in-flight", self.crashes_in_flight),
            ("panics-in-flight", self.panics_in_flight),
        ] {
            if count > 0 {
                words.push(format!("{n} {count}"));
            }
        }
        for (n, status) in [
            ("mic", self.mic_at_launch),
            ("camera", self.camera_at_launch),
        ] {
            if status != Authorization::Authorized {
                words.push(format!("{n} {status:?} at launch"));
            }
        }
        if words.is_empty() {
            "no faults".to_owned()
        } else {
            words.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_is_quiet_and_heavy_is_loud() {
        let mut rng = SimRng::new(1);
        assert_eq!(
            FaultPlan::draw(FaultLevel::None, &mut rng),
            FaultPlan::none()
        );
        let heavy: u32 = (0..200)
            .map(|_| FaultPlan::draw(FaultLevel::Heavy, &mut rng).drop)
            .sum();
        let light: u32 = (0..200)
            .map(|_| FaultPlan::draw(FaultLevel::Light, &mut rng).drop)
            .sum();
        assert!(heavy > 3 * light, "heavy {heavy} light {light}");
        assert_eq!("heavy".parse(), Ok(FaultLevel::Heavy));
        // Without faults the phone grants everything; with them, some seeds start denied or
        // not asked yet.
        let none = FaultPlan::none();
        assert_eq!(none.mic_at_launch, Authorization::Authorized);
        assert_eq!(none.camera_at_launch, Authorization::Authorized);
        assert_eq!(none.describe(), "no faults");
        let launches: Vec<Authorization> = (0..200)
            .map(|_| FaultPlan::draw(FaultLevel::Heavy, &mut rng).mic_at_launch)
            .collect();
        for status in [
            Authorization::Authorized,
            Authorization::NotDetermined,
            Authorization::Denied,
            Authorization::Restricted,
        ] {
            assert!(launches.contains(&status), "{status:?}");
        }
        assert!("loud".parse::<FaultLevel>().is_err());
    }
}
