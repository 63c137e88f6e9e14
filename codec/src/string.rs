//! [`JsonStr`]: a borrowed string that is unescaped lazily, only when asked.
//!
//! ```
//! use phx_codec::decode_text;
//! let frame = decode_text(br#"[null,null,"conversation:\u0061bc","shout",{}]"#).unwrap();
//! let topic = frame.topic();
//! assert!(topic.has_escapes());
//! assert_eq!(topic, "conversation:abc"); // compared without allocating
//! let mut buf = [0u8; 32];
//! assert_eq!(topic.unescape_into(&mut buf).unwrap(), "conversation:abc");
//! ```

use core::fmt;

use crate::error::EncodeError;
use crate::escape::decode_escape;

/// A string from a frame, borrowed from the input.
///
/// It is either *literal* text (no escapes: [`as_str`](Self::as_str) is free) or the raw,
/// still-escaped body of a JSON string that was validated when the frame was decoded (so
/// unescaping cannot fail). Comparisons, hashing-free equality and `Display` all work on the
/// unescaped text.
///
/// ```
/// use phx_codec::JsonStr;
/// let escaped = JsonStr::from_json_body(r#"caf\u00e9 \"ok\""#)?;
/// assert_eq!(escaped, "café \"ok\"");            // compares unescaped
/// assert_eq!(escaped.raw(), r#"caf\u00e9 \"ok\""#); // as it stands in the JSON
/// assert_eq!(escaped.to_string(), "café \"ok\"");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy)]
pub struct JsonStr<'a> {
    raw: &'a str,
    /// [`ESCAPED`], [`JSON_SAFE`]: one byte, so that a [`Frame`](crate::Frame) keeps a
    /// string's flags as they are and hands out `JsonStr`s without converting them.
    flags: u8,
}

/// `raw` holds JSON escapes.
const ESCAPED: u8 = 1;
/// `raw` is known to need no escaping in JSON output (it came from a JSON string without
/// escapes), so encoders copy it as it is.
const JSON_SAFE: u8 = 2;

/// The flags of a string with escapes or without.
const fn flags(escaped: bool, json_safe: bool) -> u8 {
    (if escaped { ESCAPED } else { 0 }) | if json_safe { JSON_SAFE } else { 0 }
}

impl<'a> JsonStr<'a> {
    /// Literal text, with no JSON escapes to interpret.
    ///
    /// ```
    /// use phx_codec::JsonStr;
    /// let s = JsonStr::literal(r"a\b"); // a backslash, not an escape
    /// assert_eq!(s.unescaped_len(), 3);
    /// assert!(!s.has_escapes());
    /// ```
    pub const fn literal(text: &'a str) -> Self {
        Self {
            raw: text,
            flags: 0,
        }
    }

    /// The validated body of a JSON string without escapes: no `"`, `\` or control character.
    pub(crate) const fn from_validated_plain(raw: &'a str) -> Self {
        Self {
            raw,
            flags: JSON_SAFE,
        }
    }

    /// Raw JSON string contents that contain escapes, already validated by the scanner.
    pub(crate) const fn from_validated_escaped(raw: &'a str) -> Self {
        Self {
            raw,
            flags: ESCAPED,
        }
    }

    /// A string with the flags another `JsonStr` over the same text had (see `FrameSpans`).
    pub(crate) const fn from_parts(raw: &'a str, escaped: bool, json_safe: bool) -> Self {
        Self {
            raw,
            flags: flags(escaped, json_safe),
        }
    }

    /// Whether the raw text can be written between JSON quotes as it is.
    pub(crate) const fn is_json_safe(&self) -> bool {
        self.flags & JSON_SAFE != 0
    }

    /// The flags as one byte, for [`from_flags`](Self::from_flags).
    pub(crate) const fn flags(&self) -> u8 {
        self.flags
    }

    /// A string over `raw` with the flags of another (see [`flags`](Self::flags)).
    pub(crate) const fn from_flags(raw: &'a str, flags: u8) -> Self {
        Self { raw, flags }
    }

