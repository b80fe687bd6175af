"""Fleet-scale export: DuckDB reads `switchboard export --format parquet` files, and its answers
equal the same counts worked out from the JSON Lines exports of the same logs.

Run from the repository root (installs pytest and duckdb into target/py-venv when missing):
    cargo build -p switchboard-cli
    test -x target/py-venv/bin/pytest || { python3 -m venv target/py-venv; target/py-venv/bin/pip install -q pytest; }
    target/py-venv/bin/python -c 'import duckdb' 2>/dev/null || target/py-venv/bin/pip install -q duckdb
    SWITCHBOARD_BIN=$PWD/target/debug/switchboard target/py-venv/bin/pytest -q -p no:cacheprovider crates/cli/python-tests
"""
import collections
import json
import os
import pathlib
import subprocess

import duckdb
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
BIN = os.environ.get("SWITCHBOARD_BIN", str(ROOT / "target" / "debug" / "switchboard"))
SCENARIOS = ["happy", "drop", "timeout", "spurious-init-error", "double-appear", "auth-error",
             "relaunch"]


def run(*args):
    out = subprocess.run([BIN, *args], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """One "device" per demo scenario (and one that ran them all): each log exported as JSONL
    and as Parquet."""
    tmp = tmp_path_factory.mktemp("fleet")
    devices = []
    for name in SCENARIOS + ["all"]:
        journal = tmp / f"journal-{name}"
        run("demo", "--journal", str(journal), "--scenario", name)
        jsonl, parquet = tmp / f"{name}.jsonl", tmp / f"{name}.parquet"
        run("export", str(journal), "--out", str(jsonl))
        run("export", str(journal), "--out", str(parquet), "--format", "parquet")
        devices.append((name, jsonl, parquet))
    return tmp, devices


def jsonl_records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def end_reason(record):
    """The end reason of a `command.ended` record, as the Parquet column names it."""
    command = record["body"].get("command")
    if not isinstance(command, dict) or "ended" not in command:
        return None
    reason = command["ended"]["reason"]
    return reason if isinstance(reason, str) else next(iter(reason))


def test_calls_per_end_reason_match_the_jsonl_export(fleet):
    tmp, devices = fleet
    expected = collections.Counter()
    for _, jsonl, _ in devices:
        for r in jsonl_records(jsonl):
            reason = end_reason(r)
            if reason is not None:
                expected[reason] += 1
    got = dict(
        duckdb.sql(
            f"""SELECT end_reason, count(*) FROM read_parquet('{tmp}/*.parquet')
                WHERE body_type = 'command.ended' GROUP BY end_reason"""
        ).fetchall()
    )
    assert got == dict(expected)
    # The devices of the seven scenarios named above (the "all" device may run more as the demo
    # grows, and runs at least these): the relaunch scenario adds a local leave (its rejoined
    # call) and an app_terminated (the call the kill lost).
    named = dict(
        duckdb.sql(
            f"""SELECT end_reason, count(*) FROM read_parquet('{tmp}/*.parquet', filename = true)
                WHERE body_type = 'command.ended' AND filename NOT LIKE '%/all.parquet'
                GROUP BY end_reason"""
        ).fetchall()
    )
    assert named["local_leave"] == 4 and named["connection_closed"] == 1, named
    assert named["join_failed"] == 1 and named["app_terminated"] == 1, named
    assert all(got[reason] >= 2 * n for reason, n in named.items()), (got, named)


def test_one_row_per_record_and_the_same_records(fleet):
    _, devices = fleet
    for name, jsonl, parquet in devices:
        records = jsonl_records(jsonl)
        rows = duckdb.sql(
            f"SELECT seq, at_ms, actor, kind, crc32, body_json FROM read_parquet('{parquet}') ORDER BY seq"
        ).fetchall()
        assert len(rows) == len(records), name
        for (seq, at_ms, actor, kind, crc, body), r in zip(rows, records):
            assert (seq, at_ms, actor, kind, crc) == (r["seq"], r["at_ms"], r["actor"], r["kind"], r["crc32"])
            assert json.loads(body) == r["body"]


def is_connection_lost(record):
    session = record["body"].get("input", {}).get("session")
    return isinstance(session, dict) and session.get("sdk") == "connection_lost"


def test_drops_and_reconnects_per_device(fleet):
    tmp, devices = fleet
    got = dict(
        duckdb.sql(
            f"""SELECT regexp_extract(filename, '([^/]+)\\.parquet$', 1) AS device, count(*)
                FROM read_parquet('{tmp}/*.parquet', filename = true)
                WHERE body_type = 'input.session.sdk.connection_lost' GROUP BY device"""
        ).fetchall()
    )
    expected = {}
    for name, jsonl, _ in devices:
        n = sum(1 for r in jsonl_records(jsonl) if is_connection_lost(r))
        if n:
            expected[name] = n
    assert got == expected
    assert got["drop"] == 2 and got["all"] >= 2
    assert set(got) - {"drop", "all"} == set(), got


def test_redacted_parquet_has_no_raw_session_id(fleet):
    tmp, devices = fleet
    _, jsonl, _ = devices[0]
    out = tmp / "redacted.parquet"
    run("export", str(jsonl), "--out", str(out), "--format", "parquet", "--redact")
    rows = duckdb.sql(f"SELECT * FROM read_parquet('{out}')").fetchall()
    text = "\n".join(str(cell) for row in rows for cell in row)
    assert "standup_42" not in text
    assert len(rows) == len(jsonl_records(jsonl))
