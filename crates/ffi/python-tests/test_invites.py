"""Invites and new meetings through the generated bindings: the SDK's share-invite button makes
the core hand the shell the meeting link of the current session (for the first allowed host),
and that link opens the same session; "new meeting" starts a call with the fresh id the shell
generated, checked like any other id."""
import json
import os
import subprocess
import uuid

from switchboard import switchboard_domain as d

from harness import HOST, link

SDK = d.SdkEvent
SHARE = SDK.BUTTON_CLICKED(button=d.SdkButton.SHARE_INVITE)


def switchboard_cli():
    path = os.environ.get("SWITCHBOARD_BIN")
    assert path and os.path.exists(path), "SWITCHBOARD_BIN must name the switchboard binary"
    return path


def shared(shell):
    return [c[1] for c in shell.ui.named("share_link")]


def test_share_invite_hands_the_shell_the_link_of_the_current_session(shell):
    shell.join_ok("weekly_sync-3")
    shell.sdk_event(SHARE)
    assert shared(shell) == [f"https://{HOST}/meet/weekly_sync-3"]
    # The SDK goes on with the call; the core asked nothing of it.
    assert isinstance(shell.state(), d.UiState.IN_CALL)


def test_the_shared_link_is_built_for_the_first_allowed_host(shell_factory):
    shell = shell_factory(hosts=["calls.example.org", HOST])
    shell.join_ok("two_hosts")  # a link on the second host is accepted...
    shell.sdk_event(SHARE)
    assert shared(shell) == ["https://calls.example.org/meet/two_hosts"]  # ...the invite: first


def test_the_shared_link_opens_the_same_session_later_and_during_another_call(shell_factory):
    first = shell_factory()
    first.join_ok("team_standup")
    first.sdk_event(SHARE)
    (url,) = shared(first)
    # Opened during the very call it came from: the same call, nothing new.
    first.do("open_url", url)
    assert len(first.sdk.named("join_session")) == 1
    assert first.state().switch_offer is None
    first.sdk_event(SDK.SESSION_LEFT())
    first.close_view_and_dismiss()
    # After the call: it joins the same id again.
    first.do("open_url", url)
    first.do("view_appeared")
    assert [j[2] for j in first.sdk.named("join_session")] == ["team_standup", "team_standup"]

    # On another phone, in the middle of another call: offered as a switch to the same id.
    other = shell_factory()
    other.join_ok("something_else")
    other.do("open_url", url)
    offer = other.state()
    assert isinstance(offer, d.UiState.IN_CALL) and offer.switch_offer == "team_standup", offer
    other.do("answer_switch", True)
    other.sdk_event(SDK.SESSION_LEFT())
    other.do("view_appeared")
    assert [j[2] for j in other.sdk.named("join_session")] == ["something_else", "team_standup"]


def test_share_invite_of_an_ended_or_unknown_attempt_shares_nothing(shell):
    shell.join_ok("over")
    attempt = shell.sdk.last_attempt()
    shell.sdk_event(SDK.SESSION_LEFT())
    shell.sdk_event(SHARE, attempt=attempt)
    shell.sdk_event(SHARE, attempt=attempt + 7)
    assert shared(shell) == []


def test_a_new_meeting_starts_a_call_with_the_id_the_shell_generated(shell):
    meeting = str(uuid.uuid4())
    shell.do("new_meeting", meeting)
    state = shell.state()
    assert isinstance(state, d.UiState.JOINING) and state.session_id == meeting, state
    shell.do("view_appeared")
    assert [j[2] for j in shell.sdk.named("join_session")] == [meeting]
    shell.sdk_event(SDK.SESSION_JOINED())
    shell.sdk_event(SHARE)
    assert shared(shell) == [link(meeting)]


def test_a_malformed_new_meeting_id_is_rejected_with_an_error(shell):
    for bad, words in [("", "no meeting id"), ("not a uuid!", "letters, digits"),
                       ("x" * 65, "too long"), ("../../etc", "letters, digits")]:
        shell.do("new_meeting", bad)
        error = shell.state()
        assert isinstance(error, d.UiState.ERROR), (bad, error)
        assert words in error.message and not error.can_retry, (bad, error.message)
        shell.do("dismiss")
    assert not shell.sdk.named("join_session") and not shell.sdk.named("register_listeners")


def test_every_link_the_core_shares_is_accepted_with_the_same_id(shell, tmp_path):
    """The router's own link check (`switchboard link`) accepts every link the core builds."""
    ids = [str(uuid.uuid4()) for _ in range(5)] + ["a", "Z-9_z", "x" * 64]
    for n, meeting in enumerate(ids):
        shell.do("new_meeting", meeting)
        shell.do("view_appeared")
        shell.sdk_event(SDK.SESSION_JOINED())
        shell.sdk_event(SHARE)
        shell.sdk_event(SDK.SESSION_LEFT())
        shell.close_view_and_dismiss()
    urls = shared(shell)
    assert len(urls) == len(ids)
    for meeting, url in zip(ids, urls):
        run = subprocess.run([switchboard_cli(), "link", url], capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
        assert json.loads(run.stdout) == {"accepted": True, "session_id": meeting}
