//! Writing frames into caller memory: the [`Sink`] trait, its implementations, JSON string
//! escaping as `JSON.stringify` does it, and [`WriteJson`] for payloads.
//!
//! An encoder whose output has a cheap upper bound ([`WriteJson::max_json_len`]) and a sink
//! with that much room writes in one pass; otherwise it computes its exact length first (with
//! [`LenCounter`]), checks the sink's room, and only then writes. Either way a failed encode
//! writes nothing and says how much it needed.
//!
//! ```
//! use phx_codec::{decode_text, encode::SliceSink};
//! let input = br#"[null,"12","phoenix","heartbeat",{}]"#;
//! let frame = decode_text(input).unwrap();
//! let mut buf = [0u8; 64];
//! let n = frame.encode_v2_into(&mut buf).unwrap();
//! assert_eq!(&buf[..n], input);
//! assert_eq!(frame.encoded_len_v2().unwrap(), n);
//! ```

use crate::error::EncodeError;
use crate::raw::RawJson;
use crate::sink::reserve;
pub use crate::sink::{LenCounter, Sink, SliceSink};
use crate::string::{JsonStr, Piece};

/// One way of writing something whole (a frame in one wire form), so that the exact-length,
/// check-then-write sequence lives in one place ([`encode_exact`]).
pub(crate) trait Encoding {
    /// Writes everything; errors only for content the form cannot carry (or a full sink).
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError>;

    /// An upper bound of the output's length known without a pass over string bytes, when
    /// every content error is found before anything is written; `None` otherwise.
    fn max_len(&self) -> Option<usize> {
        None
    }
}

/// The exact length of `encoding`'s output.
pub(crate) fn exact_len<E: Encoding>(encoding: &E) -> Result<usize, EncodeError> {
    let mut counter = LenCounter::default();
    encoding.write_to(&mut counter)?;
    Ok(counter.len)
}

/// Writes in one pass when [`Encoding::max_len`] fits in the sink; otherwise measures, checks
/// the room, then writes: into one claimed slice when the sink offers it, piece by piece
/// otherwise. Nothing is written when it does not fit.
pub(crate) fn encode_exact<E: Encoding, S: Sink + ?Sized>(
    encoding: &E,
    out: &mut S,
) -> Result<usize, EncodeError> {
    // One pass when a bounded sink (a slice, an array) surely has room: nothing can fail
    // half-way. Growing sinks (`Vec`) take the exact path: one reservation, then one claimed
    // slice, costs them less than growing piece by piece.
    let remaining = out.remaining();
    if remaining < usize::MAX / 2
        && let Some(bound) = encoding.max_len()
        && bound <= remaining
    {
        // A bounded sink's room shrinks by exactly what it took (no counting wrapper: the
        // same `write_to` as the fallback below, so firmware links one copy).
        encoding.write_to(out)?;
        return Ok(remaining.saturating_sub(out.remaining()));
    }
    let len = exact_len(encoding)?;
    reserve(out, len)?;
    match out.claim(len) {
        Some(buf) => encoding.write_to(&mut SliceSink::new(buf))?,
        None => encoding.write_to(out)?,
    }
    Ok(len)
}

/// Something that writes itself as one JSON value.
///
/// [`RawJson`] writes its text verbatim; typed payload builders write compact JSON with keys
/// in a fixed order. [`json_len`](Self::json_len) is exact.
///
/// ```
/// use phx_codec::encode::{JsonObjectWriter, Sink, WriteJson};
/// use phx_codec::EncodeError;
/// struct Typing<'a> { user: &'a str }
/// impl WriteJson for Typing<'_> {
///     fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
///         let mut obj = JsonObjectWriter::new(out)?;
///         obj.member("user", self.user)?;
///         obj.finish()
///     }
/// }
/// let typing = Typing { user: "ann" };
/// assert_eq!(typing.json_len(), r#"{"user":"ann"}"#.len());
/// ```
pub trait WriteJson {
    /// Writes the JSON value.
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError>;

    /// The exact number of bytes [`write_json`](Self::write_json) writes.
    fn json_len(&self) -> usize {
        let mut counter = LenCounter::default();
        // A counter never fails.
        let _ = self.write_json(&mut counter);
        counter.len
    }

    /// An upper bound of [`json_len`](Self::json_len) known without a pass over string
    /// bytes, or `None` (the default) when there is none that cheap. Encoders that see this
    /// much room in the sink write in one pass instead of measuring first; a value that
    /// returns `Some` must fail to write only when the sink is full.
    ///
    /// ```
    /// use phx_codec::encode::WriteJson;
    /// assert_eq!(true.max_json_len(), Some(5));
    /// assert!("a\n".max_json_len() >= Some("a\n".json_len()));
    /// ```
    fn max_json_len(&self) -> Option<usize> {
        None
    }
}

