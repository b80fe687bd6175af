//! `decode_batch` on one arbitrary stored batch value, as it is and with every frame's checksum
//! recomputed: it must never panic, and the records it returns must be a gap-free run from the
//! first seq, no more than a batch holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_fuzz::{batch_first_seq, with_frame_crcs};
use switchboard_journal::{decode_batch, BATCH_RECORDS_MAX};

fuzz_target!(|data: &[u8]| {
    let first_seq = batch_first_seq(data).unwrap_or(0);
    check(data, first_seq);
    check(&with_frame_crcs(data), first_seq);
});

fn check(bytes: &[u8], first_seq: u64) {
    let Ok(records) = decode_batch(first_seq, bytes) else {
        return;
    };
    assert!(!records.is_empty() && records.len() <= BATCH_RECORDS_MAX);
    for (seq, record) in (first_seq..).zip(&records) {
        assert_eq!(record.seq, seq);
    }
}
