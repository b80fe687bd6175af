//! Batch values: how the records of one append are laid out in one stored value, and the scan
//! that walks batches in seq order, checking every record and stopping at the first bad one.
//!
//! A batch is `[record count: u32 LE]` followed by its records' frames; a frame is
//! `[payload length: u32 LE][payload: encoded record][CRC32 of payload: u32 LE]`. A batch is keyed
//! by the big-endian seq of its first record, so keys sort in seq order. The count lets a batch
//! cut exactly at a frame boundary be told from a shorter one.
use crate::error::{Error, Result};
use crate::record::{check_crc, decode_payload, encode_into, NewRecord, Record, CRC_BYTES};

/// Bytes of a frame's length prefix.
const LEN_BYTES: usize = 4;

/// Bytes of a batch's record count.
pub const HEADER_BYTES: usize = 4;

/// Most records in one stored batch value; a longer append is split into several values.
pub const BATCH_RECORDS_MAX: usize = 4096;

/// The smallest frame: length, one payload byte, checksum.
const FRAME_BYTES_MIN: usize = LEN_BYTES + 1 + CRC_BYTES;

/// The key of the batch whose first record is `seq`.
pub fn batch_key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

/// The seq a batch key names, if it is a key at all.
pub fn key_seq(key: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(key.try_into().ok()?))
}

/// Appends the frame of `record` at `seq` to `out`.
pub fn encode_frame(seq: u64, record: &NewRecord, out: &mut Vec<u8>) -> Result<()> {
    let start = out.len();
    out.extend_from_slice(&[0; LEN_BYTES]);
    let len = match encode_into(seq, record.at_ms, record.actor, &record.body, out) {
        Ok(len) => len,
        Err(e) => {
            out.truncate(start);
            return Err(e);
        }
    };
    let len_u32 = u32::try_from(len).expect("record length is bounded by RECORD_BYTES_MAX");
    out[start..start + LEN_BYTES].copy_from_slice(&len_u32.to_le_bytes());
    let crc = crc32fast::hash(&out[start + LEN_BYTES..]);
    out.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(out.len(), start + LEN_BYTES + len + CRC_BYTES);
    Ok(())
}

/// Splits records into the stored batches they become: at most [`BATCH_RECORDS_MAX`] each
/// (`max`, when smaller), and every snapshot record starts a batch of its own, so retention can
/// delete everything before a snapshot by whole batches and recovery can start reading at one.
pub fn stored_chunks(records: &[NewRecord], max: usize) -> Vec<&[NewRecord]> {
    let max = max.clamp(1, BATCH_RECORDS_MAX);
    let mut out = Vec::new();
    let mut start = 0;
    for (i, r) in records.iter().enumerate() {
        let snapshot = matches!(r.body, switchboard_domain::Entry::Snapshot(_));
        if i > start && (snapshot || i - start == max) {
            out.push(&records[start..i]);
            start = i;
        }
    }
    if start < records.len() {
        out.push(&records[start..]);
    }
    out
}

/// Encodes `records` as one batch starting at `first_seq` into `out` (cleared first).
pub fn encode_batch(first_seq: u64, records: &[NewRecord], out: &mut Vec<u8>) -> Result<()> {
    assert!(!records.is_empty() && records.len() <= BATCH_RECORDS_MAX);
    out.clear();
    let count = u32::try_from(records.len()).expect("bounded by BATCH_RECORDS_MAX");
    out.extend_from_slice(&count.to_le_bytes());
    for (seq, record) in (first_seq..).zip(records) {
        encode_frame(seq, record, out)?;
    }
    // Write invariant: the batch reads back whole (debug builds; release builds rely on the
    // encoder's own asserts).
    debug_assert_eq!(
        BatchReader::new(first_seq, out).map_or(0, BatchReader::count_good),
        records.len() as u64
    );
    Ok(())
}

/// The first `good_records` records of a batch value (`good_len` bytes, header included), with
/// its count rewritten: what is kept in place when the rest of a batch is quarantined.
pub fn truncated_batch(value: &[u8], good_records: u64, good_len: usize) -> Vec<u8> {
    let count = u32::try_from(good_records).expect("a prefix of a batch");
    let mut out = count.to_le_bytes().to_vec();
    out.extend_from_slice(&value[HEADER_BYTES..good_len]);
    out
}

/// Where a [`BatchReader`] is in its batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    /// Offset of the next frame.
    pos: usize,
    /// The seq of the next record.
    seq: u64,
    /// Records the header says are left.
    left: u64,
}

/// Walks the records of one batch value.
#[derive(Debug)]
pub struct BatchReader<'a> {
    bytes: &'a [u8],
    at: Cursor,
}

impl<'a> BatchReader<'a> {
    /// A reader of the batch value `bytes` whose first record is `first_seq`.
    pub fn new(first_seq: u64, bytes: &'a [u8]) -> Result<Self> {
        let Some(header) = bytes.get(..HEADER_BYTES) else {
            return Err(Error::Torn {
                seq: first_seq,
                got: bytes.len(),
                expected: HEADER_BYTES + FRAME_BYTES_MIN,
            });
        };
        let count = u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
        if count == 0 || count as usize > BATCH_RECORDS_MAX {
            return Err(Error::Corrupt {
                seq: first_seq,
                what: format!("a batch header claims {count} records"),
            });
        }
        let at = Cursor {
            pos: HEADER_BYTES,
            seq: first_seq,
            left: count.into(),
        };
        Ok(BatchReader { bytes, at })
    }

