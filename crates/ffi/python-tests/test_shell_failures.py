"""Rule 13 through the generated bindings: a port call the shell could not carry out comes back
as a journaled input naming the call and the error. The audio machine reacts to a failed
configure or activate (InCall says audio_unavailable, and the next foreground or route change
tries again); every other failure is a router incident. The speaker choice goes through the
SDK's setAudioMode, never an output override behind its back."""
import time

import pytest
from switchboard import switchboard_domain as d

from harness import CAMERA, MIC, perms, verified_export

SDK = d.SdkEvent
A = d.Authorization


def exported(shell, path):
    return verified_export(shell.sb, path)


def inputs_of(lines, actor, key):
    """The `key` inputs the log holds for `actor` ("audio" or "router")."""
    out = []
    for line in lines:
        if line["kind"] != "input" or line["actor"] != actor:
            continue
        body = line["body"]["input"][actor]
        if actor == "router" and isinstance(body, dict):
            body = body.get("incident", {})
        if isinstance(body, dict) and key in body:
            out.append(body[key])
    return out


def command_name(command):
    return command if isinstance(command, str) else next(iter(command))


def audio_unavailable(shell):
    state = shell.state()
    assert isinstance(state, d.UiState.IN_CALL), state
    return state.audio_unavailable


def test_a_failed_activation_is_logged_shown_and_retried_on_the_next_foreground(shell_factory,
                                                                                 tmp_path):
    message = "AVAudioSession setActive: Error Domain=NSOSStatusErrorDomain Code=561017449"
    shell = shell_factory(raises={"activate": message})
    shell.join_ok("no_audio")
    assert audio_unavailable(shell) is True
    assert len(shell.audio.named("activate")) == 1

    lines = exported(shell, tmp_path / "one.jsonl")
    failed = inputs_of(lines, "audio", "port_failed")
    assert [command_name(x["command"]) for x in failed] == ["activate_audio"], failed
    assert message in failed[0]["message"], failed
    assert not inputs_of(lines, "router", "port_failed"), "an audio failure is the audio actor's"

    # Back in the foreground while the audio session still refuses: tried again, still off.
    shell.do("app_state", d.AppState.FOREGROUND)
    assert len(shell.audio.named("configure")) == 2 and len(shell.audio.named("activate")) == 2
    assert audio_unavailable(shell) is True
    # The next foreground, once the audio session works again: audio is back.
    del shell.audio.raises["activate"]
    shell.do("app_state", d.AppState.BACKGROUND)
    shell.do("app_state", d.AppState.FOREGROUND)
    assert len(shell.audio.named("configure")) == 3 and len(shell.audio.named("activate")) == 3
    assert audio_unavailable(shell) is False
    # Audio that works is not set up again on every foreground.
    shell.do("app_state", d.AppState.BACKGROUND)
    shell.do("app_state", d.AppState.FOREGROUND)
    assert len(shell.audio.named("activate")) == 3
    shell.sdk_event(SDK.SESSION_LEFT())
    assert shell.audio.named("deactivate") == [("deactivate", True)]
    assert len(inputs_of(exported(shell, tmp_path / "two.jsonl"), "audio", "port_failed")) == 2


def test_a_failed_configure_is_retried_on_a_route_change(shell_factory, tmp_path):
    shell = shell_factory(raises={"configure": "setCategory failed: Code=-50"})
    shell.join_ok("no_category")
    assert audio_unavailable(shell) is True
    shell.audio.raises.clear()
    shell.do("audio_event", d.AudioEvent.ROUTE_CHANGED(
        reason=d.RouteChangeReason.NEW_DEVICE_AVAILABLE, output=d.AudioPort.BLUETOOTH_HFP))
    assert len(shell.audio.named("configure")) == 2 and len(shell.audio.named("activate")) == 2
    state = shell.state()
    assert state.audio_unavailable is False and state.audio_route == d.AudioPort.BLUETOOTH_HFP
    failed = inputs_of(exported(shell, tmp_path / "log.jsonl"), "audio", "port_failed")
    assert [command_name(x["command"]) for x in failed] == ["configure_audio"]


def test_a_failed_deactivation_after_the_call_is_only_recorded(shell_factory, tmp_path):
    shell = shell_factory(raises={"deactivate": "setActive(false): session busy"})
    shell.join_ok("busy")
    shell.sdk_event(SDK.SESSION_LEFT())
    assert isinstance(shell.state(), d.UiState.ENDED)
    shell.close_view_and_dismiss()
    assert isinstance(shell.state(), d.UiState.IDLE)
    failed = inputs_of(exported(shell, tmp_path / "log.jsonl"), "audio", "port_failed")
    assert [command_name(x["command"]) for x in failed] == ["deactivate_audio"]


