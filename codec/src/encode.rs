//! Writing frames into caller memory: the [`Sink`] trait, its implementations, JSON string
//! escaping as `JSON.stringify` does it, and [`WriteJson`] for payloads.
//!
//! Every encoder computes its exact length first (with [`LenCounter`]), checks the sink's
//! room, and only then writes, so a failed encode writes nothing and says how much it needed.
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
use crate::string::{JsonStr, Piece};

/// A destination for encoded bytes.
///
/// Implemented for `&mut [u8]` (through [`SliceSink`]), [`LenCounter`], `Vec<u8>` (feature
/// `alloc`) and heapless' `Vec<u8, N>`: feature `heapless08` for heapless 0.8, `heapless09`
/// for heapless 0.9 (both may be on). For any other buffer, two methods suffice:
///
/// ```
/// use phx_codec::{EncodeError, encode::Sink};
///
/// /// A fixed-capacity buffer of your own (here 64 bytes on the stack).
/// struct Buf { bytes: [u8; 64], len: usize }
///
/// impl Sink for Buf {
///     fn remaining(&self) -> usize { self.bytes.len() - self.len }
///     fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
///         let (needed, available) = (bytes.len(), self.remaining());
///         let dst = self.bytes.get_mut(self.len..self.len + needed)
///             .ok_or(EncodeError::BufferTooSmall { needed, available })?;
///         dst.copy_from_slice(bytes);
///         self.len += bytes.len();
///         Ok(())
///     }
/// }
///
/// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
/// let mut buf = Buf { bytes: [0; 64], len: 0 };
/// frame.encode(phx_codec::WireFormat::V2, phx_codec::Direction::FromClient, &mut buf)?;
/// assert_eq!(&buf.bytes[..buf.len], br#"[null,"1","phoenix","heartbeat",{}]"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With heapless 0.9 (`phx-codec = { version = "0.1", features = ["heapless09"] }`):
///
/// ```
/// # #[cfg(feature = "heapless09")] {
/// # extern crate heapless09 as heapless;
/// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#).unwrap();
/// let mut out = heapless::Vec::<u8, 64>::new();
/// frame.encode(phx_codec::WireFormat::V2, phx_codec::Direction::FromClient, &mut out).unwrap();
/// assert_eq!(&out[..], br#"[null,"1","phoenix","heartbeat",{}]"#);
/// # }
/// ```
///
/// With heapless 0.8 (`features = ["heapless08"]`), the same code on a 0.8 `Vec`:
///
/// ```
/// # #[cfg(feature = "heapless08")] {
/// # extern crate heapless08 as heapless;
/// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#).unwrap();
/// let mut out = heapless::Vec::<u8, 64>::new();
/// frame.encode(phx_codec::WireFormat::V2, phx_codec::Direction::FromClient, &mut out).unwrap();
/// assert_eq!(&out[..], br#"[null,"1","phoenix","heartbeat",{}]"#);
/// # }
/// ```
pub trait Sink {
    /// How many more bytes this sink can take (`usize::MAX` when it grows).
    fn remaining(&self) -> usize;

    /// Appends `bytes`, or fails with [`EncodeError::BufferTooSmall`] without writing when
    /// they do not fit.
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError>;

    /// Appends `len` bytes (of unspecified value) and returns them for the caller to fill
    /// completely, when the sink stores bytes contiguously and has room; `None` otherwise (the
    /// default), and encoders fall back to [`put`](Self::put). Encoders that know their exact
    /// length use this to write with one capacity check instead of one per piece.
    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        let _ = len;
        None
    }
}

/// Checks that `sink` can take `needed` bytes.
pub(crate) fn reserve<S: Sink + ?Sized>(sink: &S, needed: usize) -> Result<(), EncodeError> {
    let available = sink.remaining();
    if needed > available {
        Err(EncodeError::BufferTooSmall { needed, available })
    } else {
        Ok(())
    }
}

/// One way of writing something whole (a frame in one wire form), so that the exact-length,
/// check-then-write sequence lives in one place ([`encode_exact`]).
pub(crate) trait Encoding {
    /// Writes everything; errors only for content the form cannot carry (or a full sink).
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError>;
}

/// The exact length of `encoding`'s output.
pub(crate) fn exact_len<E: Encoding>(encoding: &E) -> Result<usize, EncodeError> {
    let mut counter = LenCounter::default();
    encoding.write_to(&mut counter)?;
    Ok(counter.len)
}

/// Measures, checks the room, then writes: into one claimed slice when the sink offers it,
/// piece by piece otherwise. Nothing is written when it does not fit.
pub(crate) fn encode_exact<E: Encoding, S: Sink + ?Sized>(
    encoding: &E,
    out: &mut S,
) -> Result<usize, EncodeError> {
    let len = exact_len(encoding)?;
    reserve(out, len)?;
    match out.claim(len) {
        Some(buf) => encoding.write_to(&mut SliceSink::new(buf))?,
        None => encoding.write_to(out)?,
    }
    Ok(len)
}