    /// Bytes of the header and the whole, checked records read so far.
    pub fn good_len(&self) -> usize {
        self.at.pos
    }

    /// The seq the next record has.
    pub fn seq(&self) -> u64 {
        self.at.seq
    }

    /// The checked payload of the next frame; `None` after the last record.
    fn next_payload(&mut self) -> Option<Result<&'a [u8]>> {
        let (seq, rest) = (self.at.seq, &self.bytes[self.at.pos..]);
        if self.at.left == 0 {
            return (!rest.is_empty()).then(|| {
                let what = format!(
                    "{} stray bytes after the last record of its batch",
                    rest.len()
                );
                Err(Error::Corrupt { seq, what })
            });
        }
        let torn = |expected| Error::Torn {
            seq,
            got: rest.len(),
            expected,
        };
        if rest.len() < FRAME_BYTES_MIN {
            return Some(Err(torn(FRAME_BYTES_MIN)));
        }
        let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if len > crate::record::RECORD_BYTES_MAX {
            let what = format!("length {len} exceeds the record size limit");
            return Some(Err(Error::Corrupt { seq, what }));
        }
        let frame_len = LEN_BYTES + len + CRC_BYTES;
        if rest.len() < frame_len {
            return Some(Err(torn(frame_len)));
        }
        let payload = &rest[LEN_BYTES..LEN_BYTES + len];
        let c = &rest[LEN_BYTES + len..frame_len];
        if let Err(e) = check_crc(payload, u32::from_le_bytes([c[0], c[1], c[2], c[3]]), seq) {
            return Some(Err(e));
        }
        // A batch claiming records past the last seq there can be (found by the batch fuzz
        // target: a batch read at u64::MAX with a record after it).
        let Some(next_seq) = seq.checked_add(1) else {
            let what = "the batch runs past the last possible seq".to_owned();
            return Some(Err(Error::Corrupt { seq, what }));
        };
        self.at = Cursor {
            pos: self.at.pos + frame_len,
            seq: next_seq,
            left: self.at.left - 1,
        };
        Some(Ok(payload))
    }

    /// The next record, decoded and checked; `None` after the last one.
    pub fn next_record(&mut self) -> Option<Result<Record>> {
        let before = self.at;
        let result = self
            .next_payload()?
            .and_then(|p| decode_payload(p, before.seq));
        if result.is_err() {
            self.at = before;
        }
        Some(result)
    }

    /// How many records in a row have whole frames with good checksums, without decoding them.
    pub fn count_good(mut self) -> u64 {
        let mut n = 0;
        while let Some(Ok(_)) = self.next_payload() {
            n += 1;
        }
        n
    }
}

/// Decodes one stored batch value whose first record is `first_seq`: every record, each checked
/// (frame length, CRC, format, seq), or the first error. Stray bytes after the last record are an
/// error too. For tools and fuzzing that look at single values; the journal reads with a scan.
pub fn decode_batch(first_seq: u64, bytes: &[u8]) -> Result<Vec<Record>> {
    let mut reader = BatchReader::new(first_seq, bytes)?;
    let mut records = Vec::new();
    while let Some(record) = reader.next_record() {
        records.push(record?);
    }
    Ok(records)
}

/// Where a scan stopped on bad data: the batch holding the bad record and its good prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadBatch {
    /// The key (first seq) of the batch.
    pub key: u64,
    /// Good records at its start.
    pub good_records: u64,
    /// Bytes of the header and those records (0 when nothing of it is usable).
    pub good_len: usize,
}

/// Records in seq order from stored batches, ending with one error at the first bad record.
pub struct BatchScan<I, V> {
    batches: I,
    /// The batch being read: its key, value and the reader's position in it.
    current: Option<(u64, V, Cursor)>,
    expected_seq: u64,
    from_seq: u64,
    bad: Option<BadBatch>,
    done: bool,
}

