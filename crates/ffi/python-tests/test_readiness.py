"""Rule 11 through the generated bindings: no joinSession before the Calls SDK's init (and, when
init finds nobody logged in, the login) succeeded in this process. A join asked for earlier waits
in Joining, "connecting" (waiting_for CALLING_SERVICE), bounded by the join timeout; an init or
login failure ends it with the SDK's message and Retry; after every call the SDK is initialised
again and the next join waits for that init. Inits are numbered (1 at launch, +1 for each init
asked for): only the result naming the latest one counts, so a late completion of an init the
core has since asked for again lets no join out."""
import time

import pytest
from switchboard import switchboard_domain as d

from harness import (
    INIT_LOGGED_OUT,
    INIT_OK,
    LOGIN_OK,
    init_failed,
    label,
    login_failed,
    verified_export,
)

SDK = d.SdkEvent
CONNECTING = d.WaitingFor.CALLING_SERVICE
# How long a test waits for the core's own join timeout (a few hundred ms) to fire: a bound on
# the wait, not on the core's timing.
TIMER_WAIT_S = 20


def verify(shell, path):
    verified_export(shell.sb, path)


def assert_connecting(shell, session_id):
    state = shell.state()
    assert isinstance(state, d.UiState.JOINING), state
    assert state.session_id == session_id and state.waiting_for == CONNECTING, state
    assert label(state) == "connecting"


def assert_nothing_reached_the_sdk(shell):
    assert not shell.sdk.named("join_session"), shell.sdk.calls
    assert not shell.sdk.named("register_listeners"), shell.sdk.calls
    assert not shell.audio.named("activate"), shell.audio.calls


def test_a_cold_start_link_waits_connecting_until_init_succeeds(shell_factory):
    shell = shell_factory(init=None)
    assert shell.sdk.named("init_calls") == [("init_calls", 1)]
    shell.open("cold_start")  # the link that launched the app, before init finished
    shell.do("view_appeared")
    assert_connecting(shell, "cold_start")
    assert_nothing_reached_the_sdk(shell)
    shell.answer_init(INIT_OK)
    joins = shell.sdk.named("join_session")
    assert [j[2] for j in joins] == ["cold_start"], joins
    state = shell.state()
    assert isinstance(state, d.UiState.JOINING) and state.waiting_for is None, state
    assert not shell.sdk.named("login"), "logged in already: no login"
    shell.sdk_event(SDK.JOIN_SUCCEEDED())
    labels = shell.ui.labels()
    # The session renders its first (waiting) view before the router's hold reaches it, so a
    # plain "joining" may come first; from the hold on: connecting, then joining once the join
    # went out.
    assert labels[labels.index("connecting"):] == ["connecting", "joining", "in_call"], labels
    assert labels[:labels.index("connecting")] in ([], ["joining"]), labels


def test_a_link_before_the_view_appears_joins_when_it_appears_after_init(shell_factory):
    shell = shell_factory(init=None)
    shell.open("early")
    assert_connecting(shell, "early")
    shell.answer_init(INIT_OK)
    assert not shell.sdk.named("join_session"), "no container to draw in yet"
    shell.do("view_appeared")
    assert len(shell.sdk.named("join_session")) == 1


def test_init_without_a_user_logs_in_and_the_join_waits_for_the_login(shell_factory):
    shell = shell_factory(init=None, login=None)
    shell.open("needs_login")
    shell.do("view_appeared")
    assert shell.answer_init(INIT_LOGGED_OUT) == 1
    assert shell.sdk.named("login") == [("login",)]
    assert_connecting(shell, "needs_login")
    assert_nothing_reached_the_sdk(shell)
    shell.answer_login(LOGIN_OK)
    assert len(shell.sdk.named("join_session")) == 1
    assert shell.sdk.named("login") == [("login",)]


def test_an_init_failure_ends_the_waiting_attempt_and_retry_initialises_again(shell_factory,
                                                                                tmp_path):
    shell = shell_factory(init=None)
    shell.open("init_fails")
    shell.do("view_appeared")
    shell.answer_init(init_failed("CometChatCalls: app id not found (ERR_APP_NOT_FOUND)"))
    error = shell.state()
    assert isinstance(error, d.UiState.ERROR), error
    assert "app id not found (ERR_APP_NOT_FOUND)" in error.message, error.message
    assert "(init failed)" in error.message, error.message
    assert error.can_retry and not error.open_settings
    assert_nothing_reached_the_sdk(shell)
    assert not shell.sdk.named("leave_session")

    shell.do("view_disappeared")
    shell.do("retry")
    assert shell.sdk.init_requests() == [1, 2], "retry did not initialise the SDK again"
    shell.do("view_appeared")
    assert_connecting(shell, "init_fails")
    assert_nothing_reached_the_sdk(shell)
    assert shell.answer_init(INIT_OK) == 2
    assert [j[2] for j in shell.sdk.named("join_session")] == ["init_fails"]
    # The failed attempt never reached the SDK: nothing to initialise again after it.
    assert shell.sdk.init_requests() == [1, 2]
    verify(shell, tmp_path / "log.jsonl")


