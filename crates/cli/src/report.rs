//! `switchboard report`: one self-contained HTML page for a call-event log. Rust works out
//! everything (lanes, session state bands, markers, diagnose findings, a summary per call and
//! the state of each machine after every input that changed it) and embeds it as JSON; the
//! page's inline script draws the timeline as SVG, fills the filterable event table and shows
//! the state of every machine after the event the user selects. Nothing is loaded from the
//! network.
use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;
use switchboard_domain::session::Phase;
use switchboard_domain::{
    ActorName, Command, Effect, Entry, Input, JoinErrorCode, Machines, Message, Notice,
    RouterInput, SdkEvent, SessionInput, UiState,
};
use switchboard_journal::{Fold, Record, Replay};

use crate::diagnose::{self, Finding, Limits};
use crate::error::CliError;
use crate::state;
use crate::timeline::record_text;

const CSS: &str = include_str!("report/report.css");
const JS: &str = include_str!("report/report.js");

/// Arguments of `switchboard report`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  switchboard report switchboard-demo --out call.html\n\nThe page is one file with its styles and script inline; it loads nothing from the network."
)]
pub struct ReportArgs {
    /// A sled journal directory or an exported .jsonl file.
    pub log: PathBuf,
    /// The .html file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// One record as the page shows it.
#[derive(Serialize)]
struct Event {
    seq: u64,
    /// Milliseconds since the first record.
    t: u64,
    actor: String,
    /// `i` for an input, `c` for a command.
    k: &'static str,
    text: String,
    /// For inputs: the actor's state afterwards, in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<String>,
}

/// A stretch of time a lane spent in one state.
#[derive(Serialize)]
struct Band {
    lane: String,
    state: &'static str,
    from: u64,
    to: u64,
    seq: u64,
}

/// Something to point at on the timeline.
#[derive(Serialize)]
struct Marker {
    kind: &'static str,
    lane: String,
    t: u64,
    seq: u64,
    label: String,
}

/// One machine's state after an input that changed it.
#[derive(Serialize)]
struct Snapshot {
    seq: u64,
    actor: String,
    summary: String,
    state: Value,
}

/// A summary of one call attempt.
#[derive(Serialize, Default)]
struct Call {
    attempt: u64,
    session: String,
    start: u64,
    joined: Option<u64>,
    ended: Option<u64>,
    reason: Option<String>,
    drops: u32,
    reconnecting_ms: u64,
}

/// Everything the page draws.
#[derive(Serialize)]
struct Model {
    source: String,
    origin_ms: u64,
    span_ms: u64,
    lanes: Vec<String>,
    events: Vec<Event>,
    bands: Vec<Band>,
    markers: Vec<Marker>,
    findings: Vec<Finding>,
    snapshots: Vec<Snapshot>,
    calls: Vec<Call>,
    tail_error: Option<String>,
}

/// `switchboard report LOG --out FILE.html`.
pub fn run(args: ReportArgs) -> Result<(), CliError> {
    crate::output_file::check_not_the_log(&args.log, &args.out)?;
    let (records, tail) = switchboard_journal::open_log_prefix(&args.log)?;
    let found = diagnose::findings(&records, tail.as_ref(), Limits::default());
    let model = model(
        &records,
        found,
        tail.map(|e| e.to_string()),
        &args.log.display().to_string(),
    );
    let html = render(&model)?;
    crate::output_file::write_atomically(&args.out, |w| {
        Ok(std::io::Write::write_all(w, html.as_bytes())?)
    })?;
    println!(
        "wrote {} ({} records, {} lanes, {} finding(s))",
        args.out.display(),
        records.len(),
        model.lanes.len(),
        model.findings.len()
    );
    Ok(())
}

fn model(records: &[Record], findings: Vec<Finding>, tail: Option<String>, source: &str) -> Model {
    let origin = records.first().map_or(0, |r| r.at_ms);
    let end = records.last().map_or(0, |r| r.at_ms);
    let mut b = Builder {
        origin,
        end: end.saturating_sub(origin),
        ..Builder::default()
    };
    let mut replay = Replay::folding();
    for r in records {
        b.record(r, &mut replay);
    }
    b.close_bands();
    b.reconnecting_totals();
    for f in &findings {
        b.finding(records, f);
    }
    Model {
        source: source.to_owned(),
        origin_ms: origin,
        span_ms: end.saturating_sub(origin),
        lanes: lanes(records),
        events: b.events,
        bands: b.bands,
        markers: b.markers,
        findings,
        snapshots: b.snapshots,
        calls: b.calls.into_values().collect(),
        tail_error: tail,
    }
}

/// The lanes in display order: router, sessions by attempt, audio, ui.
fn lanes(records: &[Record]) -> Vec<String> {
    let mut actors: Vec<ActorName> = records.iter().map(|r| r.actor).collect();
    actors.sort_by_key(|a| match a {
        ActorName::Router => (0, 0),
        ActorName::Session(n) => (1, *n),
        ActorName::Audio => (2, 0),
        ActorName::Ui => (3, 0),
    });
    actors.dedup();
    actors.iter().map(|a| a.to_string()).collect()
}

/// Folds the log once and collects what the page needs.
#[derive(Default)]
struct Builder {
    origin: u64,
    end: u64,
    events: Vec<Event>,
    bands: Vec<Band>,
    /// The open band of each lane.
    open: BTreeMap<String, Band>,
    markers: Vec<Marker>,
    snapshots: Vec<Snapshot>,
    last_state: BTreeMap<ActorName, Value>,
    calls: BTreeMap<u64, Call>,
}

impl Builder {
    fn record(&mut self, r: &Record, replay: &mut Replay) {
        let t = r.at_ms.saturating_sub(self.origin);
        let mut summary = None;
        let step = replay.feed(r);
        let machines = step.machines;
        if let Entry::Input(_) = &r.body {
            match step.fold {
                Fold::Rejected(e) => {
                    summary = Some(format!("(rejected, state unchanged: {e})"));
                }
                _ => {
                    summary = Some(machines.summary(r.actor));
                    self.snapshot(r, machines);
                    self.session_band(r, machines, t);
                    if r.actor == ActorName::Router {
                        let view = if machines.router.view_visible() {
                            "view-up"
                        } else {
                            "none"
                        };
                        self.band("router", view, t, r.seq);
                    }
                }
            }
        }
        self.marks(r, t);
        self.call_facts(r, t);
        if let Entry::Command(Command::Effect(Effect::Render(ui))) = &r.body {
            self.band(&r.actor.to_string(), ui_band(ui), t, r.seq);
        }
        self.events.push(Event {
            seq: r.seq,
            t,
            actor: r.actor.to_string(),
            k: if matches!(r.body, Entry::Input(_)) {
                "i"
            } else {
                "c"
            },
            text: record_text(r),
            state: summary,
        });
    }

