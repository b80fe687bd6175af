"""A child process for test_relaunch.py: opens a core on DATA_DIR, drives one call into PHASE
through the generated bindings, says "ready <label> <waiting for> <join_session calls> <init
requests>" on stdout (the init requests as comma-separated numbers), and waits to be killed
(SIGKILL), as a phone kills an app mid-call.

The shell answers the core as a phone does (harness.Shell: init succeeds, the user is logged in,
both permissions granted; each init answered with its own request number), except in two phases
that stop before the join goes out: "connecting" (the Calls SDK's init #1 is never answered) and
"asking" (the microphone prompt is never answered)."""
import sys
import time

from switchboard import switchboard_domain as d

import harness
from harness import Shell, label

SDK = d.SdkEvent
PHASES = ["connecting", "asking", "joining", "in_call", "reconnecting", "leaving"]


def main(data_dir, phase):
    assert phase in PHASES, phase
    if phase == "connecting":
        shell = Shell(data_dir, init=None)
    elif phase == "asking":
        shell = Shell(data_dir, permissions=harness.perms(mic=d.Authorization.NOT_DETERMINED),
                      answers={})
    else:
        shell = Shell(data_dir)
    shell.open("standup_42")
    shell.do("view_appeared")
    if phase not in ("connecting", "asking", "joining"):
        shell.sdk_event(SDK.JOIN_SUCCEEDED())
        shell.sdk_event(SDK.SESSION_JOINED())
    if phase == "reconnecting":
        shell.sdk_event(SDK.CONNECTION_LOST())
    if phase == "leaving":
        shell.do("leave")
    state = shell.state()
    waiting = getattr(state, "waiting_for", None)
    joins = len(shell.sdk.named("join_session"))
    inits = ",".join(str(n) for n in shell.sdk.init_requests()) or "-"
    print("ready", label(state), waiting.name if waiting else "-", joins, inits, flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
