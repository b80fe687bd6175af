"""Faults the shell and the phone bring, through the generated bindings: a port method that
raises (every CallsSdk and AudioSession method and UiObserver.render, in turn), a journal sled
cannot open, and sled's unfinished snapshot left by a kill. The core must go on handling events,
settle, shut down within its bound, and say what happened in the log it exports."""
import json
import os
import subprocess
import threading

import pytest
from switchboard import switchboard_domain as d
from switchboard import switchboard_ffi as f

from harness import FakeAudio, FakeSdk, Shell, Ui, config

SDK = d.SdkEvent

# How long shutdown may take here: its own bound (3 s to settle, 1 s per stop step) and margin.
SHUTDOWN_BOUND_S = 15

# (port object, method): every method of the three foreign traits. override_output stays for
# the logs of older builds: today's core routes the speaker choice through set_audio_mode and
# never calls it, so it cannot be made to fail here.
PORT_METHODS = [("sdk", m) for m in [
    "init_calls", "init_chat", "register_listeners", "join_session", "leave_session",
    "set_audio_muted", "set_video_paused", "set_audio_mode",
]] + [("audio", m) for m in ["configure", "activate", "deactivate"]] + [
    ("ui", "render"),
]


def switchboard_cli():
    path = os.environ.get("SWITCHBOARD_BIN")
    assert path and os.path.exists(path), "SWITCHBOARD_BIN must name the switchboard binary"
    return path


def raising(cls, method):
    """A subclass of a fake port whose `method` records the call and then raises."""
    original = getattr(cls, method)

    def failing(self, *args):
        original(self, *args)
        raise RuntimeError(f"shell could not {method}")

    return type(f"Failing_{method}", (cls,), {method: failing})


class FailingShell(Shell):
    def __init__(self, data_dir, port, method):
        classes = {"sdk": FakeSdk, "audio": FakeAudio, "ui": Ui}
        chosen = {k: raising(v, method) if k == port else v for k, v in classes.items()}
        self.sdk, self.audio, self.ui = chosen["sdk"](), chosen["audio"](), chosen["ui"]()
        self.sb = f.Switchboard(config(data_dir, mode=d.IntegrationMode.ADDITIVE),
                                self.sdk, self.audio, self.ui)
        self.settle()


def one_call(shell, session_id):
    shell.join_ok(session_id)
    shell.do("toggle_mic")
    shell.do("toggle_camera")
    shell.do("select_audio_route", True)
    shell.do("leave")
    shell.sdk_event(SDK.SESSION_LEFT())
    shell.close_view_and_dismiss()


def shutdown_within(sb, seconds):
    done = threading.Event()
    errors = []

    def run():
        try:
            sb.shutdown()
        except Exception as e:  # reported below
            errors.append(e)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(seconds), f"shutdown did not return within {seconds} s"
    assert not errors, errors


def exported(sb, path):
    sb.export_log(str(path), False)
    return [json.loads(line) for line in path.read_text().splitlines()]


def port_failures(lines):
    return [line["body"]["input"]["router"]["incident"]["port_failed"]
            for line in lines
            if "port_failed" in json.dumps(line["body"]) and line["kind"] == "input"]


@pytest.mark.parametrize("port,method", PORT_METHODS, ids=[m for _, m in PORT_METHODS])
def test_a_port_method_that_raises_is_logged_and_the_core_goes_on(tmp_path, port, method):
    shell = FailingShell(tmp_path / "log", port, method)
    one_call(shell, "first")
    one_call(shell, "second")
    assert getattr(shell, port).calls if port != "ui" else shell.ui.states
    ends = [s for s in shell.ui.states if isinstance(s, d.UiState.ENDED)]
    if method != "render":
        assert len(ends) == 2, [type(s).__name__ for s in shell.ui.states]
    assert isinstance(shell.state(), d.UiState.IDLE), shell.state()
    lines = exported(shell.sb, tmp_path / "log.jsonl")
    failures = port_failures(lines)
    assert failures, f"no port_failed incident for {method}"
    assert all(f"shell could not {method}" in x["message"] for x in failures), failures
    shutdown_within(shell.sb, SHUTDOWN_BOUND_S)
    run = subprocess.run([switchboard_cli(), "replay", str(tmp_path / "log.jsonl"), "--verify"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def make_log(data_dir, calls=2):
    shell = Shell(data_dir)
    for i in range(calls):
        shell.join_ok(f"before{i}")
        shell.sdk_event(SDK.SESSION_LEFT())
        shell.close_view_and_dismiss()
    shell.sb.shutdown()


def test_a_journal_sled_cannot_open_is_set_aside_and_the_core_starts_fresh(tmp_path):
    data_dir = tmp_path / "log"
    make_log(data_dir)
    # A complete-looking sled snapshot with a wrong checksum: sled refuses the directory.
    (data_dir / "snap.FFFFFFFFFFFFFFFE").write_bytes(b"\x5a" * 64)

    shell = Shell(data_dir)
    assert isinstance(shell.state(), d.UiState.IDLE)
    shell.join_ok("after")
    shell.sdk_event(SDK.SESSION_LEFT())
    shell.close_view_and_dismiss()
    lines = exported(shell.sb, tmp_path / "new.jsonl")
    first = lines[0]["body"]["input"]["router"]["incident"]["journal_set_aside"]
    assert first["kept_as"] == "log.set-aside-1", first
    assert "before0" not in json.dumps(lines)

    names = shell.sb.set_aside_logs()
    assert names == ["log.set-aside-1"]
    old = tmp_path / "old.jsonl"
    n = shell.sb.export_set_aside_log(names[0], str(old), False)
    assert n == len(old.read_text().splitlines()) > 20
    assert "before1" in old.read_text()
    with pytest.raises(f.SwitchboardError.InvalidConfig):
        shell.sb.export_set_aside_log("../elsewhere", str(old), False)
    shell.sb.shutdown()
    for log in (old, tmp_path / "new.jsonl"):
        run = subprocess.run([switchboard_cli(), "replay", str(log), "--verify"],
                             capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr


def test_an_unfinished_sled_snapshot_left_by_a_kill_loses_nothing(tmp_path):
    data_dir = tmp_path / "log"
    make_log(data_dir)
    (data_dir / "snap.FFFFFFFFFFFFFFFF.generating").write_bytes(b"")
    shell = Shell(data_dir)
    lines = exported(shell.sb, tmp_path / "log.jsonl")
    text = json.dumps(lines)
    assert "before0" in text and "before1" in text
    removed = [line for line in lines if "storage_leftovers_removed" in json.dumps(line["body"])]
    assert len(removed) == 1
    assert shell.sb.set_aside_logs() == []
    shell.sb.shutdown()


@pytest.mark.parametrize("data_dir", ["", "relative/dir"])
def test_an_empty_or_relative_data_dir_is_refused(data_dir):
    with pytest.raises(f.SwitchboardError.InvalidConfig):
        f.Switchboard(config(data_dir), FakeSdk(), FakeAudio(), Ui())
