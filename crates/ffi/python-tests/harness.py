"""Drives the Switchboard core through its generated Python bindings exactly as the Swift shell
does: the three foreign traits are implemented here (a fake Calls SDK, a fake audio session and
a UI observer), and every input goes through the exported object's methods.

The shell also plays the phone around the call (DESIGN rules 11 and 12). After every start the
core asks for the Calls SDK's init (and a login when init says nobody is logged in), and holds
every join until they succeeded and the microphone is allowed. By default the shell answers
like a phone whose SDK always gets ready and whose user allowed everything: each init succeeds
with the user logged in, each login succeeds, each permission prompt is allowed, and the launch
reports both permissions granted. Tests change that with the knobs of `Shell`:

    Shell(dir, init=None)                     # init calls are left for the test to answer
    Shell(dir, init=INIT_LOGGED_OUT)          # init succeeds, nobody logged in: login follows
    Shell(dir, init=init_failed("..."))       # every init fails with that message
    Shell(dir, permissions=perms(mic=ND), answers={MIC: None})   # the prompt waits for the test
    Shell(dir, raises={"activate": "..."})    # a port method that raises

and answer a held call with `answer_init`, `answer_login` and `answer_permission`. The knobs
are plain attributes and can be changed between steps.

The core numbers its inits (`init_calls(request)`: 1 at launch, +1 for each init asked for in
this process) and counts only the result naming the latest one. So an init answer here is a
function of the request it completes: INIT_OK, INIT_LOGGED_OUT and init_failed(message) give the
SetupEvent for a request number (INIT_OK(2) is "init #2 succeeded, logged in"). The automatic
answers echo the request of the call they answer; `answer_init` answers the latest unanswered
init by default, or the one named by `request=` (a late completion of a superseded init)."""
import json
import os
import subprocess
import threading

from switchboard import switchboard_domain as d
from switchboard import switchboard_ffi as f

HOST = "meet.switchboard.example"
IDLE_TIMEOUT_MS = 5000

MIC = d.MediaKind.MICROPHONE
CAMERA = d.MediaKind.CAMERA
LOGIN_OK = d.SetupEvent.LOGIN_SUCCEEDED()
GRANTED = {MIC: d.Authorization.AUTHORIZED, CAMERA: d.Authorization.AUTHORIZED}


def INIT_OK(request):  # noqa: N802 (named as the constant it replaces)
    """Init #request succeeded and found a user logged in."""
    return d.SetupEvent.INIT_SUCCEEDED(request=request, logged_in=True)


def INIT_LOGGED_OUT(request):  # noqa: N802
    """Init #request succeeded and found nobody logged in: the core logs in next."""
    return d.SetupEvent.INIT_SUCCEEDED(request=request, logged_in=False)


def init_failed(message):
    """The answer `init #request failed with message`, as a function of the request."""
    return lambda request: d.SetupEvent.INIT_FAILED(request=request, message=message)


def login_failed(message):
    return d.SetupEvent.LOGIN_FAILED(message=message)


def switchboard_cli():
    """The `switchboard` binary the tests run (SWITCHBOARD_BIN)."""
    path = os.environ.get("SWITCHBOARD_BIN")
    assert path and os.path.exists(path), "SWITCHBOARD_BIN must name the switchboard binary"
    return path