    /// Validates `raw` as the body of a JSON string (what stands between the quotes) and wraps
    /// it without copying.
    ///
    /// ```
    /// use phx_codec::JsonStr;
    /// let s = JsonStr::from_json_body(r"caf\u00e9").unwrap();
    /// assert_eq!(s, "café");
    /// assert!(JsonStr::from_json_body(r"\x").is_err());
    /// ```
    pub fn from_json_body(raw: &'a str) -> Result<Self, crate::DecodeError> {
        let bytes = raw.as_bytes();
        let mut i = 0;
        let mut escaped = false;
        loop {
            i = crate::stop::find_string_stop(bytes, i);
            match bytes.get(i) {
                None => break,
                Some(b'\\') => {
                    escaped = true;
                    i = unescape_step(bytes, i).map_err(|kind| crate::DecodeError::new(kind, i))?;
                }
                Some(b'"') => {
                    return Err(crate::DecodeError::new(
                        crate::DecodeErrorKind::TrailingCharacters,
                        i,
                    ));
                }
                Some(_) => {
                    return Err(crate::DecodeError::new(
                        crate::DecodeErrorKind::ControlCharacterInString,
                        i,
                    ));
                }
            }
        }
        Ok(Self {
            raw,
            flags: if escaped { ESCAPED } else { JSON_SAFE },
        })
    }

