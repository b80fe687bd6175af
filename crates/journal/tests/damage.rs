//! Property: whatever happens to the stored bytes, a scan never panics, returns a prefix of what
//! was written, and ends with at most one error that names the first seq it could not return.
mod common;

use common::*;
use proptest::prelude::*;
use switchboard_journal::{Journal, MemoryJournal};

#[derive(Clone, Debug)]
enum Damage {
    Flip { batch: usize, at: usize, bits: u8 },
    Cut { batch: usize, keep: usize },
    Insert { batch: usize, at: usize, byte: u8 },
    Drop { batch: usize },
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (any::<usize>(), any::<usize>(), 1..=255u8).prop_map(|(batch, at, bits)| Damage::Flip {
            batch,
            at,
            bits
        }),
        (any::<usize>(), any::<usize>()).prop_map(|(batch, keep)| Damage::Cut { batch, keep }),
        (any::<usize>(), any::<usize>(), any::<u8>())
            .prop_map(|(batch, at, byte)| Damage::Insert { batch, at, byte }),
        any::<usize>().prop_map(|batch| Damage::Drop { batch }),
    ]
}

fn apply(journal: &MemoryJournal, d: &Damage) {
    journal.with_batches(|batches| {
        let keys: Vec<u64> = batches.keys().copied().collect();
        if keys.is_empty() {
            return;
        }
        let pick = |i: usize| keys[i % keys.len()];
        match *d {
            Damage::Drop { batch } => {
                batches.remove(&pick(batch));
            }
            Damage::Flip { batch, at, bits } => {
                let v = batches.get_mut(&pick(batch)).unwrap();
                let mut bytes = v.to_vec();
                if let Some(i) = at.checked_rem(bytes.len()) {
                    bytes[i] ^= bits;
                }
                *v = bytes.into();
            }
            Damage::Cut { batch, keep } => {
                let v = batches.get_mut(&pick(batch)).unwrap();
                let keep = keep.checked_rem(v.len()).unwrap_or(0);
                *v = v[..keep].into();
            }
            Damage::Insert { batch, at, byte } => {
                let v = batches.get_mut(&pick(batch)).unwrap();
                let mut bytes = v.to_vec();
                bytes.insert(at % (bytes.len() + 1), byte);
                *v = bytes.into();
            }
        }
    });
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn damaged_bytes_end_the_scan_cleanly(
        sizes in proptest::collection::vec(1..12usize, 1..8),
        damages in proptest::collection::vec(damage(), 1..3),
        from in 0..40u64,
    ) {
        let total: usize = sizes.iter().sum();
        let new = records(total);
        let journal = MemoryJournal::new();
        append_in_batches(&journal, &new, &sizes);
        for d in &damages {
            apply(&journal, d);
        }
        let all = expected(&new);
        let mut got = Vec::new();
        let mut errors = Vec::new();
        for r in journal.scan(from) {
            match r {
                Ok(r) => got.push(r),
                Err(e) => errors.push(e),
            }
        }
        prop_assert!(errors.len() <= 1);
        // What came back is exactly what was written, from `from` on, without gaps.
        let start = (from as usize).min(all.len());
        prop_assert_eq!(&got[..], &all[start..start + got.len()]);
        // The error names the first seq that could not be read: the next one, or (when a scan
        // starts inside a gap) the start of the gap.
        if let Some(e) = errors.first() {
            let next = (start + got.len()) as u64;
            let seq = e.seq().unwrap_or(u64::MAX);
            prop_assert!(seq == next || (got.is_empty() && seq < next), "{}", e);
        }
    }
}