    /// Keeps the actor's state if the input changed it.
    fn snapshot(&mut self, r: &Record, machines: &Machines) {
        let now = state::machine_json(machines, r.actor);
        if self.last_state.get(&r.actor) == Some(&now) {
            return;
        }
        self.last_state.insert(r.actor, now.clone());
        self.snapshots.push(Snapshot {
            seq: r.seq,
            actor: r.actor.to_string(),
            summary: machines.summary(r.actor),
            state: now,
        });
    }

    fn session_band(&mut self, r: &Record, machines: &Machines, t: u64) {
        let ActorName::Session(a) = r.actor else {
            return;
        };
        let Some(s) = machines.sessions.get(&a) else {
            return;
        };
        let name = match s.phase() {
            Phase::Unstarted => return,
            Phase::Waiting | Phase::Joining => "joining",
            Phase::InCall {
                reconnecting: false,
            } => "in-call",
            Phase::InCall { reconnecting: true } => "reconnecting",
            Phase::Leaving => "leaving",
            Phase::Ended(_) => "ended",
        };
        self.band(&r.actor.to_string(), name, t, r.seq);
    }

    /// Starts a band on a lane unless the lane is already in that state.
    fn band(&mut self, lane: &str, state: &'static str, t: u64, seq: u64) {
        if self.open.get(lane).is_some_and(|b| b.state == state) {
            return;
        }
        if let Some(mut prev) = self.open.remove(lane) {
            prev.to = t;
            self.bands.push(prev);
        }
        self.open.insert(
            lane.to_owned(),
            Band {
                lane: lane.to_owned(),
                state,
                from: t,
                to: t,
                seq,
            },
        );
    }

    fn close_bands(&mut self) {
        let end = self.end;
        for (_, mut b) in std::mem::take(&mut self.open) {
            b.to = end;
            self.bands.push(b);
        }
        // "none" only closes the band before it.
        self.bands.retain(|b| b.state != "none");
        self.bands.sort_by_key(|b| (b.from, b.seq));
    }

