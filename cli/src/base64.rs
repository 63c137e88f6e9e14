//! Standard base64 (RFC 4648 §4, `+/`, `=` padding) for binary frames and payloads, through
//! the `base64` crate, with errors turned into byte offsets into the text.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Writes padded base64; reads it with or without padding, ignoring unused low bits of the
/// last character (what captures from other tools contain).
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Why base64 text could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Base64Error {
    /// A character outside the alphabet (or padding in the middle), at this byte offset.
    InvalidCharacter(usize),
    /// The text stops one character into a group: no whole byte can come from it.
    Truncated(usize),
}

/// Appends `bytes` as padded base64.
pub(crate) fn encode(bytes: &[u8], out: &mut Vec<u8>) {
    let mut text = String::new();
    ENGINE.encode_string(bytes, &mut text);
    out.extend_from_slice(text.as_bytes());
}

/// Appends the bytes that `text` spells. Padding is optional; when present it must end the
/// text. Unused low bits of the last character are ignored.
pub(crate) fn decode(text: &[u8], out: &mut Vec<u8>) -> Result<(), Base64Error> {
    let start = out.len();
    ENGINE.decode_vec(text, out).map_err(|e| {
        out.truncate(start);
        match e {
            base64::DecodeError::InvalidByte(at, _)
            | base64::DecodeError::InvalidLastSymbol(at, _) => Base64Error::InvalidCharacter(at),
            base64::DecodeError::InvalidLength(_) => Base64Error::Truncated(text.len()),
            // Padding where it cannot be: point at its first `=`.
            base64::DecodeError::InvalidPadding => Base64Error::InvalidCharacter(
                text.iter().position(|&c| c == b'=').unwrap_or(text.len()),
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        encode(bytes, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn decoded(text: &str) -> Result<Vec<u8>, Base64Error> {
        let mut out = Vec::new();
        decode(text.as_bytes(), &mut out).map(|()| out)
    }

    #[test]
    fn matches_the_rfc_4648_test_vectors() {
        for (plain, text) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encoded(plain.as_bytes()), text);
            assert_eq!(decoded(text).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn round_trips_every_length_and_byte_value() {
        let bytes: Vec<u8> = (0..=255).rev().collect();
        for len in 0..bytes.len() {
            assert_eq!(decoded(&encoded(&bytes[..len])).unwrap(), &bytes[..len]);
        }
    }

    #[test]
    fn accepts_missing_padding_and_unused_bits() {
        assert_eq!(decoded("Zm9vYg").unwrap(), b"foob");
        assert_eq!(decoded("Zm9vYmE").unwrap(), b"fooba");
        assert_eq!(decoded("Zh==").unwrap(), b"f");
    }

    #[test]
    fn reports_where_a_bad_character_is() {
        assert_eq!(decoded("Zm9v*mFy"), Err(Base64Error::InvalidCharacter(4)));
        assert_eq!(decoded("Zm=vYmFy"), Err(Base64Error::InvalidCharacter(2)));
        assert_eq!(decoded("Zm9-"), Err(Base64Error::InvalidCharacter(3)));
        // The space, not the padding after it (the hand-written decoder said 4).
        assert_eq!(decoded(" AAE="), Err(Base64Error::InvalidCharacter(0)));
    }

    #[test]
    fn refuses_a_dangling_character() {
        assert_eq!(decoded("Zm9vY"), Err(Base64Error::Truncated(5)));
    }
}