def test_an_init_that_failed_with_no_call_waiting_is_asked_again_by_the_next_join(shell_factory):
    shell = shell_factory(init=init_failed("network unreachable"))
    assert isinstance(shell.state(), d.UiState.IDLE), "a failed init alone shows nothing"
    shell.init = INIT_OK  # the network is back
    shell.open("later")
    assert shell.sdk.init_requests() == [1, 2]
    shell.do("view_appeared")
    assert len(shell.sdk.named("join_session")) == 1


def test_a_login_failure_ends_the_waiting_attempt_and_retry_logs_in_again(shell_factory, tmp_path):
    shell = shell_factory(init=INIT_LOGGED_OUT, login=None)
    assert shell.sdk.named("login") == [("login",)]
    shell.open("login_fails")
    shell.do("view_appeared")
    shell.answer_login(login_failed("AUTH_TOKEN_EXPIRED: the auth token has expired"))
    error = shell.state()
    assert isinstance(error, d.UiState.ERROR), error
    assert "(login failed): AUTH_TOKEN_EXPIRED: the auth token has expired" in error.message
    assert error.can_retry and not error.open_settings
    assert_nothing_reached_the_sdk(shell)

    shell.do("view_disappeared")
    shell.do("retry")
    assert len(shell.sdk.named("login")) == 2, "retry did not log in again"
    assert shell.sdk.init_requests() == [1], "init had succeeded: only the login again"
    shell.do("view_appeared")
    assert_connecting(shell, "login_fails")
    shell.answer_login(LOGIN_OK)
    assert len(shell.sdk.named("join_session")) == 1
    verify(shell, tmp_path / "log.jsonl")


def wait_for_state(shell, done):
    deadline = time.monotonic() + TIMER_WAIT_S
    while time.monotonic() < deadline:
        state = shell.state()
        if done(state):
            shell.settle()
            return state
        time.sleep(0.02)
    raise AssertionError(f"still {shell.state()} after {TIMER_WAIT_S} s")


def test_a_wait_longer_than_the_join_timeout_ends_did_not_get_ready(shell_factory, tmp_path):
    shell = shell_factory(init=None, join_timeout_ms=300)
    shell.open("never_ready")
    shell.do("view_appeared")
    assert_connecting(shell, "never_ready")
    error = wait_for_state(shell, lambda s: not isinstance(s, d.UiState.JOINING))
    assert isinstance(error, d.UiState.ERROR), error
    assert "did not get ready" in error.message, error.message
    assert error.can_retry
    # Nothing was sent to the SDK, so there is nothing to leave.
    assert not shell.sdk.named("leave_session")
    assert_nothing_reached_the_sdk(shell)
    # The init that answers late (still the latest asked for: nothing asked again yet) lets the
    # next join go at once; the ended attempt stays ended.
    assert shell.answer_init(INIT_OK) == 1
    assert not shell.sdk.named("join_session")
    shell.do("view_disappeared")
    shell.do("retry")
    shell.do("view_appeared")
    assert [j[2] for j in shell.sdk.named("join_session")] == ["never_ready"]
    verify(shell, tmp_path / "log.jsonl")


def test_two_calls_in_a_row_initialise_the_sdk_again_and_the_second_join_waits(shell_factory,
                                                                               tmp_path):
    shell = shell_factory()
    shell.join_ok("first")
    assert shell.sdk.init_requests() == [1]
    shell.init = None  # the test answers the next init itself
    shell.do("leave")
    shell.sdk_event(SDK.SESSION_LEFT())
    assert isinstance(shell.state(), d.UiState.ENDED)
    assert shell.sdk.init_requests() == [1, 2], "no re-init after the call"
    shell.close_view_and_dismiss()

    shell.open("second")
    shell.do("view_appeared")
    assert_connecting(shell, "second")
    assert len(shell.sdk.named("join_session")) == 1, "the second join did not wait for init"
    assert shell.answer_init(INIT_OK) == 2
    names = [c[0] for c in shell.sdk.calls]
    joins = [i for i, n in enumerate(names) if n == "join_session"]
    inits = [i for i, n in enumerate(names) if n == "init_calls"]
    leave = names.index("leave_session")
    assert len(joins) == 2 and joins[0] < leave < inits[1] < joins[1], names
    assert shell.sdk.named("join_session")[1][2] == "second"
    shell.sdk_event(SDK.SESSION_JOINED())
    shell.sdk_event(SDK.SESSION_LEFT())
    assert shell.sdk.init_requests() == [1, 2, 3], "no re-init after the second call"
    verify(shell, tmp_path / "log.jsonl")


