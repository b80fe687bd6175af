"""A child process for test_relaunch.py: opens a core on DATA_DIR, drives one call into PHASE
through the generated bindings, says "ready" on stdout, and waits to be killed (SIGKILL), as a
phone kills an app mid-call."""
import sys
import time

from switchboard import switchboard_domain as d

from harness import Shell, label

SDK = d.SdkEvent


def main(data_dir, phase):
    shell = Shell(data_dir)
    shell.open("standup_42")
    shell.do("view_appeared")
    if phase != "joining":
        shell.sdk_event(SDK.JOIN_SUCCEEDED())
        shell.sdk_event(SDK.SESSION_JOINED())
    if phase == "reconnecting":
        shell.sdk_event(SDK.CONNECTION_LOST())
    if phase == "leaving":
        shell.do("leave")
    print("ready", label(shell.state()), flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
