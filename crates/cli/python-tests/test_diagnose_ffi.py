"""`switchboard diagnose` finds nothing in a healthy log made through the FFI with the real system
clock: 150 calls driven through the generated bindings (the shell of crates/ffi/python-tests),
some of their inputs sent in bursts so that the actors' records interleave in the journal the
way they do on a phone. Each actor stamps its own records when it handles its message, so a
record can be a few milliseconds older than another actor's record just before it: that is not
a clock going backwards, and must not be reported as one.

Run by scripts/test-python.sh (bindings on PYTHONPATH, SWITCHBOARD_BIN set).
"""
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "crates" / "ffi" / "python-tests"))

from harness import Shell, label  # noqa: E402
from switchboard import switchboard_domain as d  # noqa: E402

SDK = d.SdkEvent
CALLS = 150
BIN = os.environ.get("SWITCHBOARD_BIN", str(ROOT / "target" / "debug" / "switchboard"))


def one_call(shell, n):
    """Call `n`: joined, then ended one of three ways; the closing inputs go in one burst."""
    shell.join_ok(f"call_{n}")
    assert label(shell.state()) == "in_call", n
    attempt = shell.sdk.last_attempt()
    sb = shell.sb
    # A burst: the shell does not wait between these, so the router, session, audio and ui
    # actors handle them concurrently and their records interleave.
    if n % 3 == 0:
        sb.sdk_event(attempt, SDK.LEAVE_BUTTON_CLICKED())
        sb.sdk_event(attempt, SDK.SESSION_LEFT())
    elif n % 3 == 1:
        sb.sdk_event(attempt, SDK.CONNECTION_LOST())
        sb.sdk_event(attempt, SDK.CONNECTION_CLOSED())
    else:
        sb.leave()
        sb.sdk_event(attempt, SDK.SESSION_LEFT())
    sb.view_disappeared()
    shell.settle()
    shell.do("dismiss")
    assert label(shell.state()) == "idle", (n, shell.state())


def test_a_150_call_log_through_the_ffi_is_clean(tmp_path):
    shell = Shell(tmp_path / "log")
    try:
        for n in range(CALLS):
            one_call(shell, n)
        out = tmp_path / "calls.jsonl"
        records = shell.sb.export_log(str(out), False)
    finally:
        shell.sb.shutdown()
    assert records > CALLS * 10
    joins = shell.sdk.named("join_session")
    assert len(joins) == CALLS
    run = subprocess.run([BIN, "diagnose", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "nothing found" in run.stdout
    verify = subprocess.run([BIN, "replay", str(out), "--verify"], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stdout + verify.stderr
