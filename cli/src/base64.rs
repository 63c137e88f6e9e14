//! Standard base64 (RFC 4648 §4, `+/`, `=` padding) for binary frames and payloads.
//!
//! Written here rather than pulled in as a dependency: the CLI needs only these two
//! functions, and the workspace keeps its dependency list short.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

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
    out.reserve(bytes.len().div_ceil(3) * 4);
    let mut groups = bytes.chunks_exact(3);
    for g in groups.by_ref() {
        let n = u32::from(g[0]) << 16 | u32::from(g[1]) << 8 | u32::from(g[2]);
        out.extend([18, 12, 6, 0].map(|shift| sextet(n >> shift)));
    }
    match *groups.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend([sextet(n >> 18), sextet(n >> 12), b'=', b'=']);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend([sextet(n >> 18), sextet(n >> 12), sextet(n >> 6), b'=']);
        }
        _ => {}
    }
}

fn sextet(n: u32) -> u8 {
    ALPHABET[(n & 0x3f) as usize]
}

fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Appends the bytes that `text` spells. Padding is optional; when present it must end the
/// text. Unused low bits of the last character are ignored.
pub(crate) fn decode(text: &[u8], out: &mut Vec<u8>) -> Result<(), Base64Error> {
    let data_len = text.len()
        - text
            .iter()
            .rev()
            .take(2)
            .take_while(|&&c| c == b'=')
            .count();
    let (data, padding) = text.split_at(data_len);
    if !padding.is_empty() && !text.len().is_multiple_of(4) {
        return Err(Base64Error::InvalidCharacter(data_len));
    }
    out.reserve(data.len() / 4 * 3 + 2);
    let mut groups = data.chunks_exact(4);
    for (i, g) in groups.by_ref().enumerate() {
        let n = group(g, i * 4)?;
        let [_, a, b, c] = n.to_be_bytes();
        out.extend([a, b, c]);
    }
    let rest = groups.remainder();
    let at = data.len() - rest.len();
    match rest.len() {
        0 => {}
        1 => return Err(Base64Error::Truncated(text.len())),
        len => {
            let n = group(rest, at)? << (6 * (4 - len));
            let [_, a, b, _] = n.to_be_bytes();
            out.push(a);
            if len == 3 {
                out.push(b);
            }
        }
    }
    Ok(())
}

/// Up to four characters as a big-endian number of 6-bit digits.
fn group(chars: &[u8], at: usize) -> Result<u32, Base64Error> {
    chars.iter().enumerate().try_fold(0, |n, (i, &c)| {
        value(c)
            .map(|v| n << 6 | v)
            .ok_or(Base64Error::InvalidCharacter(at + i))
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
    fn accepts_missing_padding() {
        assert_eq!(decoded("Zm9vYg").unwrap(), b"foob");
        assert_eq!(decoded("Zm9vYmE").unwrap(), b"fooba");
    }

    #[test]
    fn reports_where_a_bad_character_is() {
        assert_eq!(decoded("Zm9v*mFy"), Err(Base64Error::InvalidCharacter(4)));
        assert_eq!(decoded("Zm=vYmFy"), Err(Base64Error::InvalidCharacter(2)));
        assert_eq!(decoded("Zm9-"), Err(Base64Error::InvalidCharacter(3)));
        assert_eq!(decoded("Zg="), Err(Base64Error::InvalidCharacter(2)));
    }

    #[test]
    fn refuses_a_dangling_character() {
        assert_eq!(decoded("Zm9vY"), Err(Base64Error::Truncated(5)));
    }
}