/// The most a string of `raw_len` bytes (literal, or the raw body of a JSON string) takes
/// written as a quoted JSON string: every byte, or every character an escape decodes to,
/// takes at most six.
#[inline]
pub(crate) fn max_str_len(raw_len: usize) -> Option<usize> {
    raw_len.checked_mul(6)?.checked_add(2)
}

/// Sums upper bounds, `None` when one is missing or the sum overflows.
#[inline]
pub(crate) fn sum_bounds(parts: &[Option<usize>]) -> Option<usize> {
    parts
        .iter()
        .try_fold(0usize, |total, part| total.checked_add((*part)?))
}

impl WriteJson for RawJson<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(self.as_bytes())
    }

    fn json_len(&self) -> usize {
        self.as_str().len()
    }

    fn max_json_len(&self) -> Option<usize> {
        Some(self.as_str().len())
    }
}

impl WriteJson for JsonStr<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        write_json_str(out, *self)
    }

    fn max_json_len(&self) -> Option<usize> {
        if self.is_json_safe() {
            self.raw().len().checked_add(2)
        } else {
            max_str_len(self.raw().len())
        }
    }
}

impl WriteJson for str {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        write_json_str(out, JsonStr::literal(self))
    }

    fn max_json_len(&self) -> Option<usize> {
        max_str_len(self.len())
    }
}

impl WriteJson for bool {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(if *self { b"true" } else { b"false" })
    }

    fn max_json_len(&self) -> Option<usize> {
        Some(5)
    }
}

impl WriteJson for i64 {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut buf = [0u8; 20];
        let mut at = buf.len();
        let mut n = self.unsigned_abs();
        loop {
            at -= 1;
            #[allow(clippy::cast_possible_truncation)] // a digit
            if let Some(slot) = buf.get_mut(at) {
                *slot = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if *self < 0 {
            out.put(b"-")?;
        }
        out.put(buf.get(at..).unwrap_or(&[]))
    }

    fn max_json_len(&self) -> Option<usize> {
        Some(20) // "-9223372036854775808"
    }
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        (**self).write_json(out)
    }

    fn max_json_len(&self) -> Option<usize> {
        (**self).max_json_len()
    }
}

/// `None` writes `null`.
impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        match self {
            Some(v) => v.write_json(out),
            None => out.put(b"null"),
        }
    }

    fn max_json_len(&self) -> Option<usize> {
        match self {
            Some(v) => v.max_json_len(),
            None => Some(4),
        }
    }
}

/// Writes an object member by member: `{"a":1,"b":"x"}`.
///
/// ```
/// use phx_codec::encode::{JsonObjectWriter, SliceSink, WriteJson};
/// let mut buf = [0u8; 64];
/// let mut out = SliceSink::new(&mut buf);
/// let mut obj = JsonObjectWriter::new(&mut out).unwrap();
/// obj.member("status", "ok").unwrap();
/// obj.member("n", &7i64).unwrap();
/// obj.finish().unwrap();
/// assert_eq!(out.written(), br#"{"status":"ok","n":7}"#);
/// ```
#[derive(Debug)]
pub struct JsonObjectWriter<'s, S: Sink + ?Sized> {
    out: &'s mut S,
    first: bool,
}

impl<'s, S: Sink + ?Sized> JsonObjectWriter<'s, S> {
    /// Opens the object.
    ///
    /// ```
    /// use phx_codec::encode::JsonObjectWriter;
    /// let mut buf = [0u8; 8];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// JsonObjectWriter::new(&mut out).unwrap().finish().unwrap();
    /// assert_eq!(out.written(), b"{}");
    /// ```
    pub fn new(out: &'s mut S) -> Result<Self, EncodeError> {
        out.put(b"{")?;
        Ok(Self { out, first: true })
    }

    /// Writes `"key":value`.
    ///
    /// ```
    /// use phx_codec::encode::JsonObjectWriter;
    /// let mut buf = [0u8; 32];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// let mut obj = JsonObjectWriter::new(&mut out).unwrap();
    /// obj.member("ids", &phx_codec::outgoing::JsonArray(&[1i64, 2])).unwrap();
    /// obj.finish().unwrap();
    /// assert_eq!(out.written(), br#"{"ids":[1,2]}"#);
    /// ```
    pub fn member<V: WriteJson + ?Sized>(
        &mut self,
        key: &str,
        value: &V,
    ) -> Result<(), EncodeError> {
        if !self.first {
            self.out.put(b",")?;
        }
        self.first = false;
        key.write_json(self.out)?;
        self.out.put(b":")?;
        value.write_json(self.out)
    }