def verified_export(sb, path):
    """Exports the core's log to `path`, checks `switchboard replay --verify` passes on it, and
    returns its records (parsed JSON lines)."""
    sb.export_log(str(path), False)
    run = subprocess.run([switchboard_cli(), "replay", str(path), "--verify"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return [json.loads(line) for line in path.read_text().splitlines()]


def perms(mic=d.Authorization.AUTHORIZED, camera=d.Authorization.AUTHORIZED):
    return d.Permissions(microphone=mic, camera=camera)


def link(session_id):
    return f"https://{HOST}/meet/{session_id}"


class Recorder:
    """Thread-safe list of calls: the core calls the ports on its own threads. A method named in
    `raises` records its call and then raises RuntimeError(message), as a Swift `throw` would."""

    def __init__(self, raises=None):
        self._lock = threading.Lock()
        self._calls = []
        self.raises = dict(raises or {})

    def record(self, *call):
        with self._lock:
            self._calls.append(call)
        message = self.raises.get(call[0])
        if message is not None:
            raise RuntimeError(message)

    @property
    def calls(self):
        with self._lock:
            return list(self._calls)

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


class FakeSdk(f.CallsSdk, Recorder):
    def __init__(self, raises=None):
        Recorder.__init__(self, raises)
        # Init and login calls the shell has not answered yet, in order: ("init", request) and
        # ("login", None).
        self.pending = []
        self.join_settings = []

    def _asked(self, step, request=None):
        with self._lock:
            self.pending.append((step, request))

    def init_calls(self, request):
        self.record("init_calls", request)
        self._asked("init", request)

    def init_chat(self):
        self.record("init_chat")

    def login(self):
        self.record("login")
        self._asked("login")

    def register_listeners(self, attempt):
        self.record("register_listeners", attempt)

    def join_session(self, attempt, session_id, settings):
        with self._lock:
            self.join_settings.append(settings)
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

    def init_requests(self):
        """The request numbers of every init_calls so far, in order."""
        return [c[1] for c in self.named("init_calls")]

    def take_pending(self, step, request=None, latest=False):
        """Removes the oldest (or, with `latest`, the newest) unanswered call of `step`, or the
        init naming `request`, and returns it as (step, request); None when there is none."""
        with self._lock:
            matching = [p for p in self.pending
                        if p[0] == step and (request is None or p[1] == request)]
            if not matching:
                return None
            taken = matching[-1] if latest else matching[0]
            self.pending.remove(taken)
            return taken


class FakeAudio(f.AudioSession, Recorder):
    def __init__(self, raises=None):
        Recorder.__init__(self, raises)

    def configure(self, category, mode, options):
        self.record("configure", category, mode, options.allow_bluetooth,
                    options.default_to_speaker)

    def activate(self):
        self.record("activate")

    def deactivate(self, notify_others):
        self.record("deactivate", notify_others)

    def override_output(self, speaker):
        self.record("override_output", speaker)


class Ui(f.UiObserver, Recorder):
    def __init__(self, raises=None):
        Recorder.__init__(self, raises)
        self._states = []
        # Permission prompts the shell has not answered yet, in order.
        self.prompts = []

    def render(self, state):
        with self._lock:
            self._states.append(state)
        self.record("render")

    def request_permission(self, media):
        self.record("request_permission", media)
        with self._lock:
            self.prompts.append(media)

    def open_app_settings(self):
        self.record("open_app_settings")

    def share_link(self, url):
        self.record("share_link", url)

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

    def take_prompt(self, media):
        with self._lock:
            if media in self.prompts:
                self.prompts.remove(media)
                return True
            return False


def label(state):
    if isinstance(state, d.UiState.IN_CALL) and state.reconnecting:
        return "reconnecting"
    if isinstance(state, d.UiState.JOINING) and state.waiting_for is not None:
        return "connecting"
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


def shows_call_view(state):
    return isinstance(state, (d.UiState.JOINING, d.UiState.IN_CALL, d.UiState.LEAVING))


def config(data_dir, mode=d.IntegrationMode.STANDALONE, join_timeout_ms=30_000,
           permissions=None, session_type=d.SessionType.VIDEO, hosts=(HOST,)):
    """The core's own defaults (as the Swift shell takes them), with this suite's host, title,
    mode, join timeout, session type and launch permissions (both granted unless given)."""
    core = f.default_core_config(list(hosts))
    core.settings.title = "Python test call"
    core.settings.session_type = session_type
    core.mode = mode
    core.join_timeout_ms = join_timeout_ms
    return f.SwitchboardConfig(data_dir=str(data_dir), core=core,
                               permissions=permissions or perms())


class Shell:
    """What the Swift shell does, step by step, waiting after each step until the core is idle
    and answering the core's init, login and permission requests as its knobs say:

    - `init`: what each init is answered with, as a function of its request number (INIT_OK,
      INIT_LOGGED_OUT, init_failed(...)), None to leave it to `answer_init`;
    - `login`: the SetupEvent each login is answered with, None to leave it to `answer_login`;
    - `answers`: the Authorization each prompt is answered with, per MediaKind; a media that is
      missing (or None) is left to `answer_permission`;
    - `raises`: {port method name: message} for port methods that raise after recording."""

    def __init__(self, data_dir, init=INIT_OK, login=LOGIN_OK, answers=None, raises=None, **kw):
        self.init = init
        self.login = login
        self.answers = dict(GRANTED if answers is None else answers)
        raises = raises or {}
        self.sdk = FakeSdk({m: v for m, v in raises.items() if hasattr(FakeSdk, m)})
        self.audio = FakeAudio({m: v for m, v in raises.items() if hasattr(FakeAudio, m)})
        self.ui = Ui({m: v for m, v in raises.items() if hasattr(Ui, m)})
        unknown = [m for m in raises if not any(hasattr(c, m) for c in (FakeSdk, FakeAudio, Ui))]
        assert not unknown, f"no port method {unknown}"
        self.sb = f.Switchboard(config(data_dir, **kw), self.sdk, self.audio, self.ui)
        self.settle()

    def _answer_one(self):
        """Sends one automatic answer to a pending request; False when none is due."""
        if self.init is not None:
            taken = self.sdk.take_pending("init")
            if taken is not None:
                self.sb.setup_event(self.init(taken[1]))
                return True
        if self.login is not None and self.sdk.take_pending("login") is not None:
            self.sb.setup_event(self.login)
            return True
        for media in (MIC, CAMERA):
            status = self.answers.get(media)
            if status is not None and self.ui.take_prompt(media):
                self.sb.permission_changed(media, status)
                return True
        return False

    def settle(self):
        while True:
            assert self.sb.wait_until_idle(IDLE_TIMEOUT_MS), "the core did not settle"
            if not self._answer_one():
                return

    def do(self, method, *args):
        getattr(self.sb, method)(*args)
        self.settle()

    def answer_init(self, answer=INIT_OK, request=None):
        """Answers the latest unanswered init (or the unanswered one numbered `request`) with
        `answer(its request)`; returns that request number."""
        taken = self.sdk.take_pending("init", request=request, latest=True)
        assert taken is not None, f"no init_calls {request or ''} to answer: {self.sdk.calls}"
        self.do("setup_event", answer(taken[1]))
        return taken[1]

    def answer_login(self, event=LOGIN_OK):
        assert self.sdk.take_pending("login") is not None, f"no login to answer: {self.sdk.calls}"
        self.do("setup_event", event)

    def answer_permission(self, media, status):
        assert self.ui.take_prompt(media), f"no prompt for {media}: {self.ui.calls}"
        self.do("permission_changed", media, status)

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
