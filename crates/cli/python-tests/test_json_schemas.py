"""Every JSON document the CLI prints validates against its committed schema in schemas/, with a
real JSON Schema validator (the Rust tests only check that the schemas are current).

Run by scripts/test-python.sh, which installs jsonschema into target/py-venv.
"""
import json
import os
import pathlib
import subprocess

import jsonschema
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
BIN = os.environ.get("SWITCHBOARD_BIN", str(ROOT / "target" / "debug" / "switchboard"))
SCHEMAS = ROOT / "schemas"
STRANDED = SCHEMAS / "fixtures" / "support-stranded-view.jsonl"


def validator(name):
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def run(*args, expect=0):
    out = subprocess.run([BIN, *args], capture_output=True, text=True)
    assert out.returncode == expect, (args, out.returncode, out.stderr)
    return out.stdout


def lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def demo_log(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("schemas")
    journal = tmp / "journal"
    run("demo", "--journal", str(journal), "--scenario", "all")
    jsonl = tmp / "all.jsonl"
    run("export", str(journal), "--out", str(jsonl))
    return jsonl


def test_every_exported_line_matches_the_log_record_schema(demo_log, tmp_path):
    v = validator("log-record.schema.json")
    records = lines(demo_log.read_text(encoding="utf-8"))
    assert len(records) > 100
    for r in records:
        v.validate(r)
    # The schema describes the current record format. A format-1 file (the fixture) is upcast
    # when it is read, so its export is current-format lines that match the schema too.
    old = lines(STRANDED.read_text(encoding="utf-8"))
    assert {r["format"] for r in old} == {1}
    upcast = tmp_path / "stranded-now.jsonl"
    run("export", str(STRANDED), "--out", str(upcast))
    now = lines(upcast.read_text(encoding="utf-8"))
    assert len(now) == len(old) and {r["format"] for r in now} == {records[0]["format"]}
    for r in now:
        v.validate(r)


def test_replay_json_rows_match_their_schema(demo_log):
    v = validator("cli/replay-row.schema.json")
    rows = lines(run("replay", str(demo_log), "--json"))
    assert {r["kind"] for r in rows} == {"input", "command", "snapshot"}
    for r in rows:
        v.validate(r)


def test_replay_at_matches_its_schema(demo_log):
    v = validator("cli/replay-at.schema.json")
    for seq in ("0", "40", "120"):
        doc = json.loads(run("replay", str(demo_log), "--at", seq, "--json"))
        assert doc["seq"] == int(seq)
        v.validate(doc)


def test_replay_diff_lines_match_their_schema(demo_log):
    v = validator("cli/replay-diff.schema.json")
    diffs = lines(run("replay", str(demo_log), "--diff", "--json"))
    assert diffs and all(d["changes"] for d in diffs)
    for d in diffs:
        v.validate(d)


def test_diagnose_reports_match_their_schema_clean_or_not(demo_log, tmp_path):
    v = validator("cli/diagnose.schema.json")
    happy = tmp_path / "happy"
    run("demo", "--journal", str(happy), "--scenario", "happy")
    clean = json.loads(run("diagnose", str(happy), "--json"))
    assert clean["findings"] == []
    v.validate(clean)
    # The whole demo has findings on purpose: it kills the app once (the relaunch scenario), and
    # its other device scenarios (a denied microphone...) are found as what they are.
    relaunched = json.loads(run("diagnose", str(demo_log), "--json", expect=1))
    assert "app-terminated" in [f["rule"] for f in relaunched["findings"]]
    v.validate(relaunched)
    found = json.loads(run("diagnose", str(STRANDED), "--json", expect=1))
    assert {f["rule"] for f in found["findings"]} >= {"view-stranded"}
    v.validate(found)


def test_diagnose_rejects_a_rule_name_outside_the_schema():
    # The schema is strict enough to catch a wrong document, not just any JSON.
    v = validator("cli/diagnose.schema.json")
    doc = json.loads(run("diagnose", str(STRANDED), "--json", expect=1))
    doc["findings"][0]["rule"] = "no-such-rule"
    with pytest.raises(jsonschema.ValidationError):
        v.validate(doc)


def test_link_verdicts_match_their_schema():
    v = validator("cli/link.schema.json")
    ok = json.loads(run("link", "https://meet.switchboard.example/meet/abc_DEF-123"))
    assert ok == {"accepted": True, "session_id": "abc_DEF-123"}
    v.validate(ok)
    for url in ("http://meet.switchboard.example/meet/abc", "https://evil.example/meet/abc",
                "https://meet.switchboard.example/other/abc", "not a url"):
        verdict = json.loads(run("link", url, expect=1))
        assert verdict["accepted"] is False
        v.validate(verdict)
