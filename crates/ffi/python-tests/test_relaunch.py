"""Rule 10 through the generated bindings: a child process is killed with SIGKILL mid-call, in
each phase (held before the join while the Calls SDK gets ready or the microphone prompt is up,
joining, in call, reconnecting, leaving), and a new core opens the same data directory. The new
process never shows a call view for the call it did not join: its first rendered state is the
relaunch notice. Rejoin waits for this process's own SDK init (rule 11) and then gives exactly
one join of the same session; the log replays with --verify."""
import os
import signal
import subprocess
import sys

import pytest
from switchboard import switchboard_domain as d

from harness import Shell, shows_call_view

HERE = os.path.dirname(os.path.abspath(__file__))
# phase -> (the child's label, what its join waits for, join_session calls it made, the numbers
# of the inits it asked for: only the launch's, answered except in "connecting")
EXPECTED_BEFORE = {
    "connecting": ("connecting", "CALLING_SERVICE", 0, "1"),
    "asking": ("connecting", "MICROPHONE_PERMISSION", 0, "1"),
    "joining": ("joining", "-", 1, "1"),
    "in_call": ("in_call", "-", 1, "1"),
    "reconnecting": ("reconnecting", "-", 1, "1"),
    "leaving": ("leaving", "-", 1, "1"),
}


def switchboard_cli():
    path = os.environ.get("SWITCHBOARD_BIN")
    assert path and os.path.exists(path), "SWITCHBOARD_BIN must name the switchboard binary"
    return path


def kill_in(data_dir, phase):
    child = subprocess.Popen([sys.executable, os.path.join(HERE, "relaunch_child.py"),
                              str(data_dir), phase],
                             stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        line = child.stdout.readline().split()
        assert line and line[0] == "ready", f"the child did not get ready: {line}"
        label, waiting, joins, inits = EXPECTED_BEFORE[phase]
        assert line[1:] == [label, waiting, str(joins), inits], line
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def verify(path):
    run = subprocess.run([switchboard_cli(), "replay", str(path), "--verify"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "commands matched" in run.stdout


@pytest.mark.parametrize("phase", list(EXPECTED_BEFORE))
def test_a_call_killed_in_any_phase_comes_back_as_the_relaunch_notice(tmp_path, phase):
    data_dir = tmp_path / "log"
    kill_in(data_dir, phase)

    # The new process's init is left for the test to answer.
    shell = Shell(data_dir, init=None)
    states = shell.ui.states
    assert states, "the new process rendered nothing"
    assert not any(shows_call_view(s) for s in states), states
    first = states[0]
    assert isinstance(first, d.UiState.ENDED), first
    assert isinstance(first.reason, d.EndReason.APP_TERMINATED) and first.can_retry, first
    assert "rejoin" in first.message, first.message
    # The dead process's SDK session is not touched: no leave, no join; this process asks for
    # its own SDK init, numbered from 1 again (the count is this process's).
    assert not shell.sdk.named("join_session") and not shell.sdk.named("leave_session")
    assert shell.sdk.init_requests() == [1]

    shell.do("retry")
    shell.do("view_appeared")
    held = shell.state()
    assert isinstance(held, d.UiState.JOINING), held
    assert held.session_id == "standup_42" and held.waiting_for == d.WaitingFor.CALLING_SERVICE
    assert not shell.sdk.named("join_session"), "joined before this process's init succeeded"
    assert shell.answer_init() == 1
    joins = shell.sdk.named("join_session")
    assert len(joins) == 1 and joins[0][2] == "standup_42", joins
    shell.sdk_event(d.SdkEvent.JOIN_SUCCEEDED())
    assert isinstance(shell.state(), d.UiState.IN_CALL)
    shell.do("leave")
    shell.sdk_event(d.SdkEvent.SESSION_LEFT())
    shell.close_view_and_dismiss()
    assert len(shell.sdk.named("join_session")) == 1
    assert shell.sdk.named("leave_session") == [("leave_session", joins[0][1])]
    out = tmp_path / "log.jsonl"
    shell.sb.export_log(str(out), False)
    shell.sb.shutdown()
    verify(out)


def test_dismissing_the_relaunch_notice_leaves_the_app_idle(tmp_path):
    data_dir = tmp_path / "log"
    kill_in(data_dir, "in_call")
    shell = Shell(data_dir)
    shell.do("dismiss")
    assert isinstance(shell.state(), d.UiState.IDLE), shell.state()
    assert not shell.sdk.named("join_session")
    out = tmp_path / "log.jsonl"
    shell.sb.export_log(str(out), False)
    shell.sb.shutdown()
    verify(out)


def test_a_second_kill_after_the_rejoin_comes_back_as_the_notice_again(tmp_path):
    """The rejoined call is this process's own: killed in its turn, the next process ends it
    too, and the log of the three processes verifies."""
    data_dir = tmp_path / "log"
    kill_in(data_dir, "in_call")
    second = subprocess.Popen([sys.executable, "-c", REJOIN_CHILD, str(data_dir)],
                              stdout=subprocess.PIPE, text=True, env=dict(os.environ), cwd=HERE)
    try:
        assert second.stdout.readline().split() == ["ready", "in_call"]
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait(timeout=30)
    shell = Shell(data_dir)
    first = shell.ui.states[0]
    assert isinstance(first, d.UiState.ENDED), first
    assert isinstance(first.reason, d.EndReason.APP_TERMINATED), first
    assert not any(shows_call_view(s) for s in shell.ui.states)
    out = tmp_path / "log.jsonl"
    shell.sb.export_log(str(out), False)
    shell.sb.shutdown()
    verify(out)


# The second process: the notice, Rejoin, joined; then it waits to be killed.
REJOIN_CHILD = """
import sys, time
sys.path.insert(0, '.')
from switchboard import switchboard_domain as d
from harness import Shell, label
shell = Shell(sys.argv[1])
assert isinstance(shell.state().reason, d.EndReason.APP_TERMINATED), shell.state()
shell.do('retry')
shell.do('view_appeared')
shell.sdk_event(d.SdkEvent.JOIN_SUCCEEDED())
print('ready', label(shell.state()), flush=True)
time.sleep(600)
"""