    /// Writes a member whose key was quoted at compile time (`static_key!`): `"key":` as it
    /// stands, then the value.
    #[inline]
    pub(crate) fn static_member<V: WriteJson + ?Sized>(
        &mut self,
        quoted_key: StaticKey,
        value: &V,
    ) -> Result<(), EncodeError> {
        if !self.first {
            self.out.put(b",")?;
        }
        self.first = false;
        self.out.put(quoted_key.0)?;
        value.write_json(self.out)
    }

    /// [`static_member`](Self::static_member) when `value` is `Some`; nothing otherwise.
    #[inline]
    pub(crate) fn static_optional_member<V: WriteJson>(
        &mut self,
        quoted_key: StaticKey,
        value: Option<&V>,
    ) -> Result<(), EncodeError> {
        match value {
            Some(v) => self.static_member(quoted_key, v),
            None => Ok(()),
        }
    }

    /// Writes `"key":value` when `value` is `Some`; nothing otherwise.
    ///
    /// ```
    /// use phx_codec::encode::JsonObjectWriter;
    /// let mut buf = [0u8; 32];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// let mut obj = JsonObjectWriter::new(&mut out).unwrap();
    /// obj.optional_member("a", Some(&true)).unwrap();
    /// obj.optional_member::<bool>("b", None).unwrap();
    /// obj.finish().unwrap();
    /// assert_eq!(out.written(), br#"{"a":true}"#);
    /// ```
    pub fn optional_member<V: WriteJson>(
        &mut self,
        key: &str,
        value: Option<&V>,
    ) -> Result<(), EncodeError> {
        match value {
            Some(v) => self.member(key, v),
            None => Ok(()),
        }
    }

    /// Closes the object.
    ///
    /// ```
    /// use phx_codec::encode::JsonObjectWriter;
    /// let mut buf = [0u8; 16];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// let mut obj = JsonObjectWriter::new(&mut out).unwrap();
    /// obj.member("n", &1i64).unwrap();
    /// obj.finish().unwrap();
    /// assert_eq!(out.written(), br#"{"n":1}"#);
    /// ```
    pub fn finish(self) -> Result<(), EncodeError> {
        self.out.put(b"}")
    }
}

/// An object key written at compile time as `"key":` (see `static_key!`).
#[derive(Clone, Copy)]
pub(crate) struct StaticKey(pub(crate) &'static [u8]);

impl StaticKey {
    /// `"key":`, checked at compile time to need no escaping.
    pub(crate) const fn new(quoted: &'static str) -> Self {
        let bytes = quoted.as_bytes();
        let mut i = 1;
        while i + 2 < bytes.len() {
            assert!(
                !needs_escape(bytes[i]),
                "a static key must need no escaping"
            );
            i += 1;
        }
        Self(bytes)
    }
}

/// `static_key!("body")`: the [`StaticKey`] `"body":`, built and checked at compile time.
macro_rules! static_key {
    ($key:literal) => {
        const { $crate::encode::StaticKey::new(concat!("\"", $key, "\":")) }
    };
}
pub(crate) use static_key;

/// Bytes that `JSON.stringify` escapes: `"`, `\` and controls below U+0020.
#[inline]
const fn needs_escape(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// Writes `text` with JSON escaping (no quotes), exactly as `JSON.stringify` and Jason do:
/// `\"`, `\\`, `\b \f \n \r \t`, other controls as lowercase `\u00XX`; `/` and non-ASCII are
/// written as they are.
///
/// ```
/// let mut buf = [0u8; 32];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// phx_codec::encode::write_escaped(&mut out, "tab\t, quote \", é /").unwrap();
/// assert_eq!(out.written(), r#"tab\t, quote \", é /"#.as_bytes());
/// ```
pub fn write_escaped<S: Sink + ?Sized>(out: &mut S, text: &str) -> Result<(), EncodeError> {
    let bytes = text.as_bytes();
    let mut start = 0;
    loop {
        let stop = crate::stop::find_short_string_stop(bytes, start);
        let Some(&b) = bytes.get(stop) else {
            return out.put(bytes.get(start..).unwrap_or(&[]));
        };
        out.put(bytes.get(start..stop).unwrap_or(&[]))?;
        debug_assert!(needs_escape(b));
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\t' => b"\\t",
            b'\r' => b"\\r",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => b"",
        };
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
            out.put(&[b'\\', b'u', b'0', b'0', hi, lo])?;
        } else {
            out.put(short)?;
        }
        start = stop + 1;
    }
}

