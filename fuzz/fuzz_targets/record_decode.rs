//! `Record::from_bytes` on arbitrary bytes, as they are and with a recomputed checksum: it must
//! never panic, and a record it returns must hold the seq asked for and survive a re-encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_fuzz::{claimed_seq, with_record_crc};
use switchboard_journal::{Error, Record};

fuzz_target!(|data: &[u8]| {
    let seq = claimed_seq(data).unwrap_or(0);
    check(data, seq);
    check(&with_record_crc(data), seq);
});

fn check(bytes: &[u8], seq: u64) {
    let Ok(record) = Record::from_bytes(bytes, seq) else {
        return;
    };
    assert_eq!(record.seq, seq);
    match record.to_bytes() {
        Ok(again) => {
            let back = Record::from_bytes(&again, seq).expect("a re-encoded record decodes");
            assert_eq!(back, record, "re-encoding changed the record");
        }
        // Reading and writing share the size limit, so this cannot happen; kept exhaustive.
        Err(Error::TooLarge { .. }) => panic!("a decoded record is over the write limit"),
        Err(e) => panic!("a decoded record does not encode: {e}"),
    }
}