    /// The text as it stands in the input: escaped JSON when [`has_escapes`](Self::has_escapes),
    /// otherwise the string itself.
    ///
    /// ```
    /// let s = phx_codec::JsonStr::from_json_body(r"\u0041")?;
    /// assert_eq!(s.raw(), r"\u0041");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// Whether the raw text holds escapes that [`chars`](Self::chars) will decode.
    ///
    /// ```
    /// use phx_codec::JsonStr;
    /// assert!(JsonStr::from_json_body(r"a\nb")?.has_escapes());
    /// assert!(!JsonStr::from_json_body("ab")?.has_escapes());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn has_escapes(&self) -> bool {
        self.flags & ESCAPED != 0
    }

    /// The string without copying, when it has no escapes.
    ///
    /// ```
    /// use phx_codec::JsonStr;
    /// assert_eq!(JsonStr::from_json_body("plain")?.as_str(), Some("plain"));
    /// assert_eq!(JsonStr::from_json_body(r"tab\t")?.as_str(), None); // needs unescaping
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn as_str(&self) -> Option<&'a str> {
        if self.has_escapes() {
            None
        } else {
            Some(self.raw)
        }
    }

    /// Whether the unescaped string is empty.
    ///
    /// ```
    /// assert!(phx_codec::JsonStr::literal("").is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The unescaped characters, decoded one at a time.
    ///
    /// ```
    /// let s = phx_codec::JsonStr::from_json_body(r"h\u00e9!")?;
    /// assert_eq!(s.chars().collect::<Vec<_>>(), ['h', 'é', '!']);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn chars(&self) -> Chars<'a> {
        Chars {
            rest: self.raw,
            escaped: self.has_escapes(),
        }
    }

    /// Length of the unescaped string in UTF-8 bytes.
    ///
    /// ```
    /// let s = phx_codec::JsonStr::from_json_body(r"\u00e9")?;
    /// assert_eq!(s.unescaped_len(), 2); // UTF-8 bytes of 'é'
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn unescaped_len(&self) -> usize {
        if !self.has_escapes() {
            return self.raw.len();
        }
        let mut len = 0;
        for piece in self.pieces() {
            len += match piece {
                Piece::Run(run) => run.len(),
                Piece::Escape(c) => c.len_utf8(),
            };
        }
        len
    }

    /// The unescaped string as runs of text without escapes and single decoded escapes, so
    /// bulk work (length, copying) handles whole runs at once.
    pub(crate) fn pieces(&self) -> Pieces<'a> {
        Pieces { rest: self.raw }
    }

    /// Writes the unescaped string into `buf` and returns it as `&str`.
    ///
    /// ```
    /// use phx_codec::{EncodeError, JsonStr};
    /// let s = JsonStr::from_json_body(r"line\nbreak")?;
    /// let mut buf = [0u8; 16];
    /// assert_eq!(s.unescape_into(&mut buf), Ok("line\nbreak"));
    /// assert!(matches!(s.unescape_into(&mut [0u8; 4]), Err(EncodeError::BufferTooSmall { .. })));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn unescape_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, EncodeError> {
        // One pass (`unescape_escaped`); only a buffer too small pays for the length pass, to
        // say how much was needed.
        let available = buf.len();
        let written = if self.has_escapes() {
            unescape_escaped(self.raw, buf)
        } else {
            let mut out = crate::simd::StrWriter::new(buf);
            out.push_str(self.raw).then(|| out.into_str())
        };
        written.ok_or_else(|| EncodeError::BufferTooSmall {
            needed: self.unescaped_len(),
            available,
        })
    }

    /// Whether the unescaped string equals `other`, without allocating.
    ///
    /// ```
    /// let s = phx_codec::JsonStr::from_json_body(r"phx_jo\u0069n")?;
    /// assert!(s.eq_str("phx_join"));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn eq_str(&self, other: &str) -> bool {
        if self.has_escapes() {
            self.chars().eq(other.chars())
        } else {
            self.raw == other
        }
    }

    /// If the unescaped string starts with `prefix`, the rest of it (still borrowed).
    ///
    /// ```
    /// use phx_codec::JsonStr;
    /// let s = JsonStr::from_json_body(r"room:\u0031").unwrap();
    /// assert_eq!(s.strip_prefix("room:").unwrap(), "1");
    /// ```
    pub fn strip_prefix(&self, prefix: &str) -> Option<JsonStr<'a>> {
        if !self.has_escapes() {
            return self
                .raw
                .strip_prefix(prefix)
                .map(|rest| Self { raw: rest, ..*self });
        }
        let mut chars = self.chars();
        for expected in prefix.chars() {
            if chars.next() != Some(expected) {
                return None;
            }
        }
        Some(chars.remaining())
    }

    /// Splits at the first occurrence of `delimiter` (an unescaped character).
    ///
    /// ```
    /// let topic = phx_codec::JsonStr::from_json_body(r"conversation\u003a42")?;
    /// let (kind, id) = topic.split_once(':').unwrap();
    /// assert_eq!((kind, id), ("conversation".into(), "42".into()));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn split_once(&self, delimiter: char) -> Option<(JsonStr<'a>, JsonStr<'a>)> {
        if !self.has_escapes() {
            return self
                .raw
                .split_once(delimiter)
                .map(|(a, b)| (Self { raw: a, ..*self }, Self { raw: b, ..*self }));
        }
        let mut chars = self.chars();
        loop {
            let before = chars.rest;
            let c = chars.next()?;
            if c == delimiter {
                let head_len = self.raw.len() - before.len();
                let head = self.raw.get(..head_len).unwrap_or("");
                return Some((Self::sub(head), chars.remaining()));
            }
        }
    }

    /// A piece of an escaped string, cut at an escape boundary.
    fn sub(raw: &'a str) -> Self {
        let escaped = raw.as_bytes().contains(&b'\\');
        Self {
            raw,
            flags: if escaped { ESCAPED } else { JSON_SAFE },
        }
    }

    /// The unescaped string, borrowed when it has no escapes.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// let plain = phx_codec::JsonStr::from_json_body("hi")?;
    /// assert!(matches!(plain.to_cow(), Cow::Borrowed("hi")));
    /// let escaped = phx_codec::JsonStr::from_json_body(r"h\u0069")?;
    /// assert!(matches!(escaped.to_cow(), Cow::Owned(s) if s == "hi"));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    #[cfg(feature = "alloc")]
    pub fn to_cow(&self) -> alloc::borrow::Cow<'a, str> {
        if self.has_escapes() {
            alloc::borrow::Cow::Owned(self.chars().collect())
        } else {
            alloc::borrow::Cow::Borrowed(self.raw)
        }
    }

    /// The unescaped string, owned.
    ///
    /// ```
    /// let s = phx_codec::JsonStr::from_json_body(r"\ud83d\ude00")?;
    /// assert_eq!(s.into_string(), "😀");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    #[cfg(feature = "alloc")]
    pub fn into_string(self) -> alloc::string::String {
        self.to_cow().into_owned()
    }
}

