"""Rule 10 through the generated bindings: a child process is killed with SIGKILL mid-call, in
each phase, and a new core opens the same data directory. The new process never shows a call
view for the call it did not join: its first rendered state is the relaunch notice; Rejoin gives
exactly one join of the same session; the log replays with --verify."""
import os
import signal
import subprocess
import sys

import pytest
from switchboard import switchboard_domain as d

from harness import Shell

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED_BEFORE = {
    "joining": "joining",
    "in_call": "in_call",
    "reconnecting": "reconnecting",
    "leaving": "leaving",
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
        assert line[1] == EXPECTED_BEFORE[phase], line
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


@pytest.mark.parametrize("phase", list(EXPECTED_BEFORE))
def test_a_call_killed_in_any_phase_comes_back_as_the_relaunch_notice(tmp_path, phase):
    data_dir = tmp_path / "log"
    kill_in(data_dir, phase)

    shell = Shell(data_dir)
    states = shell.ui.states
    assert states, "the new process rendered nothing"
    assert not any(isinstance(s, (d.UiState.JOINING, d.UiState.IN_CALL, d.UiState.LEAVING))
                   for s in states), states
    first = states[0]
    assert isinstance(first, d.UiState.ENDED), first
    assert isinstance(first.reason, d.EndReason.APP_TERMINATED) and first.can_retry, first
    # The dead process's SDK session is not touched: no leave, no join.
    assert not shell.sdk.named("join_session") and not shell.sdk.named("leave_session")

    shell.do("retry")
    shell.do("view_appeared")
    joins = shell.sdk.named("join_session")
    assert len(joins) == 1 and joins[0][2] == "standup_42", joins
    shell.sdk_event(d.SdkEvent.JOIN_SUCCEEDED())
    assert isinstance(shell.state(), d.UiState.IN_CALL)
    shell.do("leave")
    shell.sdk_event(d.SdkEvent.SESSION_LEFT())
    shell.close_view_and_dismiss()
    out = tmp_path / "log.jsonl"
    shell.sb.export_log(str(out), False)
    shell.sb.shutdown()
    run = subprocess.run([switchboard_cli(), "replay", str(out), "--verify"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_dismissing_the_relaunch_notice_leaves_the_app_idle(tmp_path):
    data_dir = tmp_path / "log"
    kill_in(data_dir, "in_call")
    shell = Shell(data_dir)
    shell.do("dismiss")
    assert isinstance(shell.state(), d.UiState.IDLE), shell.state()
    assert not shell.sdk.named("join_session")
    shell.sb.shutdown()