    fn mark(&mut self, kind: &'static str, r: &Record, t: u64, label: String) {
        self.markers.push(Marker {
            kind,
            lane: r.actor.to_string(),
            t,
            seq: r.seq,
            label,
        });
    }

    fn marks(&mut self, r: &Record, t: u64) {
        match &r.body {
            Entry::Input(Input::Session(SessionInput::Sdk(e)))
            | Entry::Input(Input::Router(RouterInput::StaleSdkEvent { event: e, .. })) => {
                if let Some(kind) = sdk_marker(e) {
                    self.mark(kind, r, t, e.to_string());
                }
            }
            Entry::Input(Input::Session(SessionInput::TimerFired(kind))) => {
                self.mark("timeout", r, t, format!("timer fired: {kind:?}"));
            }
            Entry::Command(Command::Message(Message::Ended { reason, .. })) => {
                self.mark("end", r, t, format!("ended: {reason}"));
            }
            Entry::Command(Command::Effect(Effect::Render(UiState::Error { message, .. }))) => {
                self.mark("error", r, t, format!("error shown: {message}"));
            }
            Entry::Command(Command::Message(Message::Notify(n @ Notice::LinkRejected { .. }))) => {
                self.mark("error", r, t, n.to_string());
            }
            _ => {}
        }
    }

    fn call_facts(&mut self, r: &Record, t: u64) {
        match (&r.actor, &r.body) {
            (
                ActorName::Session(a),
                Entry::Input(Input::Session(SessionInput::Start { session_id, .. })),
            ) => {
                self.calls.insert(
                    *a,
                    Call {
                        attempt: *a,
                        session: session_id.to_string(),
                        start: t,
                        ..Call::default()
                    },
                );
            }
            (
                ActorName::Session(a),
                Entry::Command(Command::Message(Message::SessionChanged(v))),
            ) => {
                let Some(c) = self.calls.get_mut(a) else {
                    return;
                };
                use switchboard_domain::view::PhaseView as P;
                match &v.phase {
                    P::Connected | P::Reconnecting if c.joined.is_none() => c.joined = Some(t),
                    _ => {}
                }
            }
            (
                ActorName::Session(a),
                Entry::Command(Command::Message(Message::Ended { reason, .. })),
            ) => {
                if let Some(c) = self.calls.get_mut(a) {
                    c.ended = Some(t);
                    c.reason = Some(reason.to_string());
                }
            }
            (
                ActorName::Session(a),
                Entry::Input(Input::Session(SessionInput::Sdk(SdkEvent::ConnectionLost))),
            ) => {
                if let Some(c) = self.calls.get_mut(a) {
                    c.drops += 1;
                }
            }
            _ => {}
        }
    }

    fn finding(&mut self, records: &[Record], f: &Finding) {
        let lane = records
            .iter()
            .find(|r| r.seq == f.seq_first)
            .map_or("router".to_owned(), |r| r.actor.to_string());
        self.markers.push(Marker {
            kind: "finding",
            lane,
            t: f.at_ms_first.saturating_sub(self.origin),
            seq: f.seq_first,
            label: format!("[{}] {}", f.rule, f.title),
        });
    }

    /// Time each call spent reconnecting, from the session bands.
    fn reconnecting_totals(&mut self) {
        for b in &self.bands {
            if b.state != "reconnecting" {
                continue;
            }
            if let Some(a) = b
                .lane
                .strip_prefix("session/")
                .and_then(|n| n.parse::<u64>().ok())
            {
                if let Some(c) = self.calls.get_mut(&a) {
                    c.reconnecting_ms += b.to.saturating_sub(b.from);
                }
            }
        }
    }
}

fn sdk_marker(e: &SdkEvent) -> Option<&'static str> {
    Some(match e {
        SdkEvent::ConnectionLost => "drop",
        SdkEvent::ConnectionRestored => "restore",
        SdkEvent::SessionTimedOut => "timeout",
        SdkEvent::JoinFailed {
            code: JoinErrorCode::Init,
            ..
        } => "warning",
        SdkEvent::JoinFailed { .. } => "error",
        _ => return None,
    })
}

fn ui_band(ui: &UiState) -> &'static str {
    ui.label()
}

