//! Byte-level mutations that turn a valid encoding into a near-valid one: the inputs a
//! decoder sees from a buggy or hostile peer. Used by the [`arbitrary`](crate::arbitrary)
//! and [`proptest`](crate::proptest) generators, and usable alone.
//!
//! ```
//! use phx_codec_std::mutation::{Mutation, apply};
//! let valid = br#"[null,"1","phoenix","heartbeat",{}]"#.to_vec();
//! let near = apply(valid, &[Mutation::Replace(0, b'{'), Mutation::Truncate(31)]);
//! assert_eq!(near, br#"{null,"1","phoenix","heartbeat""#);
//! assert!(phx_codec::decode_text(&near).is_err());
//! ```

/// Bytes that matter to the JSON grammar and to UTF-8: structure, digits, literals' letters,
/// whitespace, escapes, controls, and invalid or multi-byte UTF-8.
pub const INTERESTING: &[u8] =
    b"\"\\{}[],:0123456789-+.eEtrufalsn \t\n\r/u\x00\x1f\x7f\xff\xc3\xa9";

/// One edit. Positions are taken modulo the length, so any `usize` is a valid position.
///
/// ```
/// use phx_codec_std::mutation::{Mutation, apply};
/// let bytes = b"abc".to_vec();
/// assert_eq!(apply(bytes.clone(), &[Mutation::Replace(4, b'X')]), b"aXc"); // 4 % 3 == 1
/// assert_eq!(apply(bytes.clone(), &[Mutation::Insert(3, b'!')]), b"abc!");
/// assert_eq!(apply(bytes.clone(), &[Mutation::Delete(0)]), b"bc");
/// assert_eq!(apply(bytes.clone(), &[Mutation::Truncate(2)]), b"ab");
/// assert_eq!(apply(bytes, &[Mutation::Duplicate(1, 5)]), b"abcbc");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutation {
    /// Overwrite the byte at the position.
    Replace(usize, u8),
    /// Insert a byte before the position (or at the end).
    Insert(usize, u8),
    /// Remove the byte at the position.
    Delete(usize),
    /// Keep only the bytes before the position.
    Truncate(usize),
    /// Repeat the `n` bytes starting at the position (`(position, n)`).
    Duplicate(usize, usize),
}

/// Applies `mutations` in order. Never panics, whatever the positions.
///
/// ```
/// use phx_codec_std::mutation::{Mutation, apply};
/// let edits = [Mutation::Delete(usize::MAX), Mutation::Duplicate(usize::MAX, usize::MAX)];
/// assert_eq!(apply(Vec::new(), &edits), b""); // nothing to edit, no panic
/// let near = apply(br#"{"a":1}"#.to_vec(), &[Mutation::Replace(6, b',')]);
/// assert_eq!(near, br#"{"a":1,"#);
/// assert!(serde_json::from_slice::<serde_json::Value>(&near).is_err());
/// ```
pub fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = bytes.len().max(1);
        match *m {
            Mutation::Replace(i, b) => {
                if let Some(slot) = bytes.get_mut(i % len) {
                    *slot = b;
                }
            }
            Mutation::Insert(i, b) => {
                let at = i % (bytes.len() + 1);
                bytes.insert(at, b);
            }
            Mutation::Delete(i) => {
                if !bytes.is_empty() {
                    bytes.remove(i % len);
                }
            }
            Mutation::Truncate(i) => bytes.truncate(i % len),
            Mutation::Duplicate(i, n) => {
                let start = i % len;
                let end = start.saturating_add(n).min(bytes.len());
                let piece: Vec<u8> = bytes.get(start..end).unwrap_or(&[]).to_vec();
                bytes.splice(start..start, piece);
            }
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_edit_stays_in_bounds() {
        for m in [
            Mutation::Replace(usize::MAX, b'x'),
            Mutation::Insert(usize::MAX, b'x'),
            Mutation::Delete(usize::MAX),
            Mutation::Truncate(usize::MAX),
            Mutation::Duplicate(usize::MAX, usize::MAX),
        ] {
            let _ = apply(Vec::new(), &[m]);
            let _ = apply(b"abc".to_vec(), &[m]);
        }
        assert_eq!(
            apply(b"abc".to_vec(), &[Mutation::Duplicate(1, 9)]),
            b"abcbc"
        );
        assert_eq!(
            apply(b"abc".to_vec(), &[Mutation::Insert(3, b'd')]),
            b"abcd"
        );
    }
}
