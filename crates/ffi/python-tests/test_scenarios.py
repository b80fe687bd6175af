"""Every `switchboard demo` scenario and the tricky callback orders, played through the FFI.
Each test checks the UiState sequence the shell would draw and the SDK and audio commands the
fakes received."""
import json
import os
import subprocess

import pytest
from switchboard import switchboard_domain as d
from switchboard import switchboard_ffi as f

from harness import Shell, dismisses, label, link

SDK = d.SdkEvent


def assert_one_join_and_listeners_first(shell):
    calls = [c[0] for c in shell.sdk.calls]
    assert calls.count("join_session") == 1, calls
    assert calls.index("register_listeners") < calls.index("join_session")


def assert_audio_for_a_video_call(shell):
    configure = shell.audio.named("configure")
    assert configure, shell.audio.calls
    for _, category, mode, bluetooth, speaker in configure:
        assert category == d.AudioCategory.PLAY_AND_RECORD
        assert mode == d.AudioSessionMode.VIDEO_CHAT
        assert bluetooth and speaker
    assert shell.audio.named("activate")
    assert shell.audio.named("deactivate") == [("deactivate", True)]


def test_happy(shell):
    shell.join_ok("standup_42")
    shell.sdk_event(SDK.PARTICIPANT_COUNT_CHANGED(count=2))
    shell.do("toggle_mic")
    assert shell.state().muted is True
    shell.sdk_event(SDK.LEAVE_BUTTON_CLICKED())
    shell.sdk_event(SDK.SESSION_LEFT())
    ended = shell.state()
    assert isinstance(ended, d.UiState.ENDED)
    assert ended.reason == d.EndReason.LOCAL_LEAVE()
    shell.close_view_and_dismiss()
    assert shell.ui.labels() == ["joining", "in_call", "leaving", "ended", "idle"]
    assert_one_join_and_listeners_first(shell)
    assert shell.sdk.named("set_audio_muted") == [("set_audio_muted", 1, True)]
    assert shell.sdk.named("leave_session") == [("leave_session", 1)]
    assert_audio_for_a_video_call(shell)


def test_drop(shell):
    shell.join_ok("field-ops")
    shell.sdk_event(SDK.CONNECTION_LOST())
    shell.sdk_event(SDK.CONNECTION_RESTORED())
    shell.sdk_event(SDK.CONNECTION_LOST())
    assert shell.state().reconnecting is True
    shell.sdk_event(SDK.CONNECTION_CLOSED())
    assert shell.state().reason == d.EndReason.CONNECTION_CLOSED()
    shell.close_view_and_dismiss()
    assert shell.ui.labels() == [
        "joining", "in_call", "reconnecting", "in_call", "reconnecting", "ended", "idle",
    ]
    assert shell.sdk.named("leave_session") == []


def test_timeout(shell):
    shell.join_ok("office-hours")
    shell.do("audio_event", d.AudioEvent.ROUTE_CHANGED(
        reason=d.RouteChangeReason.NEW_DEVICE_AVAILABLE, output=d.AudioPort.BLUETOOTH_HFP))
    assert shell.state().audio_route == d.AudioPort.BLUETOOTH_HFP
    shell.sdk_event(SDK.PARTICIPANT_COUNT_CHANGED(count=1))
    shell.sdk_event(SDK.SESSION_TIMED_OUT())
    assert shell.state().reason == d.EndReason.IDLE_TIMEOUT()
    shell.close_view_and_dismiss()
    assert shell.ui.labels()[-2:] == ["ended", "idle"]


def test_spurious_init_error_then_success(shell):
    shell.open("retro_7")
    shell.do("view_appeared")
    shell.sdk_event(f.join_failed_event("INIT ERROR", None))
    assert label(shell.state()) == "joining", "a spurious INIT ERROR does not end the attempt"
    shell.sdk_event(SDK.JOIN_SUCCEEDED())
    assert label(shell.state()) == "in_call"
    shell.do("leave")
    shell.sdk_event(SDK.CONNECTION_CLOSED())
    assert shell.state().reason == d.EndReason.LOCAL_LEAVE()
    assert shell.ui.labels() == ["joining", "in_call", "leaving", "ended"]


