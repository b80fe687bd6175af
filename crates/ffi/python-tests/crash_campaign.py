"""Whole-core crash campaign: calls through the real core, killed with SIGKILL at random moments.

Each round starts a CHILD process that opens the core on one data dir and makes calls in a loop
(link, view appears, join, a few in-call events, leave, session left, dismiss), answering the
core's numbered Calls SDK inits as harness.Shell does (each with its own request number). After
each call has ended and the core has settled (and its re-init, the next number, was asked for and
answered), the child writes "completed <n> <session id>" to its stdout pipe (one write per
line). The parent kills the child after a seeded random delay, then reopens
the same data dir in a NEW process, exports the log there, runs `switchboard replay --verify` on
the export, and checks that every call the child reported completed is in it (its join_session,
leave_session and ended commands). Every round appends to the same journal, as a phone does.

    python3 crash_campaign.py --kills 10 [--seed S] [--data DIR] [--keep DIR]

Needs the generated bindings on PYTHONPATH (scripts/bindings.sh python) and the CLI at
$SWITCHBOARD_BIN (default target/debug/switchboard); scripts/crash-campaign.sh sets both up.
Prints one closing summary line with the counts and exits 1 if any failure count is not zero,
2 on bad arguments. Not a pytest module (its name does not start with test_).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

CHILD_SECONDS_MAX = 60  # a child nobody kills still ends
# A user's pace, shortened: a random pause between steps spreads the kills over the whole call
# (a call without pauses takes about 10 ms, and the log would grow by thousands of calls a round).
STEP_PAUSE_S = 0.02


def child_main(data_dir, seed):
    """The app: calls in a loop until killed. Imports the bindings only here."""
    from harness import Shell
    from switchboard import switchboard_domain as d

    rng = random.Random(seed)
    shell = Shell(data_dir)
    bring_to_idle(shell, d)
    deadline = time.monotonic() + CHILD_SECONDS_MAX
    n = 0
    while time.monotonic() < deadline:
        n += 1
        session_id = f"s{seed}_c{n}"
        inits_before = len(shell.sdk.init_requests())
        one_call(shell, d, rng, session_id)
        if not isinstance(shell.state(), d.UiState.IDLE):
            raise SystemExit(f"call {n} did not end idle: {shell.state()}")
        check_inits(shell, inits_before + 1, session_id)
        # Settled after the dismiss: the call is over as far as the app can tell.
        os.write(1, f"completed {n} {session_id}\n".encode())


def one_call(shell, d, rng, session_id):
    sdk = d.SdkEvent

    def pause():
        time.sleep(rng.uniform(0, STEP_PAUSE_S))

    shell.open(session_id)
    pause()
    shell.do("view_appeared")
    shell.sdk_event(sdk.JOIN_SUCCEEDED())
    pause()
    shell.sdk_event(sdk.SESSION_JOINED())
    for _ in range(rng.randint(0, 4)):
        pause()
        step = rng.choice(["count", "mic", "camera", "drop", "route"])
        if step == "count":
            shell.sdk_event(sdk.PARTICIPANT_COUNT_CHANGED(count=rng.randint(1, 9)))
        elif step == "mic":
            shell.do("toggle_mic")
        elif step == "camera":
            shell.do("toggle_camera")
        elif step == "drop":
            shell.sdk_event(sdk.CONNECTION_LOST())
            shell.sdk_event(sdk.CONNECTION_RESTORED())
        else:
            shell.do("select_audio_route", rng.random() < 0.5)
    pause()
    shell.do("leave")
    pause()
    shell.sdk_event(sdk.SESSION_LEFT())
    if not isinstance(shell.state(), d.UiState.ENDED):
        raise SystemExit(f"{session_id}: not ended after leave: {shell.state()}")
    shell.close_view_and_dismiss()


def check_inits(shell, count, session_id):
    """This process's inits are numbered 1, 2, ... (one more after every call) and each was
    answered: a join waits for the latest, so an unanswered or misnumbered one would hold the
    next call."""
    requests = shell.sdk.init_requests()
    if requests != list(range(1, count + 1)) or shell.sdk.pending:
        raise SystemExit(f"{session_id}: inits {requests} (wanted 1..{count}), "
                         f"unanswered {shell.sdk.pending}")


def bring_to_idle(shell, d):
    """A kill can leave a call open in the log: the new process ends it itself (DESIGN rule 10)
    and shows the relaunch notice, which the app dismisses. A call view here is a failure: this
    process joined nothing."""
    for _ in range(3):
        state = shell.state()
        if isinstance(state, d.UiState.IDLE):
            return
        if not isinstance(state, (d.UiState.ENDED, d.UiState.ERROR)):
            raise SystemExit(f"a call view after the relaunch: {state}")
        shell.close_view_and_dismiss()
    raise SystemExit(f"could not bring the recovered core to idle: {shell.state()}")


def check_main(data_dir, out):
    """The reopen: a new process opens the core on the data dir and exports its log."""
    from harness import Shell

    shell = Shell(data_dir)
    n = shell.sb.export_log(out, False)
    shell.sb.shutdown()
    print(n)


def completed_calls(export):
    """Session ids whose call is whole in the export: join_session, then leave_session and ended
    for the same attempt (attempt ids are matched in log order, so a reused id cannot confuse)."""
    open_calls, whole = {}, set()
    with open(export) as f:
        for line in f:
            body = json.loads(line)["body"]
            cmd = body.get("command") if isinstance(body, dict) else None
            if not isinstance(cmd, dict):
                continue
            name, args = next(iter(cmd.items()))
            if name == "join_session":
                open_calls[args["attempt"]] = [args["session_id"], False]
            elif name == "leave_session" and args["attempt"] in open_calls:
                open_calls[args["attempt"]][1] = True
            elif name == "ended" and args["attempt"] in open_calls:
                session_id, left = open_calls.pop(args["attempt"])
                if left:
                    whole.add(session_id)
    return whole


class Campaign:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.work = tempfile.mkdtemp(prefix="sb-crash-")
        self.data = args.data or os.path.join(self.work, "data")
        self.export = os.path.join(self.work, "export.jsonl")
        self.cli = os.environ.get("SWITCHBOARD_BIN", "target/debug/switchboard")
        self.counts = {"reopen_failures": 0, "verify_failures": 0, "lost_calls": 0,
                       "child_errors": 0}
        self.reported = set()
        self.calls = 0
        self.reopen_errors = []

    def spawn(self, *argv, **kw):
        return subprocess.Popen([sys.executable, os.path.abspath(__file__), *argv], **kw)

    def run_child(self, round_no):
        """Starts a child, kills it after a random delay, returns the calls it reported."""
        delay = self.rng.uniform(0.0, self.args.max_delay)
        err_path = os.path.join(self.work, "child.stderr")
        with open(err_path, "wb") as err:
            child = self.spawn("--child", self.data, "--child-seed", str(round_no),
                               stdout=subprocess.PIPE, stderr=err)
            time.sleep(delay)
            exited = child.poll()
            child.kill()
            out = child.communicate()[0].decode(errors="replace")
        if exited is not None:
            self.counts["child_errors"] += 1
            with open(err_path, errors="replace") as f:
                tail = f.read()[-2000:]
            print(f"round {round_no}: the child exited on its own ({exited}):\n{tail}")
        return [line.split()[2] for line in out.splitlines()
                if line.startswith("completed ") and len(line.split()) == 3]

    def reopen(self, round_no):
        """Reopens the data dir in a new process and exports; True on success."""
        run = subprocess.run([sys.executable, os.path.abspath(__file__), "--check", self.data,
                              "--out", self.export], capture_output=True, text=True)
        if run.returncode == 0:
            return True
        self.counts["reopen_failures"] += 1
        error = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        self.reopen_errors.append(error)
        print(f"round {round_no}: reopen failed: {error}")
        self.keep_copy(round_no)
        self.recover_after_reopen_failure(round_no)
        return False

    def keep_copy(self, round_no):
        if self.args.keep and len(self.reopen_errors) <= 3:
            dest = os.path.join(self.args.keep, f"reopen-failure-round-{round_no}")
            shutil.copytree(self.data, dest, dirs_exist_ok=True)
            print(f"  a copy of the data dir is in {dest}")

    def recover_after_reopen_failure(self, round_no):
        """Tells the known sled leftover (an empty snap.*.generating file) from other damage: it
        removes such files and retries; if the dir still does not open, starts a fresh one so
        the campaign goes on."""
        removed = []
        for root, _, files in os.walk(self.data):
            for name in files:
                path = os.path.join(root, name)
                if name.startswith("snap.") and name.endswith(".generating"):
                    removed.append((name, os.path.getsize(path)))
                    os.remove(path)
        run = subprocess.run([sys.executable, os.path.abspath(__file__), "--check", self.data,
                              "--out", self.export], capture_output=True, text=True)
        verdict = "opens" if run.returncode == 0 else "still does not open"
        print(f"  removed sled temporaries {removed}: the journal {verdict}")
        if run.returncode != 0:
            self.data = os.path.join(self.work, f"data-after-round-{round_no}")
            self.reported = set()

    def verify(self, round_no):
        run = subprocess.run([self.cli, "replay", self.export, "--verify"],
                             capture_output=True, text=True)
        if run.returncode != 0:
            self.counts["verify_failures"] += 1
            print(f"round {round_no}: replay --verify failed ({run.returncode}): "
                  f"{(run.stdout + run.stderr)[-1500:]}")

    def check_calls(self, round_no):
        whole = completed_calls(self.export)
        lost = sorted(self.reported - whole)
        if lost:
            self.counts["lost_calls"] += len(lost)
            print(f"round {round_no}: calls reported completed but not in the log: {lost}")
            self.reported -= set(lost)  # count each lost call once

    def run(self):
        started = time.monotonic()
        for round_no in range(self.args.kills):
            done = self.run_child(round_no)
            self.calls += len(done)
            self.reported.update(done)
            if self.reopen(round_no):
                self.verify(round_no)
                self.check_calls(round_no)
            if self.args.progress and (round_no + 1) % self.args.progress == 0:
                print(f"... {round_no + 1} kills, {self.calls} calls, {self.counts}, "
                      f"{time.monotonic() - started:.0f} s", flush=True)
        elapsed = time.monotonic() - started
        counts = " ".join(f"{k}={v}" for k, v in self.counts.items())
        print(f"crash campaign: kills={self.args.kills} completed_calls={self.calls} {counts} "
              f"seed={self.args.seed} seconds={elapsed:.0f}")
        if self.reopen_errors:
            print("reopen errors: " + " | ".join(sorted(set(self.reopen_errors))))
        if not self.args.data:
            shutil.rmtree(self.work, ignore_errors=True)
        return 1 if any(self.counts.values()) else 0


def parse_args():
    p = argparse.ArgumentParser(description="SIGKILL crash campaign over the whole core")
    p.add_argument("--kills", type=int, default=10)
    p.add_argument("--seed", type=int, default=9)
    p.add_argument("--max-delay", type=float, default=1.0,
                   help="longest wait before the kill, in seconds (uniform from 0)")
    p.add_argument("--data", help="the data dir (kept afterwards); default a temporary one")
    p.add_argument("--keep", help="where to copy data dirs that fail to reopen")
    p.add_argument("--progress", type=int, default=0, help="print a line every N kills")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--child-seed", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--check", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.kills < 1 or args.max_delay <= 0:
        p.error("--kills must be at least 1 and --max-delay positive")
    return args


def main():
    args = parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if args.child:
        child_main(args.child, args.child_seed)
        return 0
    if args.check:
        check_main(args.check, args.out)
        return 0
    return Campaign(args).run()


if __name__ == "__main__":
    sys.exit(main())
