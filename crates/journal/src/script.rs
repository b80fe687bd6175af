//! Journal records from the domain's [`Core`]: how a step becomes records (its input, then its
//! commands), and a scripted call for tests, benchmarks and examples.
use switchboard_domain::core::{Core, Step};
use switchboard_domain::{
    AudioEvent, AudioPort, CoreConfig, Entry, Event, RouteChangeReason, SdkEvent,
};

use crate::record::NewRecord;

/// The records of machine steps, in the order the runtime writes them: each step's input, then
/// the commands it decided.
pub fn records_from_steps(steps: &[Step], at_ms: u64) -> Vec<NewRecord> {
    let mut out = Vec::new();
    for step in steps {
        out.push(NewRecord {
            at_ms,
            actor: step.actor,
            body: Entry::Input(step.input.clone()),
        });
        out.extend(step.commands.iter().map(|c| NewRecord {
            at_ms,
            actor: step.actor,
            body: Entry::Command(c.clone()),
        }));
    }
    out
}

/// The outside events of one ordinary call of `attempt`: a link, the view, a join, a muted mic,
/// a Bluetooth headset, a dropped and restored connection, a leave and a dismiss.
pub fn call_events(attempt: u64) -> Vec<Event> {
    let sdk = |event| Event::Sdk { attempt, event };
    vec![
        Event::OpenLink {
            url: format!("https://meet.switchboard.example/meet/standup-{attempt}"),
        },
        Event::ViewAppeared,
        sdk(SdkEvent::JoinSucceeded),
        sdk(SdkEvent::SessionJoined),
        sdk(SdkEvent::ParticipantCountChanged { count: 3 }),
        Event::ToggleMic,
        sdk(SdkEvent::LocalAudioMuted { muted: true }),
        Event::Audio(AudioEvent::RouteChanged {
            reason: RouteChangeReason::NewDeviceAvailable,
            output: AudioPort::BluetoothHfp,
        }),
        sdk(SdkEvent::ConnectionLost),
        sdk(SdkEvent::ConnectionRestored),
        Event::Leave,
        sdk(SdkEvent::SessionLeft),
        Event::ViewDisappeared,
        Event::Dismiss,
    ]
}

/// A log of a booted core and as many scripted calls as it takes to reach `records_min`
/// records; events are 40 ms apart.
pub fn scripted_log(records_min: usize) -> Vec<NewRecord> {
    let mut core = Core::default();
    let mut at_ms = 0;
    let mut out = records_from_steps(
        &core.handle_event(Event::Boot(CoreConfig::default()), at_ms),
        at_ms,
    );
    let mut attempt = 0;
    while out.len() < records_min {
        attempt += 1;
        for event in call_events(attempt) {
            at_ms += 40;
            out.extend(records_from_steps(&core.handle_event(event, at_ms), at_ms));
        }
    }
    out
}

/// The stored value of a one-record batch at `seq` whose checksum is right but whose actor name
/// claims to be a terabyte long: what a hostile or badly damaged log may hold. For tests that
/// show every reader refuses it instead of trying to allocate it.
pub fn huge_length_batch(seq: u64) -> Vec<u8> {
    let config = bincode::config::standard();
    let mut payload = bincode::serde::encode_to_vec((crate::FORMAT_VERSION, seq, 0u64), config)
        .expect("three integers encode");
    // bincode's varint for a u64 above u32::MAX: the marker 253, then 8 bytes little-endian.
    payload.push(253);
    payload.extend_from_slice(&(1u64 << 40).to_le_bytes());
    payload.extend_from_slice(b"router");
    let mut value = 1u32.to_le_bytes().to_vec();
    value.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    value.extend_from_slice(&payload);
    value.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    value
}

/// Appends [`huge_length_batch`] after the last record of the closed sled journal in `dir`, and
/// returns its seq.
pub fn plant_huge_length_record(dir: &std::path::Path) -> crate::Result<u64> {
    use crate::Journal;
    let seq = {
        let journal = crate::SledJournal::open_existing(dir)?;
        journal.next_seq()
    };
    let db = crate::open_sled_db(dir)?;
    db.open_tree(crate::RECORDS_TREE)?
        .insert(seq.to_be_bytes(), huge_length_batch(seq))?;
    db.flush()?;
    Ok(seq)
}