impl<I, V> BatchScan<I, V>
where
    I: Iterator<Item = Result<(u64, V)>>,
    V: AsRef<[u8]>,
{
    /// Scans `batches` (in key order, starting with the batch holding `from_seq`, whose key is
    /// `start_key`), yielding the records from `from_seq` on.
    pub fn new(batches: I, start_key: u64, from_seq: u64) -> Self {
        BatchScan {
            batches,
            current: None,
            expected_seq: start_key,
            from_seq,
            bad: None,
            done: false,
        }
    }

    /// The batch holding the bad record, once the scan has stopped on one.
    pub fn bad_batch(&self) -> Option<BadBatch> {
        self.bad
    }

    /// The seq the next record must have: after a stop on bad data, the first bad seq.
    pub fn expected_seq(&self) -> u64 {
        self.expected_seq
    }

    fn fail(&mut self, bad: BadBatch, e: Error) -> Option<Result<Record>> {
        self.done = true;
        self.current = None;
        self.bad = Some(bad);
        Some(Err(e))
    }

    /// Loads the next batch, checking that its key continues the sequence. Returns an error to
    /// yield, or `None` with `current` set (or `done` at the end).
    fn next_batch(&mut self) -> Option<Result<Record>> {
        let (key, value) = match self.batches.next() {
            None => {
                self.done = true;
                return None;
            }
            Some(Ok(kv)) => kv,
            Some(Err(e)) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let expected = self.expected_seq;
        let whole = BadBatch {
            key,
            good_records: 0,
            good_len: 0,
        };
        if key != expected {
            let what = if key > expected {
                format!("records {expected}..{key} are missing")
            } else {
                format!("a batch starting at seq {key} overlaps the one before it")
            };
            return self.fail(
                whole,
                Error::Corrupt {
                    seq: expected,
                    what,
                },
            );
        }
        match BatchReader::new(key, value.as_ref()) {
            Ok(reader) => {
                let at = reader.at;
                self.current = Some((key, value, at));
                None
            }
            Err(e) => self.fail(whole, e),
        }
    }

    /// The next record of the current batch, or `None` at its end.
    fn next_in_batch(&mut self) -> Option<Result<Record>> {
        let (key, value, at) = self.current.as_mut()?;
        let mut reader = BatchReader {
            bytes: value.as_ref(),
            at: *at,
        };
        match reader.next_record() {
            None => {
                self.current = None;
                None
            }
            Some(Ok(record)) => {
                *at = reader.at;
                Some(Ok(record))
            }
            Some(Err(e)) => {
                let bad = BadBatch {
                    key: *key,
                    good_records: reader.seq() - *key,
                    good_len: reader.good_len(),
                };
                self.fail(bad, e)
            }
        }
    }
}

impl<I, V> Iterator for BatchScan<I, V>
where
    I: Iterator<Item = Result<(u64, V)>>,
    V: AsRef<[u8]>,
{
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        while !self.done {
            if self.current.is_none() {
                if let Some(err) = self.next_batch() {
                    return Some(err);
                }
                continue;
            }
            match self.next_in_batch() {
                None => {}
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(record)) => {
                    self.expected_seq += 1;
                    if record.seq >= self.from_seq {
                        return Some(Ok(record));
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::scripted_log;

    fn batch(n: usize) -> (Vec<NewRecord>, Vec<u8>) {
        let records = scripted_log(n)[..n].to_vec();
        let mut out = Vec::new();
        encode_batch(10, &records, &mut out).unwrap();
        (records, out)
    }

    #[test]
    fn frames_read_back_and_count() {
        let (records, bytes) = batch(5);
        let mut reader = BatchReader::new(10, &bytes).unwrap();
        for (seq, r) in (10u64..).zip(&records) {
            assert_eq!(reader.next_record().unwrap().unwrap(), r.at_seq(seq));
        }
        assert!(reader.next_record().is_none());
        assert_eq!(BatchReader::new(10, &bytes).unwrap().count_good(), 5);
    }

    #[test]
    fn decode_batch_returns_every_record_or_the_first_error() {
        let (records, bytes) = batch(4);
        let want: Vec<Record> = (10u64..).zip(&records).map(|(s, r)| r.at_seq(s)).collect();
        assert_eq!(decode_batch(10, &bytes).unwrap(), want);
        // The wrong first seq: the first record says it is seq 10.
        assert_eq!(decode_batch(11, &bytes).unwrap_err().seq(), Some(11));
        let mut stray = bytes.clone();
        stray.push(0);
        assert_eq!(decode_batch(10, &stray).unwrap_err().seq(), Some(14));
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(decode_batch(10, &flipped).unwrap_err().seq(), Some(13));
        assert!(decode_batch(10, &bytes[..3]).is_err());
    }

    /// Found by the batch fuzz target: a batch read at the last possible seq overflowed the
    /// reader's next seq (a panic with overflow checks on, a wrap without).
    #[test]
    fn a_batch_at_the_last_possible_seq_is_an_error_not_an_overflow() {
        let (records, _) = batch(2);
        let mut value = 2u32.to_le_bytes().to_vec();
        for (seq, r) in [(u64::MAX, &records[0]), (u64::MAX, &records[1])] {
            encode_frame(seq, r, &mut value).unwrap();
        }
        let err = decode_batch(u64::MAX, &value).unwrap_err();
        assert_eq!(err.seq(), Some(u64::MAX), "{err}");
    }

    #[test]
    fn every_cut_of_a_batch_stops_cleanly_at_the_cut_record() {
        let (records, bytes) = batch(3);
        for cut in 1..bytes.len() {
            let batches = vec![Ok((10u64, bytes[..cut].to_vec()))];
            let out: Vec<_> = BatchScan::new(batches.into_iter(), 10, 10).collect();
            let good = out.iter().filter(|r| r.is_ok()).count();
            assert!(good < records.len(), "cut at {cut}");
            let last = out.last().unwrap().as_ref().unwrap_err();
            assert_eq!(last.seq(), Some(10 + good as u64), "cut at {cut}: {last}");
        }
    }
}
