//! `decode_batch` on one arbitrary stored batch value, as it is and with every frame's checksum
//! recomputed: it must never panic, and the records it returns must be a gap-free run from the
//! first seq, no more than a batch holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_fuzz::{batch_first_seq, frame_payloads, hits_known_alloc_bug, with_frame_crcs};
use switchboard_journal::{decode_batch, BATCH_RECORDS_MAX};

fuzz_target!(|data: &[u8]| {
    let first_seq = batch_first_seq(data).unwrap_or(0);
    check(data, first_seq);
    check(&with_frame_crcs(data), first_seq);
});

fn check(bytes: &[u8], first_seq: u64) {
    // Known, reported: a first seq within a batch of u64::MAX overflows the reader's seq
    // counter (a panic with overflow checks on; artifacts-found/batch_decode/seq-overflow).
    // Remove this skip once the reader stops at the last seq.
    if first_seq > u64::MAX - BATCH_RECORDS_MAX as u64 {
        return;
    }
    if frame_payloads(bytes).into_iter().any(hits_known_alloc_bug) {
        return;
    }
    let Ok(records) = decode_batch(first_seq, bytes) else {
        return;
    };
    assert!(!records.is_empty() && records.len() <= BATCH_RECORDS_MAX);
    for (seq, record) in (first_seq..).zip(&records) {
        assert_eq!(record.seq, seq);
    }
}