def test_a_re_init_that_finds_the_user_logged_out_logs_in_before_the_next_join(shell_factory):
    shell = shell_factory()
    shell.join_ok("first")
    shell.init, shell.login = INIT_LOGGED_OUT, None
    shell.sdk_event(SDK.SESSION_LEFT())
    shell.close_view_and_dismiss()
    assert shell.sdk.named("login") == [("login",)]
    shell.open("second")
    shell.do("view_appeared")
    assert_connecting(shell, "second")
    assert len(shell.sdk.named("join_session")) == 1
    shell.answer_login(LOGIN_OK)
    assert len(shell.sdk.named("join_session")) == 2


def test_a_stray_setup_result_does_not_let_a_held_join_go(shell_factory):
    """Only an answer to a request this process made and has not had answered counts: a login
    result nobody asked for, and init results naming an init never asked for, are recorded and
    ignored. So is a duplicate of the init already answered (even one saying nobody is logged
    in: no login follows), and a call already joined goes on."""
    shell = shell_factory(init=None)
    shell.open("stray")
    shell.do("view_appeared")
    shell.do("setup_event", LOGIN_OK)  # no login was asked for
    shell.do("setup_event", INIT_OK(2))  # only init #1 was asked for
    shell.do("setup_event", INIT_OK(0))
    assert_connecting(shell, "stray")
    assert not shell.sdk.named("join_session")
    assert not shell.sdk.named("login")
    assert shell.answer_init(INIT_OK) == 1
    assert len(shell.sdk.named("join_session")) == 1
    shell.do("setup_event", INIT_LOGGED_OUT(1))  # a duplicate of the init already answered
    shell.do("setup_event", init_failed("a duplicate failure")(1))
    assert not shell.sdk.named("login"), shell.sdk.calls
    shell.sdk_event(SDK.SESSION_JOINED())
    assert isinstance(shell.state(), d.UiState.IN_CALL)
    assert len(shell.sdk.named("join_session")) == 1


@pytest.mark.parametrize("superseded_by", ["join_timeout", "call"])
def test_a_late_completion_of_a_superseded_init_lets_no_join_out(shell_factory, tmp_path,
                                                                 superseded_by):
    """The core asks for init again when an earlier init went unanswered longer than the join
    timeout ("join_timeout": the launch's init #1 never answered, the attempt ended "did not get
    ready", Retry asks for #2) and after every call ("call": #1 answered, the call, the re-init
    #2). Init #1's completion arriving after #2 was asked for (late, or a second callback)
    answers an init the core no longer waits for: neither its success (while the view is away,
    so a counted one would join as the view appears) nor its failure (with the view up) moves the
    held join, which goes out on #2's success and only then. The join timeout here is long
    enough for the few steps of the retried attempt, which must not end before #2's answer."""
    if superseded_by == "join_timeout":
        shell = shell_factory(init=None, join_timeout_ms=1000)
        shell.open("late")
        shell.do("view_appeared")
        error = wait_for_state(shell, lambda s: not isinstance(s, d.UiState.JOINING))
        assert isinstance(error, d.UiState.ERROR) and "did not get ready" in error.message, error
        assert shell.sdk.init_requests() == [1]
        shell.do("view_disappeared")
        shell.do("retry")
    else:
        shell = shell_factory()
        shell.join_ok("first")
        shell.init = None  # the test answers the re-init itself
        shell.do("leave")
        shell.sdk_event(SDK.SESSION_LEFT())
        shell.close_view_and_dismiss()
        shell.open("late")
    assert shell.sdk.init_requests() == [1, 2], "the init was not asked for again"
    joins_before = len(shell.sdk.named("join_session"))

    # Init #1 completes after #2 was asked for: a success while the view is away, then (with
    # the view up) a failure.
    if superseded_by == "join_timeout":
        assert shell.answer_init(INIT_OK, request=1) == 1  # still unanswered: now it is
    else:
        shell.do("setup_event", INIT_OK(1))  # answered before the call: a second callback
    assert_connecting(shell, "late")
    shell.do("view_appeared")
    assert_connecting(shell, "late")
    shell.do("setup_event", init_failed("init #1 timed out in the SDK")(1))
    assert_connecting(shell, "late")
    assert len(shell.sdk.named("join_session")) == joins_before, shell.sdk.calls
    assert shell.sdk.init_requests() == [1, 2]

    assert shell.answer_init(INIT_OK) == 2
    joins = shell.sdk.named("join_session")
    assert [j[2] for j in joins[joins_before:]] == ["late"], joins
    shell.sdk_event(SDK.JOIN_SUCCEEDED())
    shell.sdk_event(SDK.SESSION_JOINED())
    assert isinstance(shell.state(), d.UiState.IN_CALL)
    verify(shell, tmp_path / "log.jsonl")
