//! The invariants the simulator checks, each with a stable code (what a failure prints, what a
//! test matches on) and where it comes from.
use std::fmt;

/// One invariant. Most are checked on the journal alone ([`crate::check_log`] finds them again in
/// a written log); the others need the fakes' view of the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Invariant {
    /// Records run gap-free from seq 0.
    LogSequence,
    /// At most one `Ended` per attempt.
    OneEnded,
    /// `onSessionLeft`, `onConnectionClosed` and `onSessionTimedOut` end a joining, joined or
    /// leaving attempt.
    TerminalEnds,
    /// The end reason follows from the core's own state and the input that ended the call.
    EndReason,
    /// `onConnectionLost` never ends a call.
    LostNeverEnds,
    /// `onConnectionRestored` while reconnecting returns to Connected.
    RestoredConnects,
    /// join `onSuccess` or `onSessionJoined`, whichever comes first, means joined.
    JoinedEitherOrder,
    /// A spurious `INIT ERROR` does not end the attempt.
    InitErrorTolerated,
    /// A real join error ends the attempt with that error.
    JoinErrorEnds,
    /// At most one `LeaveSession` per attempt.
    OneLeave,
    /// The leave button and the user's leave lead to `LeaveSession`.
    LeaveLeads,
    /// At most one `JoinSession` per attempt.
    OneJoin,
    /// `JoinSession` goes out only when the call view appeared.
    JoinAfterView,
    /// Inputs of an ended attempt are recorded and ignored.
    IgnoredAfterEnd,
    /// SDK callbacks of old or unknown attempts are recorded and ignored.
    StaleIgnored,
    /// Standalone mode never initialises the chat SDK; additive mode initialises both.
    SdkInit,
    /// No audio category without the microphone.
    MicCategory,
    /// Every `Ended` is followed, in the same step, by a `UiState` that dismisses the call view.
    ViewNotStranded,
    /// An attempt still live when a new process boots is ended by it (`AppRelaunched`) before
    /// anything else reaches its session: no process carries on a call it did not join.
    RelaunchEndsOldCall,
    /// The journal replays to the same commands (and so the same states).
    ReplayCommands,
    /// Every effect a port performed was journaled first.
    EffectJournaled,
    /// The runtime's `UiState`, the shell's last render and the replayed UI bridge agree.
    UiConsistent,
    /// Every journal write failure is reported by the runtime, and the refused input had no effect.
    JournalFailureReported,
    /// After a crash and restart, every acknowledged record is still in the journal.
    NothingAcknowledgedLost,
    /// A restarted runtime (a new process) shows no call view for a call it did not join: a call
    /// that was on screen comes back as the relaunch notice, anything else as it was (rule 10).
    RestartConsistent,
    /// The runtime settles without virtual time passing (no message lost in flight).
    SettleStalled,
    /// After the closing leave, every attempt has ended.
    AllEnded,
    /// After the closing dismiss, the UI is idle and the audio session released.
    IdleAtEnd,
    /// The audio session is released whenever no call holds it.
    AudioReleased,
    /// A retry the UI offers starts a new attempt.
    RetryKept,
    /// The runtime starts (recovery succeeds).
    RuntimeStarts,
    /// No `JoinSession` before the Calls SDK's init and login have succeeded in this process,
    /// since its last `InitCallsSdk` (and, after a call that joined, since an init asked for
    /// after that call ended: the SDK's state can be cleared after a session).
    JoinBeforeReady,
    /// No `JoinSession` while the microphone is denied or restricted, or not yet answered: the
    /// core asks before it joins, and a denied microphone never joins.
    DeniedMicNeverJoins,
    /// A video call joins only once the camera prompt was answered, and with video paused when
    /// the camera is denied.
    DeniedCameraPaused,
    /// Every wait ends: an attempt whose call view appeared while its join was held is joined
    /// or ended by the time its join timeout has passed (plus a little slack).
    WaitEnds,
    /// No `JoinSession` reaches an SDK whose state the previous session cleared and that was not
    /// initialised again since (the fake SDK would fail it with `INIT ERROR` for ever).
    JoinAfterReinit,
}

impl Invariant {
    /// Every invariant.
    pub const ALL: [Invariant; 36] = [
        Invariant::LogSequence,
        Invariant::OneEnded,
        Invariant::TerminalEnds,
        Invariant::EndReason,
        Invariant::LostNeverEnds,
        Invariant::RestoredConnects,
        Invariant::JoinedEitherOrder,
        Invariant::InitErrorTolerated,
        Invariant::JoinErrorEnds,
        Invariant::OneLeave,
        Invariant::LeaveLeads,
        Invariant::OneJoin,
        Invariant::JoinAfterView,
        Invariant::IgnoredAfterEnd,
        Invariant::StaleIgnored,
        Invariant::SdkInit,
        Invariant::MicCategory,
        Invariant::ViewNotStranded,
        Invariant::RelaunchEndsOldCall,
        Invariant::ReplayCommands,
        Invariant::EffectJournaled,
        Invariant::UiConsistent,
        Invariant::JournalFailureReported,
        Invariant::NothingAcknowledgedLost,
        Invariant::RestartConsistent,
        Invariant::SettleStalled,
        Invariant::AllEnded,
        Invariant::IdleAtEnd,
        Invariant::AudioReleased,
        Invariant::RetryKept,
        Invariant::RuntimeStarts,
        Invariant::JoinBeforeReady,
        Invariant::DeniedMicNeverJoins,
        Invariant::DeniedCameraPaused,
        Invariant::WaitEnds,
        Invariant::JoinAfterReinit,
    ];