/// Decodes the escape at `bytes[i]` (a backslash), returning the index after it; errors name
/// what was wrong.
fn unescape_step(bytes: &[u8], i: usize) -> Result<usize, crate::DecodeErrorKind> {
    use crate::DecodeErrorKind as K;
    let hex = |at: usize| -> Result<u32, K> {
        let digits = bytes.get(at..at + 4).ok_or(K::UnexpectedEnd)?;
        let text = core::str::from_utf8(digits).map_err(|_| K::InvalidUnicodeEscape)?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(K::InvalidUnicodeEscape);
        }
        u32::from_str_radix(text, 16).map_err(|_| K::InvalidUnicodeEscape)
    };
    match bytes.get(i + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 2),
        Some(b'u') => match hex(i + 2)? {
            0xD800..=0xDBFF => {
                if bytes.get(i + 6..i + 8) == Some(b"\\u") && matches!(hex(i + 8)?, 0xDC00..=0xDFFF)
                {
                    Ok(i + 12)
                } else {
                    Err(K::LoneSurrogate)
                }
            }
            0xDC00..=0xDFFF => Err(K::LoneSurrogate),
            _ => Ok(i + 6),
        },
        Some(_) => Err(K::InvalidEscape),
        None => Err(K::UnexpectedEnd),
    }
}

/// The unescaped characters of a [`JsonStr`]. Created by [`JsonStr::chars`].
///
/// ```
/// let s = phx_codec::JsonStr::from_json_body(r"a\tb")?;
/// assert_eq!(s.chars().filter(|c| c.is_whitespace()).count(), 1);
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Chars<'a> {
    rest: &'a str,
    escaped: bool,
}

impl<'a> Chars<'a> {
    /// What is left, as a string of the same kind.
    fn remaining(&self) -> JsonStr<'a> {
        if self.escaped {
            JsonStr::sub(self.rest)
        } else {
            JsonStr::literal(self.rest)
        }
    }
}

/// Unescapes `raw`, an escaped body, into `buf` (`None` when it does not fit): SSE2's
/// one-loop version where the build has it.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn unescape_escaped<'b>(raw: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    crate::simd::unescape_into(raw, buf)
}

/// Unescapes `raw`, an escaped body, into `buf` (`None` when it does not fit).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn unescape_escaped<'b>(raw: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    unescape_portable(raw, buf)
}

/// Unescapes `raw`, an escaped body, into `buf` (`None` when it does not fit): runs are
/// copied whole and escapes decoded as they come; the output is whole `str`s and `char`s, so
/// it needs no UTF-8 check afterwards. (SSE2 builds compile it for the tests, which pin the
/// two together.)
#[cfg(any(test, not(all(target_arch = "x86_64", target_feature = "sse2"))))]
fn unescape_portable<'b>(raw: &str, buf: &'b mut [u8]) -> Option<&'b str> {
    let mut out = crate::simd::StrWriter::new(buf);
    let fits = (Pieces { rest: raw }).all(|piece| match piece {
        Piece::Run(run) => out.push_str(run),
        Piece::Escape(c) => out.push_char(c),
    });
    fits.then(|| out.into_str())
}

/// A run of text without escapes, or one decoded escape.
pub(crate) enum Piece<'a> {
    Run(&'a str),
    Escape(char),
}

/// The pieces of an escaped [`JsonStr`]; see `JsonStr::pieces`.
pub(crate) struct Pieces<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    #[inline]
    fn next(&mut self) -> Option<Piece<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        match crate::escape::find_backslash(self.rest.as_bytes()) {
            Some(0) => {
                let (c, used) = decode_escape(self.rest);
                self.rest = self.rest.get(used..).unwrap_or("");
                Some(Piece::Escape(c))
            }
            Some(k) => {
                let (run, rest) = self.rest.split_at_checked(k)?;
                self.rest = rest;
                Some(Piece::Run(run))
            }
            None => Some(Piece::Run(core::mem::take(&mut self.rest))),
        }
    }
}

impl Iterator for Chars<'_> {
    type Item = char;

    #[inline]
    fn next(&mut self) -> Option<char> {
        let mut it = self.rest.chars();
        let c = it.next()?;
        if c != '\\' || !self.escaped {
            self.rest = it.as_str();
            return Some(c);
        }
        let (decoded, used) = decode_escape(self.rest);
        self.rest = self.rest.get(used..).unwrap_or("");
        Some(decoded)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.rest.len().div_ceil(12), Some(self.rest.len()))
    }
}

impl PartialEq for JsonStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self.has_escapes(), other.has_escapes()) {
            (false, false) => self.raw == other.raw,
            _ => self.chars().eq(other.chars()),
        }
    }
}

impl Eq for JsonStr<'_> {}

impl PartialEq<str> for JsonStr<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<&str> for JsonStr<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_str(other)
    }
}

impl PartialEq<JsonStr<'_>> for str {
    fn eq(&self, other: &JsonStr<'_>) -> bool {
        other.eq_str(self)
    }
}