/// Writes a [`JsonStr`] as a quoted JSON string in canonical (`JSON.stringify`) form.
///
/// ```
/// let s = phx_codec::JsonStr::from_json_body(r"\u0041\/")?; // escapes JSON.stringify does not write
/// let mut buf = [0u8; 16];
/// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
/// phx_codec::encode::write_json_str(&mut out, s).unwrap();
/// assert_eq!(out.written(), br#""A/""#);
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
pub fn write_json_str<S: Sink + ?Sized>(out: &mut S, s: JsonStr<'_>) -> Result<(), EncodeError> {
    // Most strings need no escaping: quoted and copied into one claimed slice when the sink
    // offers it (one capacity check instead of three).
    let raw = s.raw().as_bytes();
    if (s.is_json_safe()
        || !s.has_escapes() && crate::stop::find_short_string_stop(raw, 0) == raw.len())
        && let Some(slot) = out.claim(raw.len() + 2)
    {
        if let Some((open, rest)) = slot.split_first_mut()
            && let Some((close, body)) = rest.split_last_mut()
        {
            *open = b'"';
            body.copy_from_slice(raw);
            *close = b'"';
        }
        return Ok(());
    }
    out.put(b"\"")?;
    if s.is_json_safe() {
        out.put(s.raw().as_bytes())?;
    } else if let Some(text) = s.as_str() {
        write_escaped(out, text)?;
    } else {
        let mut utf8 = [0u8; 4];
        for piece in s.pieces() {
            match piece {
                Piece::Run(run) => write_escaped(out, run)?,
                Piece::Escape(c) => write_escaped(out, c.encode_utf8(&mut utf8))?,
            }
        }
    }
    out.put(b"\"")
}

/// Writes the unescaped bytes of `s` (for binary headers).
pub(crate) fn write_unescaped<S: Sink + ?Sized>(
    out: &mut S,
    s: JsonStr<'_>,
) -> Result<(), EncodeError> {
    if let Some(text) = s.as_str() {
        return out.put(text.as_bytes());
    }
    let mut utf8 = [0u8; 4];
    for piece in s.pieces() {
        match piece {
            Piece::Run(run) => out.put(run.as_bytes())?,
            Piece::Escape(c) => out.put(c.encode_utf8(&mut utf8).as_bytes())?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> heapless::Vec<u8, 128> {
        let mut buf = [0u8; 128];
        let mut out = SliceSink::new(&mut buf);
        write_json_str(&mut out, JsonStr::literal(text)).unwrap();
        heapless::Vec::from_slice(out.written()).unwrap()
    }

    #[test]
    fn escapes_like_json_stringify() {
        assert_eq!(&escaped("a\"b\\c/d")[..], br#""a\"b\\c/d""#);
        assert_eq!(
            &escaped("\u{0}\u{7}\u{8}\u{c}\n\r\t\u{1f}\u{7f}")[..],
            "\"\\u0000\\u0007\\b\\f\\n\\r\\t\\u001f\u{7f}\"".as_bytes()
        );
        assert_eq!(&escaped("é😀")[..], "\"é😀\"".as_bytes());
    }

    #[test]
    fn slice_sink_refuses_without_writing() {
        let mut buf = [0u8; 3];
        let mut sink = SliceSink::new(&mut buf);
        assert_eq!(
            sink.put(b"abcd"),
            Err(EncodeError::BufferTooSmall {
                needed: 4,
                available: 3
            })
        );
        assert!(sink.is_empty());
    }

    /// Both heapless majors are sinks, each behind its feature: a crate on heapless 0.8 and
    /// one on 0.9 encode into the `Vec` they already have.
    #[cfg(all(feature = "heapless08", feature = "heapless09"))]
    #[test]
    fn heapless_0_8_and_0_9_vecs_are_sinks() {
        let frame = crate::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#).unwrap();
        let expected: &[u8] = br#"[null,"1","phoenix","heartbeat",{}]"#;
        let mut v08 = heapless08::Vec::<u8, 64>::new();
        let mut v09 = heapless09::Vec::<u8, 64>::new();
        assert_eq!(frame.encode_v2(&mut v08), Ok(expected.len()));
        assert_eq!(frame.encode_v2(&mut v09), Ok(expected.len()));
        assert_eq!((&v08[..], &v09[..]), (expected, expected));
        let mut small08 = heapless08::Vec::<u8, 8>::new();
        let mut small09 = heapless09::Vec::<u8, 8>::new();
        for err in [frame.encode_v2(&mut small08), frame.encode_v2(&mut small09)] {
            assert_eq!(
                err,
                Err(EncodeError::BufferTooSmall {
                    needed: expected.len(),
                    available: 8
                })
            );
        }
        assert!(small08.is_empty() && small09.is_empty());
    }

    #[test]
    fn integers_write_like_json() {
        for (n, text) in [
            (0i64, "0"),
            (-7, "-7"),
            (i64::MIN, "-9223372036854775808"),
            (i64::MAX, "9223372036854775807"),
        ] {
            let mut buf = [0u8; 32];
            let mut out = SliceSink::new(&mut buf);
            n.write_json(&mut out).unwrap();
            assert_eq!(out.written(), text.as_bytes());
            assert_eq!(n.json_len(), text.len());
        }
    }
}