def test_a_join_the_shell_could_not_start_ends_at_once_with_the_shells_error(shell_factory,
                                                                            tmp_path):
    """No SDK callback ever comes for a join that never started: the core ends the attempt as a
    failed join (JOIN NOT STARTED, retry offered) instead of waiting for its join timeout, and
    leaves nothing (nothing was joined)."""
    shell = shell_factory(raises={"join_session": "no active container view"})
    shell.open("sdk_refuses")
    shell.do("view_appeared")
    state = shell.state()
    assert isinstance(state, d.UiState.ERROR), state
    assert "JOIN NOT STARTED" in state.message and "no active container view" in state.message
    assert state.can_retry
    assert not shell.sdk.named("leave_session")
    lines = exported(shell, tmp_path / "log.jsonl")
    failed = inputs_of(lines, "router", "port_failed")
    assert [command_name(x["command"]) for x in failed] == ["join_session"], failed
    assert failed[0]["command"]["join_session"]["session_id"] == "sdk_refuses"


def test_a_raising_set_audio_muted_is_a_router_incident_and_the_call_goes_on(shell_factory,
                                                                             tmp_path):
    shell = shell_factory(raises={"set_audio_muted": "no active session: muteAudio skipped"})
    shell.join_ok("sdk_refuses")
    shell.do("toggle_mic")
    assert isinstance(shell.state(), d.UiState.IN_CALL), "the call goes on"
    lines = exported(shell, tmp_path / "log.jsonl")
    failed = inputs_of(lines, "router", "port_failed")
    assert [command_name(x["command"]) for x in failed] == ["mute_audio"], failed
    assert "muteAudio skipped" in failed[0]["message"]
    assert not inputs_of(lines, "audio", "port_failed")


def test_a_raising_share_link_or_open_app_settings_is_a_router_incident(shell_factory,
                                                                        tmp_path):
    shell = shell_factory(raises={"share_link": "no window to present the share sheet",
                                  "open_app_settings": "openURL refused"},
                          permissions=perms(mic=A.DENIED))
    shell.open("denied")
    shell.do("open_settings")
    assert len(shell.ui.named("open_app_settings")) == 1
    shell.do("permission_changed", MIC, A.AUTHORIZED)
    shell.close_view_and_dismiss()
    shell.join_ok("invite")
    shell.sdk_event(SDK.BUTTON_CLICKED(button=d.SdkButton.SHARE_INVITE))
    assert len(shell.ui.named("share_link")) == 1
    assert isinstance(shell.state(), d.UiState.IN_CALL), "the call goes on"
    failed = inputs_of(exported(shell, tmp_path / "log.jsonl"), "router", "port_failed")
    assert [command_name(x["command"]) for x in failed] == ["open_app_settings", "share_link"]


def test_the_speaker_choice_calls_set_audio_mode_and_never_overrides_the_output(shell):
    shell.join_ok("speaker_choice")
    attempt = shell.sdk.last_attempt()
    shell.do("select_audio_route", True)
    assert shell.sdk.named("set_audio_mode") == [("set_audio_mode", attempt, d.AudioMode.SPEAKER)]
    shell.do("select_audio_route", False)
    assert shell.sdk.named("set_audio_mode")[-1] == ("set_audio_mode", attempt,
                                                     d.AudioMode.EARPIECE)
    shell.do("audio_event", d.AudioEvent.MEDIA_SERVICES_RESET())
    assert not shell.audio.named("override_output")
    # The category policy stays: play and record, video chat for a video call, never playback.
    for _, category, mode, bluetooth, speaker in shell.audio.named("configure"):
        assert (category, mode) == (d.AudioCategory.PLAY_AND_RECORD, d.AudioSessionMode.VIDEO_CHAT)


def test_a_voice_call_configures_voice_chat(shell_factory):
    shell = shell_factory(session_type=d.SessionType.VOICE)
    shell.join_ok("voice")
    configure = shell.audio.named("configure")
    assert configure and all(c[1:3] == (d.AudioCategory.PLAY_AND_RECORD,
                                        d.AudioSessionMode.VOICE_CHAT) for c in configure)


def test_a_raising_permission_prompt_is_recorded(shell_factory, tmp_path):
    shell = shell_factory(raises={"request_permission": "no key window"},
                          permissions=perms(camera=A.NOT_DETERMINED), join_timeout_ms=30_000)
    shell.open("prompt_fails")
    assert shell.ui.named("request_permission") == [("request_permission", CAMERA)]
    failed = inputs_of(exported(shell, tmp_path / "log.jsonl"), "router", "port_failed")
    assert [command_name(x["command"]) for x in failed] == ["request_permission"]


def test_a_prompt_that_could_not_be_shown_is_asked_again_by_the_retry(shell_factory):
    shell = shell_factory(raises={"request_permission": "no key window"},
                          permissions=perms(mic=A.NOT_DETERMINED), answers={}, join_timeout_ms=300)
    shell.open("prompt_fails")
    shell.do("view_appeared")
    deadline = time.monotonic() + 20
    while isinstance(shell.state(), d.UiState.JOINING) and time.monotonic() < deadline:
        time.sleep(0.02)
    shell.settle()
    assert isinstance(shell.state(), d.UiState.ERROR), shell.state()
    shell.ui.raises.clear()  # the app has a window again
    shell.do("view_disappeared")
    shell.do("retry")
    assert len(shell.ui.named("request_permission")) == 2, "the retry did not ask again"
