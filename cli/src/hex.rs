//! Hex text for binary frames on a capture line (`hex:0001…`).
//!
//! Hand-written on purpose: the `hex` crate is not on the workspace's list of allowed
//! dependencies, this is 30 lines, and it reports the byte offset of a bad digit, which
//! `phx`'s error records need.

/// Why hex text could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HexError {
    /// A character that is not a hex digit, at this byte offset in the text.
    InvalidDigit(usize),
    /// An odd number of digits: the last byte is incomplete.
    OddLength(usize),
}

/// Appends `bytes` as lowercase hex.
pub(crate) fn encode(bytes: &[u8], out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0xf)]);
    }
}

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Appends the bytes that `text` (upper or lower case digits) spells.
pub(crate) fn decode(text: &[u8], out: &mut Vec<u8>) -> Result<(), HexError> {
    out.reserve(text.len() / 2);
    let mut pairs = text.chunks_exact(2);
    for (i, pair) in pairs.by_ref().enumerate() {
        let at = i * 2;
        let hi = digit(pair[0]).ok_or(HexError::InvalidDigit(at))?;
        let lo = digit(pair[1]).ok_or(HexError::InvalidDigit(at + 1))?;
        out.push(hi << 4 | lo);
    }
    match pairs.remainder() {
        [] => Ok(()),
        [c] if digit(*c).is_none() => Err(HexError::InvalidDigit(text.len() - 1)),
        _ => Err(HexError::OddLength(text.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_byte_value() {
        let bytes: Vec<u8> = (0..=255).collect();
        let mut text = Vec::new();
        encode(&bytes, &mut text);
        assert_eq!(&text[..6], b"000102");
        assert_eq!(&text[text.len() - 2..], b"ff");
        let mut back = Vec::new();
        decode(&text, &mut back).unwrap();
        assert_eq!(back, bytes);
    }

    #[test]
    fn accepts_upper_case_digits() {
        let mut out = Vec::new();
        decode(b"DEadBF", &mut out).unwrap();
        assert_eq!(out, [0xde, 0xad, 0xbf]);
    }

    #[test]
    fn reports_where_a_bad_digit_is() {
        let mut out = Vec::new();
        assert_eq!(decode(b"00zz", &mut out), Err(HexError::InvalidDigit(2)));
        assert_eq!(decode(b"000g", &mut out), Err(HexError::InvalidDigit(3)));
        assert_eq!(decode(b"00x", &mut out), Err(HexError::InvalidDigit(2)));
    }

    #[test]
    fn refuses_an_odd_number_of_digits() {
        assert_eq!(decode(b"abc", &mut Vec::new()), Err(HexError::OddLength(3)));
    }
}