def test_init_error_twice_then_success(shell):
    shell.open("retro_8")
    shell.do("view_appeared")
    for _ in range(2):
        shell.sdk_event(f.join_failed_event("INIT ERROR", None))
        assert label(shell.state()) == "joining"
    shell.sdk_event(SDK.SESSION_JOINED())
    assert label(shell.state()) == "in_call"
    assert_one_join_and_listeners_first(shell)


def test_double_appear_joins_once(shell):
    shell.open("design-review")
    shell.do("view_appeared")
    shell.do("view_disappeared")
    shell.do("view_appeared")
    shell.sdk_event(SDK.JOIN_SUCCEEDED())
    assert_one_join_and_listeners_first(shell)
    assert label(shell.state()) == "in_call"


def test_the_core_maps_join_errors_the_way_the_shell_receives_them():
    assert f.join_failed_event("auth_token_error", None) == SDK.JOIN_FAILED(
        code=d.JoinErrorCode.AUTH_TOKEN(), message="auth_token_error")
    assert f.join_failed_event(None, "INIT ERROR: not ready").code == d.JoinErrorCode.INIT()
    assert f.join_failed_event(None, None) == SDK.JOIN_FAILED(
        code=d.JoinErrorCode.OTHER(code="UNKNOWN ERROR"), message="Failed to join the call")
    assert f.default_session_settings().idle_timeout_s > 0
    # And back: the SDK's spelling of each code, which a fake SDK reports in onError.
    for spelling in ["INIT ERROR", "AUTH TOKEN ERROR", "SESSION ID ERROR", "API ERROR", "E42"]:
        assert f.join_error_sdk_code(f.join_failed_event(spelling, None).code) == spelling


def test_the_core_names_the_port_method_of_each_effect():
    E = d.Effect
    assert f.effect_port_method(E.CONFIGURE_AUDIO(
        category=d.AudioCategory.PLAY_AND_RECORD, mode=d.AudioSessionMode.VOICE_CHAT,
        options=d.AudioOptions(allow_bluetooth=True, default_to_speaker=False))) == "configure"
    assert f.effect_port_method(E.ACTIVATE_AUDIO()) == "activate"
    assert f.effect_port_method(E.DEACTIVATE_AUDIO(notify_others=True)) == "deactivate"
    assert f.effect_port_method(E.OVERRIDE_OUTPUT(speaker=True)) == "override_output"
    assert f.effect_port_method(E.MUTE_AUDIO(attempt=1)) == "set_audio_muted"
    assert f.effect_port_method(E.UNMUTE_AUDIO(attempt=1)) == "set_audio_muted"
    assert f.effect_port_method(E.INIT_CALLS_SDK()) == "init_calls"
    assert f.effect_port_method(E.RENDER(d.UiState.IDLE())) == "render"
    settings = f.default_session_settings()
    assert f.effect_port_method(
        E.JOIN_SESSION(attempt=1, session_id="abc_1", settings=settings)) == "join_session"
    timer = d.TimerId(kind=d.TimerKind.JOIN_TIMEOUT, attempt=1)
    assert f.effect_port_method(E.START_TIMER(id=timer, after_ms=5)) is None, "timers are the core's"
    # A session id that breaks the rules does not cross the FFI.
    with pytest.raises(Exception, match="bad_characters"):
        f.effect_port_method(E.JOIN_SESSION(attempt=1, session_id="a b", settings=settings))


def test_the_views_questions_are_answered_by_the_core(shell):
    assert f.ui_shows_call_view(shell.state()) is False
    assert f.ui_call_notices(shell.state()) == []
    shell.join_ok("notices")
    state = shell.state()
    assert f.ui_shows_call_view(state) is True
    assert f.ui_call_notices(state) == []
    on_both = d.UiState.IN_CALL(
        session_id=state.session_id, reconnecting=False, muted=False, camera_off=False,
        audio_route=state.audio_route, participant_count=1, audio_interrupted=False,
        switch_offer=None, camera_unavailable=True, audio_unavailable=True)
    notices = f.ui_call_notices(on_both)
    assert len(notices) == 2 and notices[0].startswith("Audio") and notices[1].startswith("Camera")
    assert f.ui_shows_call_view(d.UiState.LEAVING()) is True