/// The page: the model as JSON inside the HTML, with the styles and the script inline.
fn render(model: &Model) -> Result<String, CliError> {
    // `<` is escaped so no text in the log can close the script element.
    let data = serde_json::to_string(model)
        .map_err(CliError::input)?
        .replace('<', "\\u003c");
    let title = escape(&format!("Switchboard call report: {}", model.source));
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <title>{title}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n\
         <header><h1>{title}</h1><p id=\"summary\"></p></header>\n\
         <main>\n\
         <section id=\"calls-section\"><h2>Calls</h2><table id=\"calls\"><thead><tr><th>attempt</th><th>session</th><th>started</th><th>joined after</th><th>duration</th><th>drops</th><th>reconnecting</th><th>ended</th></tr></thead><tbody></tbody></table></section>\n\
         <section id=\"timeline-section\"><h2>Timeline</h2><div class=\"controls\"><label>zoom <select id=\"zoom\"><option>1</option><option>2</option><option>4</option><option>8</option><option>16</option></select></label> <label><input type=\"checkbox\" id=\"compress\"> compress quiet stretches</label> <span class=\"legend\" id=\"legend\"></span></div><div id=\"timeline\"></div></section>\n\
         <section id=\"findings-section\"><h2>Findings</h2><ol id=\"findings\"></ol></section>\n\
         <div id=\"lower\">\n\
         <section id=\"events-section\"><h2>Events</h2><div class=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"filter: text, actor, seq\"> <select id=\"actor-filter\"><option value=\"\">all actors</option></select> <select id=\"kind-filter\"><option value=\"\">inputs and commands</option><option value=\"i\">inputs</option><option value=\"c\">commands</option></select> <label><input type=\"checkbox\" id=\"marked-only\"> marked only</label> <span id=\"shown\"></span></div>\n\
         <div class=\"scroll\"><table id=\"events\"><thead><tr><th>seq</th><th>time</th><th>actor</th><th></th><th>input / command</th><th>state after</th></tr></thead><tbody></tbody></table></div></section>\n\
         <section id=\"state\"><h2>State after <span id=\"state-seq\">(select an event)</span></h2><div id=\"machines\"></div></section>\n\
         </div>\n</main>\n\
         <script type=\"application/json\" id=\"report-data\">{data}</script>\n\
         <script>\n{JS}</script>\n</body>\n</html>\n"
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_domain::core::Core;
    use switchboard_domain::{CoreConfig, Event as E};
    use switchboard_journal::script::records_from_steps;

    fn drop_log() -> Vec<Record> {
        let mut core = Core::default();
        let mut out = Vec::new();
        let sdk = |event| E::Sdk { attempt: 1, event };
        let events = [
            E::Boot(CoreConfig::default()),
            E::OpenLink {
                url: "https://meet.switchboard.example/meet/a</script><b>".into(),
            },
            E::OpenLink {
                url: "https://meet.switchboard.example/meet/field-ops".into(),
            },
            E::ViewAppeared,
            sdk(SdkEvent::SessionJoined),
            sdk(SdkEvent::ConnectionLost),
            sdk(SdkEvent::ConnectionRestored),
            sdk(SdkEvent::ConnectionLost),
            sdk(SdkEvent::ConnectionClosed),
            E::ViewDisappeared,
        ];
        for (i, e) in events.into_iter().enumerate() {
            let at = i as u64 * 1000;
            out.extend(records_from_steps(&core.handle_event(e, at), at));
        }
        (0u64..).zip(&out).map(|(s, r)| r.at_seq(s)).collect()
    }

    #[test]
    fn the_model_has_lanes_bands_markers_and_a_call_summary() {
        let log = drop_log();
        let m = model(&log, Vec::new(), None, "x");
        assert_eq!(m.lanes, ["router", "session/1", "audio", "ui"]);
        let reconnecting = m
            .bands
            .iter()
            .filter(|b| b.lane == "session/1" && b.state == "reconnecting")
            .count();
        assert_eq!(reconnecting, 2);
        assert_eq!(m.markers.iter().filter(|k| k.kind == "drop").count(), 2);
        assert!(m.markers.iter().any(|k| k.kind == "error"));
        let call = &m.calls[0];
        assert_eq!(
            (call.drops, call.reason.as_deref(), call.reconnecting_ms),
            (2, Some("ConnectionClosed"), 2000)
        );
        assert!(m.snapshots.iter().any(|s| s.actor == "session/1"));
    }

    #[test]
    fn no_text_from_the_log_can_close_the_script_element() {
        let log = drop_log();
        let html = render(&model(&log, Vec::new(), None, "<x>")).unwrap();
        assert!(!html.contains("</script><b>"));
        assert_eq!(html.matches("</script>").count(), 2);
        assert!(!html.contains("http://") || !html.contains("src=\"http"));
    }
}
