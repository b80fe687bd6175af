"""Drives the Switchboard core through its generated Python bindings exactly as the Swift shell
does: the three foreign traits are implemented here (a fake Calls SDK, a fake audio session and
a UI observer), and every input goes through the exported object's methods."""
import threading

from switchboard import switchboard_domain as d
from switchboard import switchboard_ffi as f

HOST = "meet.switchboard.example"
IDLE_TIMEOUT_MS = 5000


def link(session_id):
    return f"https://{HOST}/meet/{session_id}"


class Recorder:
    """Thread-safe list of calls: the core calls the ports on its own threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls = []

    def record(self, *call):
        with self._lock:
            self._calls.append(call)

    @property
    def calls(self):
        with self._lock:
            return list(self._calls)

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


class FakeSdk(f.CallsSdk, Recorder):
    def __init__(self):
        Recorder.__init__(self)

    def init_calls(self):
        self.record("init_calls")

    def init_chat(self):
        self.record("init_chat")

    def register_listeners(self, attempt):
        self.record("register_listeners", attempt)

    def join_session(self, attempt, session_id, settings):
        self.record("join_session", attempt, session_id)

    def leave_session(self, attempt):
        self.record("leave_session", attempt)

    def set_audio_muted(self, attempt, muted):
        self.record("set_audio_muted", attempt, muted)

    def set_video_paused(self, attempt, paused):
        self.record("set_video_paused", attempt, paused)

    def set_audio_mode(self, attempt, mode):
        self.record("set_audio_mode", attempt, mode)

    def last_attempt(self):
        joins = self.named("join_session")
        assert joins, "an SDK callback before any join_session"
        return joins[-1][1]


class FakeAudio(f.AudioSession, Recorder):
    def __init__(self):
        Recorder.__init__(self)

    def configure(self, category, mode, options):
        self.record("configure", category, mode, options.allow_bluetooth, options.default_to_speaker)

    def activate(self):
        self.record("activate")

    def deactivate(self, notify_others):
        self.record("deactivate", notify_others)

    def override_output(self, speaker):
        self.record("override_output", speaker)


class Ui(f.UiObserver):
    def __init__(self):
        self._lock = threading.Lock()
        self._states = []

    def render(self, state):
        with self._lock:
            self._states.append(state)

    @property
    def states(self):
        with self._lock:
            return list(self._states)

    def labels(self):
        """The rendered states as short labels, consecutive repeats folded."""
        out = []
        for s in self.states:
            name = label(s)
            if not out or out[-1] != name:
                out.append(name)
        return out


def label(state):
    if isinstance(state, d.UiState.IN_CALL) and state.reconnecting:
        return "reconnecting"
    return {
        d.UiState.IDLE: "idle",
        d.UiState.JOINING: "joining",
        d.UiState.IN_CALL: "in_call",
        d.UiState.LEAVING: "leaving",
        d.UiState.ENDED: "ended",
        d.UiState.ERROR: "error",
    }[type(state)]


def dismisses(state):
    return isinstance(state, (d.UiState.ENDED, d.UiState.ERROR))


def config(data_dir, mode=d.IntegrationMode.STANDALONE, join_timeout_ms=30_000):
    """The core's own defaults (as the Swift shell takes them), with this suite's host, title,
    mode and join timeout."""
    core = f.default_core_config([HOST])
    core.settings.title = "Python test call"
    core.mode = mode
    core.join_timeout_ms = join_timeout_ms
    return f.SwitchboardConfig(data_dir=str(data_dir), core=core)


class Shell:
    """What the Swift shell does, step by step, waiting after each step until the core is idle."""

    def __init__(self, data_dir, **kw):
        self.sdk = FakeSdk()
        self.audio = FakeAudio()
        self.ui = Ui()
        self.sb = f.Switchboard(config(data_dir, **kw), self.sdk, self.audio, self.ui)
        self.settle()

    def settle(self):
        assert self.sb.wait_until_idle(IDLE_TIMEOUT_MS), "the core did not settle"

    def do(self, method, *args):
        getattr(self.sb, method)(*args)
        self.settle()

    def open(self, session_id):
        self.do("open_url", link(session_id))

    def sdk_event(self, event, attempt=None):
        self.do("sdk_event", attempt if attempt is not None else self.sdk.last_attempt(), event)

    def join_ok(self, session_id):
        """Open the link, the view appears, the SDK joins."""
        self.open(session_id)
        self.do("view_appeared")
        self.sdk_event(d.SdkEvent.JOIN_SUCCEEDED())
        self.sdk_event(d.SdkEvent.SESSION_JOINED())

    def close_view_and_dismiss(self):
        self.do("view_disappeared")
        self.do("dismiss")

    def state(self):
        return self.sb.ui_state()