def test_auth_token_error_shows_an_alert_then_dismisses(shell):
    shell.open("board-meeting")
    shell.do("view_appeared")
    shell.sdk_event(f.join_failed_event("AUTH TOKEN ERROR", "token expired"))
    alert = shell.state()
    assert isinstance(alert, d.UiState.ERROR)
    assert "AUTH TOKEN ERROR" in alert.message and "token expired" in alert.message
    assert dismisses(alert)
    shell.close_view_and_dismiss()
    assert shell.ui.labels() == ["joining", "error", "idle"]
    assert shell.sdk.named("leave_session") == []
    assert shell.audio.named("deactivate") == [("deactivate", True)]


def test_session_joined_before_join_success(shell):
    shell.open("early-bird")
    shell.do("view_appeared")
    shell.sdk_event(SDK.SESSION_JOINED())
    assert label(shell.state()) == "in_call"
    shell.sdk_event(SDK.JOIN_SUCCEEDED())
    assert shell.ui.labels() == ["joining", "in_call"]


@pytest.mark.parametrize("order", [
    ("SESSION_LEFT", "CONNECTION_CLOSED", "SESSION_TIMED_OUT"),
    ("CONNECTION_CLOSED", "SESSION_TIMED_OUT", "SESSION_LEFT"),
    ("SESSION_TIMED_OUT", "SESSION_LEFT", "CONNECTION_CLOSED"),
])
def test_all_three_terminal_callbacks_together(shell, order):
    shell.join_ok("triple")
    attempt = shell.sdk.last_attempt()
    for name in order:  # sent back to back, without waiting in between
        shell.sb.sdk_event(attempt, getattr(SDK, name)())
    shell.settle()
    want = {
        "SESSION_LEFT": d.EndReason.REMOVED_OR_REMOTE(),
        "CONNECTION_CLOSED": d.EndReason.CONNECTION_CLOSED(),
        "SESSION_TIMED_OUT": d.EndReason.IDLE_TIMEOUT(),
    }[order[0]]
    assert shell.state().reason == want
    ended = [s for s in shell.ui.states if dismisses(s)]
    assert len(ended) == 1, "exactly one end"


def test_leave_button_then_session_left(shell):
    shell.join_ok("leaver")
    shell.sdk_event(SDK.LEAVE_BUTTON_CLICKED())
    assert label(shell.state()) == "leaving"
    shell.do("leave")  # the app's own button as well: still one leave
    shell.sdk_event(SDK.SESSION_LEFT())
    assert shell.state().reason == d.EndReason.LOCAL_LEAVE()
    assert shell.sdk.named("leave_session") == [("leave_session", 1)]


def test_connection_lost_then_closed(shell):
    shell.join_ok("flaky")
    shell.sdk_event(SDK.CONNECTION_LOST())
    assert label(shell.state()) == "reconnecting"
    shell.sdk_event(SDK.CONNECTION_CLOSED())
    assert shell.state().reason == d.EndReason.CONNECTION_CLOSED()
    assert shell.ui.labels() == ["joining", "in_call", "reconnecting", "ended"]


def test_standalone_never_initialises_the_chat_sdk(shell, tmp_path):
    assert shell.sdk.named("init_calls") and not shell.sdk.named("init_chat")
    additive = Shell(tmp_path / "additive", mode=d.IntegrationMode.ADDITIVE)
    assert additive.sdk.named("init_chat")
    additive.sb.shutdown()


def test_a_rejected_link_shows_an_error_and_joins_nothing(shell):
    shell.do("open_url", "http://meet.switchboard.example/meet/abc")
    assert isinstance(shell.state(), d.UiState.ERROR)
    assert shell.sdk.named("join_session") == []


