//! A hostile record: its checksum is right, but a length inside it claims a terabyte. Every
//! command that reads a log refuses it with exit 2 and one line naming its seq; nothing aborts.
mod support;

use support::*;
use switchboard_journal::script::plant_huge_length_record;

/// A demo journal with the hostile record planted after its last record; and that record's seq.
fn hostile_log(dir: &std::path::Path) -> (String, u64) {
    let log = dir.join("log");
    demo(&log, "happy");
    let seq = plant_huge_length_record(&log).unwrap();
    (log.to_str().unwrap().to_owned(), seq)
}

#[test]
fn every_command_that_needs_the_whole_log_refuses_it_in_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let (log, seq) = hostile_log(tmp.path());
    let log = log.as_str();
    let out = |name: &str| tmp.path().join(name).to_str().unwrap().to_owned();
    let (jsonl, parquet) = (out("x.jsonl"), out("x.parquet"));
    let commands: Vec<Vec<&str>> = vec![
        vec!["replay", log],
        vec!["replay", log, "--verify"],
        vec!["replay", log, "--json"],
        vec!["replay", log, "--diff"],
        vec!["replay", log, "--at", "0"],
        vec!["export", log, "--out", &jsonl],
        vec!["export", log, "--format", "parquet", "--out", &parquet],
    ];
    for args in commands {
        let result = switchboard(&args);
        assert_bad_input(&result, &format!("seq {seq}"));
        assert!(text(&result).1.contains("record limit"), "{args:?}");
    }
    assert!(!tmp.path().join("x.jsonl").exists());
}

/// diagnose and report exist to look at damaged logs: they read the good records before the
/// hostile one and name it, instead of refusing the whole log.
#[test]
fn diagnose_and_report_read_up_to_it_and_name_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (log, seq) = hostile_log(tmp.path());
    let (code, findings) = diagnose(std::path::Path::new(&log));
    assert_eq!(code, 1);
    assert_eq!(rules(&findings), vec!["corrupt-tail"]);
    let what = findings[0]["explanation"].as_str().unwrap();
    assert!(
        what.contains(&format!("seq {seq}")) && what.contains("record limit"),
        "{what}"
    );

    let html = tmp.path().join("r.html");
    let result = switchboard(&["report", &log, "--out", html.to_str().unwrap()]);
    let (_, err) = text(&result);
    assert!(result.status.code().is_some_and(|c| c <= 1), "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains(&format!("seq {seq}")),
        "the report names the bad seq"
    );
}