/// A cursor that writes into a borrowed byte slice.
///
/// ```
/// use phx_codec::encode::{SliceSink, WriteJson};
/// let mut buf = [0u8; 16];
/// let mut sink = SliceSink::new(&mut buf);
/// phx_codec::RawJson::parse("[1]")?.write_json(&mut sink).unwrap();
/// assert_eq!(sink.written(), b"[1]");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Debug)]
pub struct SliceSink<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> SliceSink<'b> {
    /// A sink writing at the start of `buf`.
    ///
    /// ```
    /// let mut buf = [0u8; 4];
    /// assert!(phx_codec::encode::SliceSink::new(&mut buf).is_empty());
    /// ```
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Bytes written so far.
    ///
    /// ```
    /// let mut buf = [0u8; 8];
    /// let mut sink = phx_codec::encode::SliceSink::new(&mut buf);
    /// phx_codec::encode::write_escaped(&mut sink, "ab").unwrap();
    /// assert_eq!(sink.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written yet.
    ///
    /// ```
    /// use phx_codec::encode::{SliceSink, Sink};
    /// let mut buf = [0u8; 2];
    /// let mut sink = SliceSink::new(&mut buf);
    /// assert!(sink.put(b"too long").is_err());
    /// assert!(sink.is_empty()); // a failed put writes nothing
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    ///
    /// ```
    /// let mut buf = [0u8; 8];
    /// let mut sink = phx_codec::encode::SliceSink::new(&mut buf);
    /// phx_codec::encode::write_json_str(&mut sink, "a\"b".into()).unwrap();
    /// assert_eq!(sink.written(), br#""a\"b""#);
    /// ```
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

impl Sink for SliceSink<'_> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.len
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let end = self.len + bytes.len();
        match self.buf.get_mut(self.len..end) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len = end;
                Ok(())
            }
            None => Err(EncodeError::BufferTooSmall {
                needed: bytes.len(),
                available: self.remaining(),
            }),
        }
    }

    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        let end = self.len.checked_add(len)?;
        let claimed = self.buf.get_mut(self.len..end)?;
        self.len = end;
        Some(claimed)
    }
}

/// A sink that only counts: the exact length of an encoding.
///
/// ```
/// use phx_codec::encode::{LenCounter, WriteJson};
/// let mut counter = LenCounter::default();
/// phx_codec::RawJson::parse(r#"{"a":[1,2]}"#)?.write_json(&mut counter).unwrap();
/// assert_eq!(counter.len, 11);
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct LenCounter {
    /// Bytes counted so far.
    pub len: usize,
}

impl Sink for LenCounter {
    fn remaining(&self) -> usize {
        usize::MAX - self.len
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.len = self.len.saturating_add(bytes.len());
        Ok(())
    }
}

/// `Sink` for one major version of heapless' `Vec<u8, N>`.
macro_rules! heapless_sink {
    ($feature:literal, $heapless:ident) => {
        #[cfg(feature = $feature)]
        impl<const N: usize> Sink for $heapless::Vec<u8, N> {
            fn remaining(&self) -> usize {
                N - self.len()
            }

            fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
                let available = N - self.len();
                self.extend_from_slice(bytes)
                    .map_err(|_| EncodeError::BufferTooSmall {
                        needed: bytes.len(),
                        available,
                    })
            }

            fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
                let start = self.len();
                self.resize(start.checked_add(len)?, 0).ok()?;
                self.get_mut(start..)
            }
        }
    };
}

heapless_sink!("heapless08", heapless08);
heapless_sink!("heapless09", heapless09);

#[cfg(feature = "alloc")]
impl Sink for alloc::vec::Vec<u8> {
    fn remaining(&self) -> usize {
        usize::MAX - self.len()
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.extend_from_slice(bytes);
        Ok(())
    }

    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        let start = self.len();
        self.resize(start.checked_add(len)?, 0);
        self.get_mut(start..)
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn remaining(&self) -> usize {
        (**self).remaining()
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        (**self).put(bytes)
    }

    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        (**self).claim(len)
    }
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
}

impl WriteJson for RawJson<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(self.as_bytes())
    }

    fn json_len(&self) -> usize {
        self.as_str().len()
    }
}

impl WriteJson for JsonStr<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        write_json_str(out, *self)
    }
}

impl WriteJson for str {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        write_json_str(out, JsonStr::literal(self))
    }
}

impl WriteJson for bool {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(if *self { b"true" } else { b"false" })
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
}

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        (**self).write_json(out)
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

/// Bytes that `JSON.stringify` escapes: `"`, `\` and controls below U+0020.
#[inline]
fn needs_escape(b: u8) -> bool {
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
        let stop = crate::stop::find_string_stop(bytes, start);
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