    /// The stable code printed on failure.
    pub fn code(self) -> &'static str {
        use Invariant::*;
        match self {
            LogSequence => "log-sequence",
            OneEnded => "one-ended",
            TerminalEnds => "terminal-ends",
            EndReason => "end-reason",
            LostNeverEnds => "lost-never-ends",
            RestoredConnects => "restored-connects",
            JoinedEitherOrder => "joined-either-order",
            InitErrorTolerated => "init-error-tolerated",
            JoinErrorEnds => "join-error-ends",
            OneLeave => "one-leave",
            LeaveLeads => "leave-leads",
            OneJoin => "one-join",
            JoinAfterView => "join-after-view",
            IgnoredAfterEnd => "ignored-after-end",
            StaleIgnored => "stale-ignored",
            SdkInit => "sdk-init",
            MicCategory => "mic-category",
            ViewNotStranded => "view-not-stranded",
            RelaunchEndsOldCall => "relaunch-ends-old-call",
            ReplayCommands => "replay-commands",
            EffectJournaled => "effect-journaled",
            UiConsistent => "ui-consistent",
            JournalFailureReported => "journal-failure-reported",
            NothingAcknowledgedLost => "nothing-acknowledged-lost",
            RestartConsistent => "restart-consistent",
            SettleStalled => "settle-stalled",
            AllEnded => "all-ended",
            IdleAtEnd => "idle-at-end",
            AudioReleased => "audio-released",
            RetryKept => "retry-kept",
            RuntimeStarts => "runtime-starts",
            JoinBeforeReady => "join-before-ready",
            DeniedMicNeverJoins => "denied-mic-never-joins",
            DeniedCameraPaused => "denied-camera-paused",
            WaitEnds => "wait-ends",
            JoinAfterReinit => "join-after-reinit",
        }
    }

    /// Where the invariant comes from.
    pub fn source(self) -> &'static str {
        use Invariant::*;
        match self {
            OneEnded | TerminalEnds => "DESIGN rule 1",
            EndReason => "DESIGN rule 2",
            LostNeverEnds | RestoredConnects => "DESIGN rule 3",
            JoinedEitherOrder => "DESIGN rule 4",
            InitErrorTolerated | JoinErrorEnds => "DESIGN rule 5",
            OneLeave | LeaveLeads => "DESIGN rule 6",
            OneJoin | JoinAfterView => "DESIGN rule 7",
            IgnoredAfterEnd | StaleIgnored => "DESIGN rule 8",
            SdkInit => "DESIGN rule 9",
            RelaunchEndsOldCall => "DESIGN rule 10",
            JoinBeforeReady | WaitEnds | JoinAfterReinit => "DESIGN rule 11",
            DeniedMicNeverJoins | DeniedCameraPaused => "DESIGN rule 12",
            MicCategory | AudioReleased => "DESIGN section 2, audio",
            RetryKept => "the UI's promises",
            ViewNotStranded | AllEnded | IdleAtEnd => "the view is never stranded",
            ReplayCommands | LogSequence => "the journal replays",
            EffectJournaled | JournalFailureReported => "persist before effect",
            NothingAcknowledgedLost | RestartConsistent | RuntimeStarts => "crash and restart",
            UiConsistent | SettleStalled => "runtime consistency",
        }
    }

    /// The invariant with this code.
    pub fn from_code(code: &str) -> Option<Invariant> {
        Invariant::ALL.into_iter().find(|i| i.code() == code)
    }
}

impl fmt::Display for Invariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code(), self.source())
    }
}

/// A broken invariant: which, where in the journal (when it is about a record), and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The invariant.
    pub invariant: Invariant,
    /// The record that broke it, when there is one.
    pub seq: Option<u64>,
    /// What went wrong, in one line.
    pub detail: String,
}

impl Violation {
    /// A violation about a record.
    pub fn at(invariant: Invariant, seq: u64, detail: impl Into<String>) -> Violation {
        Violation {
            invariant,
            seq: Some(seq),
            detail: detail.into(),
        }
    }

    /// A violation about the world rather than one record.
    pub fn world(invariant: Invariant, detail: impl Into<String>) -> Violation {
        Violation {
            invariant,
            seq: None,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "{} at seq {seq}: {}", self.invariant, self.detail),
            None => write!(f, "{}: {}", self.invariant, self.detail),
        }
    }
}

impl std::error::Error for Violation {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for i in Invariant::ALL {
            assert_eq!(Invariant::from_code(i.code()), Some(i));
        }
        let mut codes: Vec<_> = Invariant::ALL.iter().map(|i| i.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Invariant::ALL.len());
    }
}
