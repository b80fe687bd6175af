"""Rule 12 through the generated bindings: the launch reports the microphone and camera status;
what is undetermined is asked for before the join (the camera only for video calls); a denied
microphone never joins and shows an error with "Open Settings", which opens the app's Settings
page; a denied camera joins a video call with video paused and says the camera is unavailable."""

from switchboard import switchboard_domain as d

from harness import CAMERA, MIC, perms, shows_call_view, verified_export

A = d.Authorization
WAIT_MIC = d.WaitingFor.MICROPHONE_PERMISSION
WAIT_CAMERA = d.WaitingFor.CAMERA_PERMISSION


def verify(shell, path):
    verified_export(shell.sb, path)


def prompts(shell):
    return [c[1] for c in shell.ui.named("request_permission")]


def assert_waiting(shell, waiting_for):
    state = shell.state()
    assert isinstance(state, d.UiState.JOINING) and state.waiting_for == waiting_for, state


def assert_mic_denied_error(state):
    assert isinstance(state, d.UiState.ERROR), state
    assert state.open_settings and not state.can_retry, state
    assert "Settings" in state.message and "microphone" in state.message, state.message


def test_an_undetermined_microphone_is_asked_for_before_the_join(shell_factory):
    shell = shell_factory(permissions=perms(mic=A.NOT_DETERMINED), answers={})
    assert prompts(shell) == [], "nothing is asked before a call is wanted"
    shell.open("ask_first")
    assert prompts(shell) == [MIC]
    shell.do("view_appeared")
    assert_waiting(shell, WAIT_MIC)
    assert not shell.sdk.named("join_session") and not shell.audio.named("activate")
    shell.answer_permission(MIC, A.AUTHORIZED)
    assert [j[2] for j in shell.sdk.named("join_session")] == ["ask_first"]
    assert prompts(shell) == [MIC], "asked once"


def test_a_microphone_denied_at_the_prompt_never_joins_and_offers_settings(shell_factory,
                                                                           tmp_path):
    shell = shell_factory(permissions=perms(mic=A.NOT_DETERMINED), answers={})
    shell.open("denied")
    shell.do("view_appeared")
    assert prompts(shell) == [MIC]
    shell.answer_permission(MIC, A.DENIED)
    assert_mic_denied_error(shell.state())
    assert not shell.sdk.named("join_session") and not shell.sdk.named("register_listeners")
    assert not shell.sdk.named("leave_session") and not shell.audio.named("activate")
    assert not shell.ui.named("open_app_settings")
    shell.do("open_settings")
    assert shell.ui.named("open_app_settings") == [("open_app_settings",)]
    # Asking again shows no prompt on iOS: the next call is refused at once, without asking.
    shell.close_view_and_dismiss()
    shell.open("denied_again")
    shell.do("view_appeared")
    assert_mic_denied_error(shell.state())
    assert prompts(shell) == [MIC]
    assert not shell.sdk.named("join_session")
    verify(shell, tmp_path / "log.jsonl")


def test_a_microphone_denied_or_restricted_at_launch_is_refused_without_a_prompt(shell_factory):
    for status in (A.DENIED, A.RESTRICTED):
        shell = shell_factory(permissions=perms(mic=status))
        shell.open("no_mic")
        assert_mic_denied_error(shell.state())
        assert not any(shows_call_view(s) for s in shell.ui.states), "no call view for it"
        assert prompts(shell) == [] and not shell.sdk.named("join_session")
        shell.do("open_settings")
        assert len(shell.ui.named("open_app_settings")) == 1


def test_the_user_turning_the_microphone_on_in_settings_lets_the_next_call_join(shell_factory):
    shell = shell_factory(permissions=perms(mic=A.DENIED))
    shell.open("before")
    assert_mic_denied_error(shell.state())
    shell.close_view_and_dismiss()
    shell.do("permission_changed", MIC, A.AUTHORIZED)  # seen when the app came back
    shell.open("after")
    shell.do("view_appeared")
    assert [j[2] for j in shell.sdk.named("join_session")] == ["after"]


def test_open_settings_does_nothing_when_no_permission_is_missing(shell):
    shell.join_ok("fine")
    shell.do("open_settings")
    shell.sdk_event(d.SdkEvent.SESSION_LEFT())
    shell.do("open_settings")
    assert not shell.ui.named("open_app_settings")


def test_a_denied_camera_joins_a_video_call_with_video_paused(shell_factory):
    shell = shell_factory(permissions=perms(camera=A.DENIED))
    shell.open("no_camera")
    shell.do("view_appeared")
    assert prompts(shell) == []
    joins = shell.sdk.named("join_session")
    assert [j[2] for j in joins] == ["no_camera"]
    assert shell.sdk.join_settings[0].start_video_paused is True
    shell.sdk_event(d.SdkEvent.JOIN_SUCCEEDED())
    state = shell.state()
    assert isinstance(state, d.UiState.IN_CALL), state
    assert state.camera_unavailable is True and state.camera_off is True, state


def test_a_camera_denied_at_the_prompt_joins_with_video_paused(shell_factory):
    shell = shell_factory(permissions=perms(mic=A.NOT_DETERMINED, camera=A.NOT_DETERMINED),
                          answers={})
    shell.open("both_asked")
    shell.do("view_appeared")
    assert prompts(shell) == [MIC, CAMERA]
    assert_waiting(shell, WAIT_MIC)
    shell.answer_permission(MIC, A.AUTHORIZED)
    assert_waiting(shell, WAIT_CAMERA)
    assert not shell.sdk.named("join_session")
    shell.answer_permission(CAMERA, A.DENIED)
    assert len(shell.sdk.named("join_session")) == 1
    assert shell.sdk.join_settings[0].start_video_paused is True
    shell.sdk_event(d.SdkEvent.SESSION_JOINED())
    assert shell.state().camera_unavailable is True


def test_an_allowed_camera_joins_with_video_on(shell):
    shell.join_ok("camera_ok")
    assert shell.sdk.join_settings[0].start_video_paused is False
    state = shell.state()
    assert state.camera_unavailable is False and state.camera_off is False, state


def test_a_voice_call_needs_no_camera(shell_factory):
    shell = shell_factory(permissions=perms(camera=A.DENIED), session_type=d.SessionType.VOICE)
    shell.join_ok("voice")
    assert prompts(shell) == []
    assert shell.sdk.join_settings[0].start_video_paused is False
    assert shell.state().camera_unavailable is False
    undetermined = shell_factory(permissions=perms(camera=A.NOT_DETERMINED), answers={},
                                 session_type=d.SessionType.VOICE)
    undetermined.open("voice2")
    undetermined.do("view_appeared")
    assert prompts(undetermined) == [], "a voice call asks for no camera"
    assert len(undetermined.sdk.named("join_session")) == 1