impl PartialEq<JsonStr<'_>> for &str {
    fn eq(&self, other: &JsonStr<'_>) -> bool {
        other.eq_str(self)
    }
}

impl core::hash::Hash for JsonStr<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        for c in self.chars() {
            state.write_u32(c as u32);
        }
        state.write_u8(0xff);
    }
}

impl fmt::Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.has_escapes() {
            return f.write_str(self.raw);
        }
        for c in self.chars() {
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

impl fmt::Debug for JsonStr<'_> {
    /// Shows the unescaped text, quoted, as `str`'s `Debug` does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.has_escapes() {
            return fmt::Debug::fmt(self.raw, f);
        }
        f.write_str("\"")?;
        for c in self.chars() {
            // `str`'s Debug escapes as `char::escape_debug` does, except for `'`.
            if c == '\'' {
                fmt::Write::write_char(f, c)?;
            } else {
                for e in c.escape_debug() {
                    fmt::Write::write_char(f, e)?;
                }
            }
        }
        f.write_str("\"")
    }
}

impl<'a> From<&'a str> for JsonStr<'a> {
    fn from(text: &'a str) -> Self {
        Self::literal(text)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for JsonStr<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.as_str() {
            Some(s) => serializer.serialize_str(s),
            None => serializer.collect_str(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_every_escape_kind() {
        let s = JsonStr::from_json_body(r#"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\u4f60"#).unwrap();
        let expected = "\"\\/\u{8}\u{c}\n\r\té😀你";
        assert!(s.chars().eq(expected.chars()));
        assert_eq!(s.unescaped_len(), expected.len());
        let mut buf = [0u8; 64];
        assert_eq!(s.unescape_into(&mut buf).unwrap(), expected);
        assert_eq!(
            s.unescape_into(&mut [0u8; 3]),
            Err(EncodeError::BufferTooSmall {
                needed: expected.len(),
                available: 3
            })
        );
    }

    /// Every escape kind `unescape_into` decodes, as JSON writes it.
    const ESCAPES: [&str; 19] = [
        r#"\""#,
        r"\\",
        r"\/",
        r"\b",
        r"\f",
        r"\n",
        r"\r",
        r"\t",
        r"\u0000",
        r"\u0001",
        r"\u001F",
        r"\u007f",
        r"\u00e9",
        r"\u017F",
        r"\u1000",
        r"\u4F60",
        r"\uffff",
        r"\ud83d\ude00",
        r"\uDBFF\uDFFF",
    ];

    /// `unescape_into` (and the portable version) against `chars` collected, in a buffer of
    /// exactly the right size, one byte bigger, and every size too small.
    fn unescapes_as_chars_does(raw: &str) {
        let s = JsonStr::from_json_body(raw).unwrap();
        let expected: std::string::String = s.chars().collect();
        assert_eq!(s.unescaped_len(), expected.len(), "{raw:?}");
        let mut buf = std::vec![0xffu8; expected.len() + 1];
        assert_eq!(s.unescape_into(&mut buf).unwrap(), expected, "{raw:?}");
        let exact = &mut buf[..expected.len()];
        assert_eq!(s.unescape_into(exact).unwrap(), expected, "{raw:?}");
        assert_eq!(
            unescape_portable(raw, exact).unwrap(),
            expected,
            "{raw:?} portable"
        );
        // Every size too small (Miri, ~1000x slower: every 7th, and the last).
        let step = if cfg!(miri) { 7 } else { 1 };
        let sizes = (0..expected.len())
            .step_by(step)
            .chain(expected.len().checked_sub(1));
        for available in sizes {
            let short = &mut buf[..available];
            assert_eq!(
                s.unescape_into(short),
                Err(EncodeError::BufferTooSmall {
                    needed: expected.len(),
                    available
                }),
                "{raw:?} into {available}"
            );
            assert_eq!(
                unescape_portable(raw, short),
                None,
                "{raw:?} into {available}"
            );
        }
    }

    /// Text of `len` bytes cycling through 1-, 2-, 3- and 4-byte characters (or a little
    /// less, to end on a character boundary).
    fn filler(len: usize, ascii: bool) -> std::string::String {
        let mut out = std::string::String::new();
        for c in "abcé日🚚defghijklmnopqrstuvwxyz—".chars().cycle() {
            let c = if ascii && !c.is_ascii() { 'x' } else { c };
            if out.len() + c.len_utf8() > len {
                break;
            }
            out.push(c);
        }
        out
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "thousands of strings: too slow under Miri; the next test is its sample"
    )]
    fn unescape_agrees_with_chars_for_every_escape_at_every_offset() {
        for total in [15usize, 16, 17, 31, 32, 33, 47, 48, 49] {
            for at in 0..=40 {
                for escape in ESCAPES {
                    for ascii in [true, false] {
                        let head = filler(at, ascii);
                        let tail = filler(total.saturating_sub(at), ascii);
                        unescapes_as_chars_does(&std::format!("{head}{escape}{tail}"));
                        // Two escapes in a row, and one ending the string.
                        unescapes_as_chars_does(&std::format!("{head}{escape}{escape}{tail}"));
                        unescapes_as_chars_does(&std::format!("{head}{escape}"));
                    }
                }
            }
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "thousands of long strings: too slow under Miri (the next test is its sample; \
                  `simd::tests::unescape_stays_inside_the_body_and_the_buffer` its bounds)"
    )]
    fn unescape_agrees_with_chars_for_every_escape_at_every_offset_of_long_bodies() {
        // Bodies long enough for the 32-byte loop in front (`simd::unescape_blocks_avx2`,
        // from 96 bytes where the CPU has AVX2): each escape at every offset of its blocks,
        // alone, doubled and ending the body, in buffers of every size.
        for at in 0..=70 {
            for escape in ESCAPES {
                for ascii in [true, false] {
                    let head = filler(at, ascii);
                    let tail = filler(130 - at, ascii);
                    unescapes_as_chars_does(&std::format!("{head}{escape}{tail}"));
                    unescapes_as_chars_does(&std::format!("{head}{escape}{escape}{tail}"));
                    unescapes_as_chars_does(&std::format!("{tail}{head}{escape}"));
                }
            }
        }
    }

    #[test]
    fn unescape_agrees_with_chars_on_dense_escapes_across_blocks() {
        // Every escape kind back to back, then one per block edge, then spread out.
        let dense: std::string::String = ESCAPES.concat();
        unescapes_as_chars_does(&dense);
        unescapes_as_chars_does(&std::format!("{dense}{dense}x"));
        let mut spread = std::string::String::new();
        for (k, escape) in ESCAPES.iter().enumerate() {
            spread.push_str(&filler(k * 3 % 17, k % 2 == 0));
            spread.push_str(escape);
        }
        unescapes_as_chars_does(&spread);
        unescapes_as_chars_does(&filler(70, false));
        if !cfg!(miri) || cfg!(target_feature = "avx2") {
            // Long enough for the AVX2 loop in front, which Miri runs in its AVX2 build only.
            unescapes_as_chars_does(&std::format!("{spread}{dense}{spread}"));
        }
        unescapes_as_chars_does(r"\n");
        unescapes_as_chars_does("");
    }

    #[test]
    fn equality_ignores_how_a_string_was_escaped() {
        let a = JsonStr::from_json_body(r"\u0061bc").unwrap();
        let b = JsonStr::literal("abc");
        assert_eq!(a, b);
        assert_eq!(a, "abc");
        assert_ne!(a, "abd");
        assert_ne!(a, "ab");
    }

    #[test]
    fn splits_and_strips_across_escapes() {
        let s = JsonStr::from_json_body(r"events\u003aacc:cus\n").unwrap();
        let (head, tail) = s.split_once(':').unwrap();
        assert_eq!(head, "events");
        assert_eq!(tail, "acc:cus\n");
        assert_eq!(s.strip_prefix("events:").unwrap(), "acc:cus\n");
        assert!(s.strip_prefix("event:").is_none());
    }

    #[test]
    fn debug_matches_str_debug_for_escaped_strings() {
        let s = JsonStr::from_json_body(r#"\n'\"\u0301é\u0000"#).unwrap();
        let plain = "\n'\"\u{301}é\u{0}";
        assert_eq!(std::format!("{s:?}"), std::format!("{plain:?}"));
    }

    #[test]
    fn rejects_invalid_bodies() {
        for bad in [r"\x", r"\u12", r"\ud800", "a\"b", "a\u{1}b", "\\"] {
            assert!(JsonStr::from_json_body(bad).is_err(), "{bad:?}");
        }
    }
}
