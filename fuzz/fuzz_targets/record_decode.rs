//! `Record::from_bytes` on arbitrary bytes, as they are and with a recomputed checksum: it must
//! never panic, and a record it returns must hold the seq asked for and survive a re-encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_fuzz::{claimed_seq, hits_known_alloc_bug, with_record_crc};
use switchboard_journal::{Error, Record};

fuzz_target!(|data: &[u8]| {
    let seq = claimed_seq(data).unwrap_or(0);
    check(data, seq);
    check(&with_record_crc(data), seq);
});

fn check(bytes: &[u8], seq: u64) {
    let payload = &bytes[..bytes.len().saturating_sub(switchboard_fuzz::CRC_BYTES)];
    if hits_known_alloc_bug(payload) {
        return;
    }
    let Ok(record) = Record::from_bytes(bytes, seq) else {
        return;
    };
    assert_eq!(record.seq, seq);
    match record.to_bytes() {
        Ok(again) => {
            let back = Record::from_bytes(&again, seq).expect("a re-encoded record decodes");
            assert_eq!(back, record, "re-encoding changed the record");
        }
        // A payload over the write limit decodes (reading has no limit) but is not written.
        Err(Error::TooLarge { .. }) => {}
        Err(e) => panic!("a decoded record does not encode: {e}"),
    }
}