def test_calls_after_shutdown_fail_cleanly(shell):
    shell.sb.shutdown()
    with pytest.raises(f.SwitchboardError.ShutDown):
        shell.sb.open_url("https://meet.switchboard.example/meet/abc")


def switchboard_cli():
    path = os.environ.get("SWITCHBOARD_BIN")
    assert path and os.path.exists(path), "SWITCHBOARD_BIN must name the switchboard binary"
    return path


def test_export_log_replays_with_verify(shell, tmp_path):
    shell.join_ok("exported")
    shell.sdk_event(SDK.CONNECTION_CLOSED())
    shell.close_view_and_dismiss()
    out = tmp_path / "call.jsonl"
    n = shell.sb.export_log(str(out), False)
    assert n == len(out.read_text().splitlines()) > 20
    run = subprocess.run([switchboard_cli(), "replay", str(out), "--verify"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "commands matched" in run.stdout


def test_redacted_export_holds_no_session_id_and_still_verifies(shell, tmp_path):
    shell.join_ok("secret_meeting-9")
    shell.sdk_event(SDK.SESSION_LEFT())
    out = tmp_path / "redacted.jsonl"
    shell.sb.export_log(str(out), True)
    text = out.read_text()
    assert "secret_meeting-9" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert any("/meet/r" in json.dumps(line["body"]) for line in lines)
    run = subprocess.run([switchboard_cli(), "replay", str(out), "--verify"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_sdks_other_buttons_are_logged_and_left_to_the_sdk(shell, tmp_path):
    shell.join_ok("buttons")
    before = list(shell.sdk.calls)
    buttons = list(d.SdkButton)
    assert len(buttons) == 9  # ButtonClickListener's callbacks besides the leave button
    others = [b for b in buttons if b != d.SdkButton.SHARE_INVITE]
    for button in others:
        shell.sdk_event(SDK.BUTTON_CLICKED(button=button))
    # The core answers none of them: the SDK runs its own default action after the callback.
    assert shell.sdk.calls == before
    assert not shell.ui.named("share_link")
    assert label(shell.state()) == "in_call"
    # Share invite is the one the core answers (test_invites.py): the app's share sheet.
    shell.sdk_event(SDK.BUTTON_CLICKED(button=d.SdkButton.SHARE_INVITE))
    assert shell.sdk.calls == before
    assert shell.ui.named("share_link") == [("share_link", link("buttons"))]
    # Each click is in the log, under the SDK's callback name, and the log still verifies.
    out = tmp_path / "buttons.jsonl"
    shell.sb.export_log(str(out), False)
    timeline = subprocess.run([switchboard_cli(), "replay", str(out)],
                              capture_output=True, text=True)
    assert timeline.returncode == 0, timeline.stderr
    for button in others:
        words = "".join(w.capitalize() for w in button.name.split("_"))
        assert f"on{words}ButtonClicked" in timeline.stdout, button
    assert "share invite pressed (attempt 1)" in timeline.stdout
    run = subprocess.run([switchboard_cli(), "replay", str(out), "--verify"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_speaker_choice_goes_through_the_sdks_set_audio_mode(shell):
    shell.do("select_audio_route", True)
    assert not shell.sdk.named("set_audio_mode"), "no SDK session to ask before the join"
    shell.join_ok("speaker")
    attempt = shell.sdk.last_attempt()
    shell.do("select_audio_route", True)
    shell.do("select_audio_route", False)
    assert shell.sdk.named("set_audio_mode") == [
        ("set_audio_mode", attempt, d.AudioMode.SPEAKER),
        ("set_audio_mode", attempt, d.AudioMode.EARPIECE),
    ]
    # The core does not override the audio session's output behind the SDK's back.
    assert not shell.audio.named("override_output")
    shell.sdk_event(SDK.AUDIO_MODE_CHANGED(mode=d.AudioMode.SPEAKER))
    shell.sdk_event(SDK.SESSION_LEFT())
