//! Helpers shared by the fuzz targets and the corpus maker.
//!
//! Stored records and frames carry a CRC32, and a mutated input almost never keeps a matching
//! one: without help the fuzzer would only ever reach the checksum test. So the record targets
//! decode each input twice, as it is and with its checksums recomputed, and they take the seq to
//! expect from the payload itself (the decoders reject a record holding another seq).
#![warn(missing_docs)]

/// Bytes of a frame's length prefix and of a batch's record count (both u32 LE).
const U32_BYTES: usize = 4;

/// Bytes of a CRC32 after a payload.
pub const CRC_BYTES: usize = switchboard_journal::CRC_BYTES;

/// The seq an encoded record claims to hold: the second field of its bincode tuple
/// `(format: u16, seq: u64, ..)`, if the payload starts with two readable numbers.
pub fn claimed_seq(payload: &[u8]) -> Option<u64> {
    let config = bincode::config::standard();
    let ((_format, seq), _): ((u16, u64), usize) =
        bincode::decode_from_slice(payload, config).ok()?;
    Some(seq)
}

/// Stored record bytes with the last four bytes replaced by the CRC32 of the rest (inputs
/// shorter than a checksum come back unchanged).
pub fn with_record_crc(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if let Some(split) = bytes.len().checked_sub(CRC_BYTES) {
        let crc = crc32fast::hash(&bytes[..split]);
        out[split..].copy_from_slice(&crc.to_le_bytes());
    }
    out
}

/// A batch value with the checksum of every whole frame recomputed. Frames are walked by their
/// length prefixes; a prefix that runs past the end stops the walk, leaving the rest as it is.
pub fn with_frame_crcs(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut pos = U32_BYTES;
    while let Some(len) = read_u32(&out, pos) {
        let start = pos + U32_BYTES;
        let Some(end) = start.checked_add(len as usize) else {
            break;
        };
        if end + CRC_BYTES > out.len() {
            break;
        }
        let crc = crc32fast::hash(&out[start..end]);
        out[end..end + CRC_BYTES].copy_from_slice(&crc.to_le_bytes());
        pos = end + CRC_BYTES;
    }
    out
}

/// The seq a batch value's first record claims: the seq to decode the batch at.
pub fn batch_first_seq(bytes: &[u8]) -> Option<u64> {
    let payload = bytes.get(2 * U32_BYTES..)?;
    claimed_seq(payload)
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(U32_BYTES)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}
