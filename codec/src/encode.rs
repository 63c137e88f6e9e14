//! Writing frames into caller memory: the [`Sink`] trait, its implementations, JSON string
//! escaping as `JSON.stringify` does it, and [`WriteJson`] for payloads.
//!
//! An encoder whose output has a cheap upper bound ([`WriteJson::max_json_len`]) and a sink
//! with that much room writes in one pass; otherwise it computes its exact length first (with
//! [`LenCounter`]), checks the sink's room, and only then writes. Either way a failed encode
//! writes nothing and says how much it needed.
//!
//! Strings go straight into the room a sink lends ([`Sink::spare`], then [`Sink::commit`]):
//! one capacity check for a string and the punctuation or key before it, searched for bytes
//! to escape and copied sixteen bytes at a time with SSE2 (eight, SWAR, elsewhere), nothing
//! written past the string. Sinks that lend no room (counters, growing buffers) take the
//! same bytes piece by piece.
//!
//! Inlining: on x86_64 (SSE2) the frame and payload writers are inlined whole into each
//! encoder (`#[inline(always)]`), so a frame is one function with the sink's position in a
//! register, strings under sixteen bytes searched and copied in place, and one call per
//! longer string; elsewhere (firmware, where code size decides) they are ordinary
//! `#[inline]` functions.
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
/// The one-pass writer's cursor: a [`Room`](crate::sink::Room) on x86_64, where the frame
/// writers are inlined whole and keep it in registers; elsewhere a [`SliceSink`], the type
/// the exact path writes through too, so that firmware links one copy of each writer.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use crate::sink::Room as Cursor;
#[cfg(not(any(
    target_os = "none",
    all(target_arch = "x86_64", target_feature = "sse2")
)))]
use crate::sink::SliceSink as Cursor;
use crate::sink::reserve;
pub use crate::sink::{LenCounter, Sink, SliceSink};
use crate::string::{JsonStr, Piece};

/// One way of writing something whole (a frame in one wire form), so that the exact-length,
/// check-then-write sequence lives in one place ([`encode_exact`]).
pub(crate) trait Encoding {
    /// Writes everything; errors only for content the form cannot carry (or a full sink).
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError>;

    /// An upper bound of the output's length known without a pass over string bytes, when
    /// every content error is found before anything is written; `None` otherwise. (Unused
    /// on bare metal, whose `encode_exact` always measures.)
    #[cfg_attr(target_os = "none", allow(dead_code))]
    fn max_len(&self) -> Option<usize> {
        None
    }
}

/// The exact length of `encoding`'s output.
#[cfg_attr(target_os = "none", inline(never))] // its counting sink off the caller's frame
pub(crate) fn exact_len<E: Encoding>(encoding: &E) -> Result<usize, EncodeError> {
    // Bare metal counts through a counting `SliceSink`, the sink it writes through: one
    // copy of every writer instead of two (`.ci/embedded-size`).
    #[cfg(target_os = "none")]
    {
        let mut counter = SliceSink::counting();
        encoding.write_to(&mut counter)?;
        Ok(counter.len())
    }
    #[cfg(not(target_os = "none"))]
    {
        let mut counter = LenCounter::default();
        encoding.write_to(&mut counter)?;
        Ok(counter.len)
    }
}

/// Writes in one pass when [`Encoding::max_len`] fits in the sink; otherwise measures, checks
/// the room, then writes: into one claimed slice when the sink offers it, piece by piece
/// otherwise. Nothing is written when it does not fit.
pub(crate) fn encode_exact<E: Encoding, S: Sink + ?Sized>(
    encoding: &E,
    out: &mut S,
) -> Result<usize, EncodeError> {
    #[cfg(target_os = "none")]
    return encode_exact_small(encoding, out);
    #[cfg(not(target_os = "none"))]
    {
        // One pass when a bounded sink (a slice, an array) surely has room: nothing can
        // fail half-way. Growing sinks (`Vec`) take the exact path: one reservation, then
        // one claimed slice, costs them less than growing piece by piece.
        let remaining = out.remaining();
        if remaining < usize::MAX / 2
            && let Some(bound) = encoding.max_len()
            && bound <= remaining
        {
            // A sink that lends its room is written through a `Room` of its own (its
            // position stays in registers, and no write needs a fallback), then told how
            // much was written. A bound that was wrong after all (a payload's own
            // `max_json_len`) fails the write part-way, in bytes not committed: the exact
            // path below starts over.
            let spare = out.spare();
            let lent = spare.len();
            if lent >= bound {
                let mut room = Cursor::new(spare);
                match encoding.write_to(&mut room) {
                    Ok(()) => {
                        let written = lent - room.remaining();
                        out.commit(written);
                        return Ok(written);
                    }
                    Err(EncodeError::BufferTooSmall { .. }) => {}
                    Err(other) => return Err(other),
                }
            } else {
                // A bounded sink's room shrinks by exactly what it took (no counting
                // wrapper).
                encoding.write_to(out)?;
                return Ok(remaining.saturating_sub(out.remaining()));
            }
        }
        let len = exact_len(encoding)?;
        reserve(out, len)?;
        match out.claim(len) {
            Some(buf) => encoding.write_to(&mut SliceSink::new(buf))?,
            None => encoding.write_to(out)?,
        }
        Ok(len)
    }
}

/// [`encode_exact`] on firmware, where code size decides: always measure, check the room,
/// then write straight into the sink (two calls of the writer, both for the sink type the
/// firmware writes through, instead of four: `.ci/embedded-size`). The same bytes, lengths
/// and errors as the portable path (whose one-pass write starts over on this path when it
/// meets a full sink, and which fails only where this does): a content error is found by
/// the measuring pass before anything is written, and nothing is written when it does not
/// fit. (The price: two passes over the frame where a bound fits.)
#[cfg(any(test, target_os = "none"))]
pub(crate) fn encode_exact_small<E: Encoding, S: Sink + ?Sized>(
    encoding: &E,
    out: &mut S,
) -> Result<usize, EncodeError> {
    let len = exact_len(encoding)?;
    reserve(out, len)?;
    encoding.write_to(out)?;
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

    /// Writes `prefix` (punctuation or a quoted key: bytes that need no escaping), then the
    /// value. The default puts both in turn; the crate's strings and literals write them
    /// with one capacity check. (Used by the crate's own object and frame writers.)
    #[doc(hidden)]
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        out.put(prefix)?;
        self.write_json(out)
    }
}

/// Writes `prefix` then `bytes` (both as they are), with one capacity check when the sink
/// lends room.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    allow(clippy::inline_always)
)] // see the module doc, "Inlining"
#[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
pub(crate) fn put_after<S: Sink + ?Sized>(
    out: &mut S,
    prefix: &[u8],
    bytes: &[u8],
) -> Result<(), EncodeError> {
    #[cfg(not(target_os = "none"))]
    {
        put_after_fast(out, prefix, bytes)
    }
    #[cfg(target_os = "none")]
    {
        put_after_small(out, prefix, bytes)
    }
}

/// [`put_after`] on firmware: two `put`s (less code; the same bytes and errors as
/// [`put_after_fast`], which falls back to them), except through a sink that lends all its
/// room.
#[cfg(any(test, target_os = "none"))]
#[inline]
fn put_after_small<S: Sink + ?Sized>(
    out: &mut S,
    prefix: &[u8],
    bytes: &[u8],
) -> Result<(), EncodeError> {
    if out.lends_all() {
        return put_after_fast(out, prefix, bytes);
    }
    out.put(prefix)?;
    out.put(bytes)
}

/// [`put_after`] everywhere but bare metal: one capacity check when the sink lends room.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    allow(clippy::inline_always)
)] // see the module doc, "Inlining"
#[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
fn put_after_fast<S: Sink + ?Sized>(
    out: &mut S,
    prefix: &[u8],
    bytes: &[u8],
) -> Result<(), EncodeError> {
    let n = prefix.len() + bytes.len();
    if let Some(slot) = out.spare().get_mut(..n)
        && let Some((head, tail)) = slot.split_at_mut_checked(prefix.len())
    {
        copy_bytes(head, prefix);
        copy_bytes(tail, bytes);
        out.commit(n);
        return Ok(());
    }
    if out.lends_all() {
        return commit_or_full(out, None, n);
    }
    out.put(prefix)?;
    out.put(bytes)
}

/// Writes `prefix` then `value`; when `out` lends all its room (the one-pass `Room`),
/// through a `Room` of its own over that room, then commits what it wrote: the writer may
/// be out of line, and it takes the address of this second cursor, not of `out` (whose
/// position then stays in registers in the frame writer around it).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    allow(clippy::inline_always)
)] // see the module doc, "Inlining"
#[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
pub(crate) fn write_detached<S: Sink + ?Sized, V: WriteJson + ?Sized>(
    out: &mut S,
    prefix: &[u8],
    value: &V,
) -> Result<(), EncodeError> {
    if out.lends_all() {
        let spare = out.spare();
        let lent = spare.len();
        let mut room = crate::sink::Room::new(spare);
        value.write_json_after(prefix, &mut room)?;
        let written = lent - room.remaining();
        out.commit(written);
        return Ok(());
    }
    value.write_json_after(prefix, out)
}

/// The most a string of `raw_len` bytes (literal, or the raw body of a JSON string) takes
/// written as a quoted JSON string: every byte, or every character an escape decodes to,
/// takes at most six.
/// (Saturating: a bound of `usize::MAX` still bounds, and fits no sink.)
#[inline]
pub(crate) fn max_str_len(raw_len: usize) -> usize {
    raw_len.saturating_mul(6).saturating_add(2)
}

/// Lengths at most this large (each) are summed and multiplied by six in plain arithmetic
/// by the frames' bounds: a handful of them times six stays under `usize::MAX / 2`. (A
/// longer string takes the exact path.)
pub(crate) const PLAIN_LEN_MAX: usize = usize::MAX >> 6;

/// The most `s` takes written quoted, less its two quotes: its raw length when it is known to
/// need no escaping (a decoded string), six bytes a byte otherwise. `s` is at most
/// [`PLAIN_LEN_MAX`] long (the caller checks), so nothing overflows.
#[inline]
pub(crate) fn str_body_bound(s: JsonStr<'_>) -> usize {
    let n = s.raw().len();
    if s.is_json_safe() { n } else { n * 6 }
}

/// Sums upper bounds, `None` when one is missing or the sum overflows. Branch-free: a
/// missing bound counts as `usize::MAX` and the sum saturates (a bound that large fits no
/// sink anyway).
#[inline]
pub(crate) fn sum_bounds(parts: &[Option<usize>]) -> Option<usize> {
    finite(parts.iter().fold(0usize, |total, part| {
        total.saturating_add(unbounded_max(*part))
    }))
}

/// A bound as a saturating number: `usize::MAX` for none.
#[inline]
pub(crate) fn unbounded_max(bound: Option<usize>) -> usize {
    bound.unwrap_or(usize::MAX)
}

/// A saturated sum of bounds back as a bound: `usize::MAX` is none.
#[inline]
pub(crate) fn finite(total: usize) -> Option<usize> {
    (total != usize::MAX).then_some(total)
}

impl WriteJson for RawJson<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(self.as_bytes())
    }

    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        put_after(out, prefix, self.as_bytes())
    }

    fn json_len(&self) -> usize {
        self.as_str().len()
    }

    fn max_json_len(&self) -> Option<usize> {
        Some(self.as_str().len())
    }
}

impl WriteJson for JsonStr<'_> {
    #[inline]
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        write_json_str(out, *self)
    }

    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        write_str_after(out, prefix, *self)
    }

    #[inline]
    fn max_json_len(&self) -> Option<usize> {
        let len = self.raw().len();
        let body = if self.is_json_safe() {
            len
        } else {
            len.saturating_mul(6)
        };
        Some(body.saturating_add(2))
    }
}

impl WriteJson for str {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        write_json_str(out, JsonStr::literal(self))
    }

    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        write_str_after(out, prefix, JsonStr::literal(self))
    }

    fn max_json_len(&self) -> Option<usize> {
        Some(max_str_len(self.len()))
    }
}

impl WriteJson for bool {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(if *self { b"true" } else { b"false" })
    }

    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        put_after(out, prefix, if *self { b"true" } else { b"false" })
    }

    fn max_json_len(&self) -> Option<usize> {
        Some(5)
    }
}

impl WriteJson for i64 {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        self.write_json_after(b"", out)
    }

    fn max_json_len(&self) -> Option<usize> {
        Some(20) // "-9223372036854775808"
    }

    #[inline]
    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        let mut digits = [0u8; 20];
        let text = int_text(*self, &mut digits);
        put_after(out, prefix, text)
    }
}

/// `n` in decimal, written at the end of `buf`.
#[inline]
pub(crate) fn int_text(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        let (quotient, digit) = div_rem_10(rest);
        if let Some(slot) = buf.get_mut(at) {
            *slot = b'0' + digit;
        }
        rest = quotient;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        if let Some(slot) = buf.get_mut(at) {
            *slot = b'-';
        }
    }
    buf.get(at..).unwrap_or_default()
}

/// `(n / 10, n % 10)`. On 64-bit targets the compiler turns both into a multiplication.
#[cfg(target_pointer_width = "64")]
#[inline]
#[allow(clippy::cast_possible_truncation)] // a digit
fn div_rem_10(n: u64) -> (u64, u8) {
    (n / 10, (n % 10) as u8)
}

/// `(n / 10, n % 10)` in 32-bit arithmetic: the high word, then the low word 16 bits at a
/// time. On 32-bit targets a `u64` division links a ~0.9 KiB runtime routine
/// (`__aeabi_uldivmod` on Arm), which firmware that writes integers would otherwise carry for
/// this alone; every shift is by a constant, so no 64-bit shift routine (`__aeabi_llsl`,
/// `__aeabi_llsr`) is linked either.
#[cfg(any(test, not(target_pointer_width = "64")))]
#[inline]
#[allow(clippy::cast_possible_truncation)] // the two words of `n`; the digit fits
fn div_rem_10_narrow(n: u64) -> (u64, u8) {
    let (high, low) = ((n >> 32) as u32, n as u32);
    let (q_high, rem) = (high / 10, high % 10);
    // rem < 10, so each `cur` is below 10 * 2^16 and its quotient below 2^16.
    let cur = rem << 16 | low >> 16;
    let (q_mid, rem) = (cur / 10, cur % 10);
    let cur = rem << 16 | (low & 0xFFFF);
    let (q_low, rem) = (cur / 10, cur % 10);
    (
        u64::from(q_high) << 32 | u64::from(q_mid << 16 | q_low),
        rem as u8,
    )
}

#[cfg(not(target_pointer_width = "64"))]
use div_rem_10_narrow as div_rem_10;

impl<T: WriteJson + ?Sized> WriteJson for &T {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        (**self).write_json(out)
    }

    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        (**self).write_json_after(prefix, out)
    }

    fn json_len(&self) -> usize {
        (**self).json_len()
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

    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    fn write_json_after<S: Sink + ?Sized>(
        &self,
        prefix: &[u8],
        out: &mut S,
    ) -> Result<(), EncodeError> {
        match self {
            Some(v) => v.write_json_after(prefix, out),
            None => put_after(out, prefix, b"null"),
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
    state: ObjectState,
}

/// What a [`JsonObjectWriter`] has written so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ObjectState {
    /// Nothing: the `{` goes with the first member (the crate's own writers).
    Unopened,
    /// `{` and no member.
    Open,
    /// `{` and at least one member.
    Members,
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
        Ok(Self {
            out,
            state: ObjectState::Open,
        })
    }

    /// An object whose `{` is written with its first member (or by
    /// [`finish`](Self::finish)), so that both take one capacity check.
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    pub(crate) fn deferred(out: &'s mut S) -> Self {
        Self {
            out,
            state: ObjectState::Unopened,
        }
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
        let open: &[u8] = match self.state {
            ObjectState::Unopened => b"{",
            ObjectState::Open => b"",
            ObjectState::Members => b",",
        };
        self.state = ObjectState::Members;
        key.write_json_after(open, self.out)?;
        value.write_json_after(b":", self.out)
    }

    /// What goes before a static key's value in the object's current state (`{"key":`,
    /// `"key":` or `,"key":`), the object then having members.
    #[inline(always)]
    #[allow(clippy::inline_always)] // a three-way choice of a constant, part of every member
    fn static_prefix(&mut self, key: StaticKey) -> &'static [u8] {
        let prefix = match self.state {
            ObjectState::Unopened => key.opening,
            ObjectState::Open => key.opening.get(1..).unwrap_or_default(),
            ObjectState::Members => key.following,
        };
        self.state = ObjectState::Members;
        prefix
    }

    /// Writes a member whose key was quoted at compile time (`static_key!`): the key with
    /// what goes before it (`{` or `,`) and the value, with one capacity check for all three
    /// where the value allows.
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    pub(crate) fn static_member<V: WriteJson + ?Sized>(
        &mut self,
        key: StaticKey,
        value: &V,
    ) -> Result<(), EncodeError> {
        let prefix = self.static_prefix(key);
        value.write_json_after(prefix, self.out)
    }

    /// [`static_member`](Self::static_member) when `value` is `Some`; nothing otherwise.
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    pub(crate) fn static_optional_member<V: WriteJson>(
        &mut self,
        key: StaticKey,
        value: Option<&V>,
    ) -> Result<(), EncodeError> {
        match value {
            Some(v) => self.static_member(key, v),
            None => Ok(()),
        }
    }

    /// [`static_optional_member`](Self::static_optional_member) for a value written out of
    /// line (a list, raw JSON): through a cursor of its own when the sink lends all its
    /// room ([`write_detached`]), so that the sink itself is never passed to a call and its
    /// position stays in registers for the members around it.
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    pub(crate) fn static_optional_member_detached<V: WriteJson>(
        &mut self,
        key: StaticKey,
        value: Option<&V>,
    ) -> Result<(), EncodeError> {
        let Some(value) = value else {
            return Ok(());
        };
        let prefix = self.static_prefix(key);
        write_detached(self.out, prefix, value)
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
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see the module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    pub fn finish(self) -> Result<(), EncodeError> {
        self.out.put(if self.state == ObjectState::Unopened {
            b"{}"
        } else {
            b"}"
        })
    }
}

/// An object key written at compile time (see `static_key!`), with what goes before it:
/// `{"key":` when it opens the object, `,"key":` when it follows a member.
#[derive(Clone, Copy)]
pub(crate) struct StaticKey {
    opening: &'static [u8],
    following: &'static [u8],
}

impl StaticKey {
    /// The key from its two forms, checked at compile time to need no escaping.
    pub(crate) const fn new(opening: &'static str, following: &'static str) -> Self {
        let bytes = opening.as_bytes();
        assert!(bytes.len() >= 4 && bytes[0] == b'{' && bytes[1] == b'"');
        assert!(bytes[bytes.len() - 2] == b'"' && bytes[bytes.len() - 1] == b':');
        let mut i = 2;
        while i + 2 < bytes.len() {
            assert!(
                !needs_escape(bytes[i]),
                "a static key must need no escaping"
            );
            i += 1;
        }
        assert!(following.len() == bytes.len() && following.as_bytes()[0] == b',');
        Self {
            opening: bytes,
            following: following.as_bytes(),
        }
    }

    /// The most the key takes with what goes before it.
    #[inline]
    pub(crate) const fn len(self) -> usize {
        self.opening.len()
    }
}

/// `static_key!("body")`: the [`StaticKey`] `{"body":` / `,"body":`, built and checked at
/// compile time.
macro_rules! static_key {
    ($key:literal) => {
        const {
            $crate::encode::StaticKey::new(
                concat!("{\"", $key, "\":"),
                concat!(",\"", $key, "\":"),
            )
        }
    };
}
pub(crate) use static_key;

/// Bytes that `JSON.stringify` escapes: `"`, `\` and controls below U+0020.
#[inline]
const fn needs_escape(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

// --- Escaping straight into the sink's room ------------------------------------------------
//
// A string is written into the sink's spare room (`Sink::spare`) in one pass: each whole
// block of `W` bytes is copied first and looked at second (one load, one store, one test for
// a clean block); a block with bytes to escape has them all escaped from its one search (after
// each escape, one more block store from the next byte covers the run up to the next escape),
// and the next block starts after its last escape. Fewer than `W` bytes left: one more block (the string's
// last `W` bytes, or the short string padded with spaces), and exact-size copies, never a
// byte-at-a-time loop. Nothing is written past what the string itself takes: a block copied
// whole that holds a stop lies inside the string, so the escape and the bytes after it (at
// least as many as the block has left) overwrite its copy.
//
// With SSE2, past a string's first escape and while the room holds a step's worst case,
// two blocks a step (`escape_blocks_sse2`): each escape is one eight-byte store from a
// table and the two blocks after it, with no check per escape; the checked block loop
// above takes the string's last bytes and the room's last few hundred bytes.

/// How a build finds the bytes to escape in a block of `W` bytes.
trait StopSearch<const W: usize> {
    /// Whether escaping copies whole blocks as it searches them (SSE2), or searches runs
    /// and then copies them (less code, where the search is narrow).
    const COPY_BLOCKS: bool;

    /// The first lane of `block` that needs escaping.
    fn first(block: &[u8; W]) -> Option<usize>;

    /// Bit `k` set for each lane `k` of `block` that needs escaping (used where
    /// [`COPY_BLOCKS`](Self::COPY_BLOCKS): every escape of a block from one search). The
    /// default looks at one byte at a time.
    #[inline]
    fn lanes(block: &[u8; W]) -> u32 {
        let mut mask = 0;
        for (k, &b) in block.iter().enumerate().take(32) {
            if needs_escape(b) {
                mask |= 1 << k;
            }
        }
        mask
    }

    /// Escapes `src` from `i` on into `dst` from `o` on, while whole blocks have room enough
    /// to need no check per escape; where both stopped (`(o, i)` itself when the build has
    /// no such path). `i` may be any byte of `src`, `dst[o..]` holds nothing yet.
    #[inline(always)]
    #[allow(clippy::inline_always)] // nothing by default
    fn escape_wide(dst: &mut [u8], o: usize, src: &[u8], i: usize) -> (usize, usize) {
        let _ = (dst, src);
        (o, i)
    }
}

/// Sixteen bytes with SSE2 (part of the x86_64 baseline).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
struct Sse2;

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
impl StopSearch<16> for Sse2 {
    const COPY_BLOCKS: bool = true;

    #[inline(always)]
    #[allow(clippy::inline_always)] // the inner loop's one test
    fn first(block: &[u8; 16]) -> Option<usize> {
        let mask = crate::simd::string_stop_mask16(block);
        (mask != 0).then(|| mask.trailing_zeros() as usize)
    }

    #[inline(always)]
    #[allow(clippy::inline_always)] // the escape loop's one search per block
    fn lanes(block: &[u8; 16]) -> u32 {
        crate::simd::string_stop_mask16(block)
    }

    #[inline(always)]
    #[allow(clippy::inline_always)] // instantiated once, in `escape_native`
    fn escape_wide(dst: &mut [u8], o: usize, src: &[u8], i: usize) -> (usize, usize) {
        // The call only where a step fits (short strings go on with no call).
        if src.len().saturating_sub(i) >= WIDE_SRC && dst.len().saturating_sub(o) >= WIDE_ROOM {
            escape_blocks_sse2(dst, o, src, i)
        } else {
            (o, i)
        }
    }
}

/// Eight bytes as one `u64` everywhere (SWAR): the search without SSE2 (tested on every
/// build).
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
struct Swar;

impl StopSearch<8> for Swar {
    const COPY_BLOCKS: bool = false;

    #[inline(always)]
    #[allow(clippy::inline_always)] // the inner loop's one test
    fn first(block: &[u8; 8]) -> Option<usize> {
        let mask = swar_stops(u64::from_le_bytes(*block));
        (mask != 0).then(|| (mask.trailing_zeros() / 8) as usize)
    }
}

/// The search this build uses, and its block width.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
type Native = Sse2;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const NATIVE: usize = 16;
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
type Native = Swar;
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
const NATIVE: usize = 8;

/// Bit `8k + 7` is set exactly for the lanes `k` (little-endian bytes) of `word` that need
/// escaping. Exact per lane (no borrow crosses lanes), so lanes can be skipped by shifting.
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2", not(test)),
    allow(dead_code)
)]
#[inline]
const fn swar_stops(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = ONES * 0x7f;
    /// High bit of a lane clear exactly where the lane of `y` is zero.
    const fn nonzero(y: u64) -> u64 {
        ((y & LOW7) + LOW7) | y
    }
    let quote = nonzero(word ^ (ONES * b'"' as u64));
    let backslash = nonzero(word ^ (ONES * b'\\' as u64));
    // High bit clear exactly where the byte is below 0x20.
    let printable = ((word & LOW7) + ONES * 0x60) | word;
    !(quote & backslash & printable) & (ONES * 0x80)
}

/// Copies `N` bytes at `at` from `src` to `dst` (nothing when either is too short).
#[cfg_attr(
    not(any(test, all(target_arch = "x86_64", target_feature = "sse2"))),
    allow(dead_code)
)]
#[inline(always)]
#[allow(clippy::inline_always)] // one move instruction
fn copy_at<const N: usize>(dst: &mut [u8], src: &[u8], at: usize) {
    if let Some(d) = dst.get_mut(at..at + N)
        && let Some(s) = src.get(at..at + N)
        && let Ok(d) = <&mut [u8; N]>::try_from(d)
        && let Ok(s) = <&[u8; N]>::try_from(s)
    {
        *d = *s;
    }
}

/// Copies `src` to the front of `dst` (which holds at least as many bytes) with no call for
/// up to 64 bytes: 16-byte moves, the last one overlapping; shorter copies as two
/// overlapping moves of 8, 4 or 1 bytes.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline]
fn copy_bytes(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n >= 16 {
        if n > 64 {
            if let Some(d) = dst.get_mut(..n) {
                d.copy_from_slice(src);
            }
            return;
        }
        let mut at = 0;
        while at + 16 < n {
            copy_at::<16>(dst, src, at);
            at += 16;
        }
        copy_at::<16>(dst, src, n - 16);
    } else {
        copy_under_16(dst, src);
    }
}

/// Copies `src` (under 16 bytes) to the front of `dst` as two overlapping moves of 8, 4 or
/// 1 bytes (three for 1 to 3 bytes), with no call and no loop.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
#[allow(clippy::inline_always)] // a few moves where a call would cost more
fn copy_under_16(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n >= 8 {
        copy_at::<8>(dst, src, 0);
        copy_at::<8>(dst, src, n - 8);
    } else if n >= 4 {
        copy_at::<4>(dst, src, 0);
        copy_at::<4>(dst, src, n - 4);
    } else if n > 0 {
        copy_at::<1>(dst, src, 0);
        copy_at::<1>(dst, src, n / 2);
        copy_at::<1>(dst, src, n - 1);
    }
}

/// [`copy_bytes`] without SSE2: `copy_from_slice` (the build links `memcpy` anyway).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn copy_bytes(dst: &mut [u8], src: &[u8]) {
    if let Some(d) = dst.get_mut(..src.len()) {
        d.copy_from_slice(src);
    }
}

/// The letter after `\` for each byte that needs escaping, by value (`u`: `\u00XX`). On
/// x86_64 the table has a letter for every byte value, so that a look-up needs no bounds
/// check; elsewhere it ends at `\` (less read-only data).
const ESCAPE_LETTER: [u8; ESCAPE_TABLE_LEN] = {
    let mut table = [b'u'; ESCAPE_TABLE_LEN];
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// How many byte values [`ESCAPE_LETTER`] covers.
const ESCAPE_TABLE_LEN: usize = if cfg!(all(target_arch = "x86_64", target_feature = "sse2")) {
    256
} else {
    0x5d
};

/// The bytes [`escape_blocks_sse2`] escapes a step: two blocks, searched together.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const WIDE: usize = 2 * NATIVE;

/// The source bytes [`escape_blocks_sse2`] needs from a step's start: the step, and a
/// step's worth after its last lane and one more byte (so that the bytes after any escape
/// are one or two more block stores, at indices the compiler sees are in bounds).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const WIDE_SRC: usize = 2 * WIDE + 1;

/// The room [`escape_blocks_sse2`] needs from a step's start: an escape is written at its
/// lane plus how much the step has grown before it (masked to under 256, which never
/// changes it: a step grows by at most five bytes a lane), its length less one (under 256
/// as far as the compiler knows) on, then two block stores.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const WIDE_ROOM: usize = WIDE + 255 + 1 + 255 + WIDE;

/// For each byte value that needs escaping, its escape in the low bytes (as an eight-byte
/// little-endian store writes them) and the escape's length less one in the top byte.
/// (Zero for the bytes that need none.)
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const ESCAPE_WORD: [u64; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        #[allow(clippy::cast_possible_truncation)] // b < 256
        let byte = b as u8;
        if needs_escape(byte) {
            let letter = ESCAPE_LETTER[b];
            let bytes: [u8; 8] = if letter == b'u' {
                [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    b'0' + (byte >> 4),
                    HEX[b & 0xf],
                    0,
                    5,
                ]
            } else {
                [b'\\', letter, 0, 0, 0, 0, 0, 1]
            };
            table[b] = u64::from_le_bytes(bytes);
        }
        b += 1;
    }
    table
};

/// [`ESCAPE_WORD`] and, for each byte value that needs escaping, how many bytes longer its
/// escape is (1 or 5), in one table (one address for the loop to hold).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
struct EscapeTable {
    /// [`ESCAPE_WORD`].
    words: [u64; 256],
    /// The escape's length less one (zero for bytes that need none).
    more: [u8; 256],
}

/// The one [`EscapeTable`].
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
static ESCAPES: EscapeTable = {
    let mut more = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        #[allow(clippy::cast_possible_truncation)] // the top byte
        let top = (ESCAPE_WORD[b] >> 56) as u8;
        more[b] = top;
        b += 1;
    }
    EscapeTable {
        words: ESCAPE_WORD,
        more,
    }
};

/// [`StopSearch::escape_wide`] with SSE2: while `src` has [`WIDE_SRC`] bytes from `i` and
/// `dst` has [`WIDE_ROOM`] from `o`, two blocks a step are copied and searched; each escape
/// is one eight-byte store from [`ESCAPE_WORD`] and two block stores of the bytes after it
/// (which the next escape, if any, overwrites from its place on). No check per escape: the
/// room was checked for the step's worst case. Nothing lands past what the string itself
/// takes (the block stored after an escape holds bytes of `src`, each of which takes at
/// least its own place).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(never)]
fn escape_blocks_sse2(dst: &mut [u8], o: usize, src: &[u8], i: usize) -> (usize, usize) {
    // The unwritten room and the unread source, each shortened from the front a step at a
    // time (a pointer and a length each, and no limits to hold).
    let room = dst.len();
    let (Some(mut out), Some(mut rest)) = (dst.get_mut(o..), src.get(i..)) else {
        return (o, i);
    };
    let table = &ESCAPES;
    while let Some(s) = rest.first_chunk::<WIDE_SRC>()
        && let Some(w) = out.first_chunk_mut::<WIDE_ROOM>()
    {
        let (low, tail) = s
            .split_first_chunk::<NATIVE>()
            .unwrap_or((&[0; NATIVE], &[]));
        let (high, _) = tail
            .split_first_chunk::<NATIVE>()
            .unwrap_or((&[0; NATIVE], &[]));
        // Both loaded before either store (which could overwrite `s` as far as the
        // compiler knows).
        let (low, high) = (*low, *high);
        let mut lanes = Sse2::lanes(&low) | Sse2::lanes(&high) << NATIVE;
        if let Some((l, tail)) = w.split_first_chunk_mut::<NATIVE>()
            && let Some(h) = tail.first_chunk_mut::<NATIVE>()
        {
            *l = low;
            *h = high;
        }
        // How much longer the output is than the input so far in this step.
        let mut grown = 0usize;
        while lanes != 0 {
            let k = lanes.trailing_zeros() as usize; // under 32
            lanes &= lanes - 1;
            let b = usize::from(s[k]);
            let at = k + grown;
            if let Some(slot) = w.get_mut(at..at + 8) {
                slot.copy_from_slice(&table.words[b].to_le_bytes());
            }
            let more = usize::from(table.more[b]);
            // (At most 155 before the last escape: the mask changes nothing, and shows
            // the compiler the room is there.)
            grown = (grown + more) & 255;
            // The step's worth of bytes after the escape (up to the next one, or past the
            // step's end), as two block stores.
            let at = at + 1 + more;
            if let Some(slot) = w.get_mut(at..at + WIDE)
                && let Some(after) = s.get(k + 1..k + 1 + WIDE)
            {
                slot.copy_from_slice(after);
            }
        }
        rest = rest.get(WIDE..).unwrap_or_default();
        out = core::mem::take(&mut out)
            .get_mut(WIDE + grown..)
            .unwrap_or_default();
    }
    (room - out.len(), src.len() - rest.len())
}

/// Writes the escape of `b` (a byte that needs one) at `dst[o..]`; where it ends, or `None`
/// without room.
#[inline(always)]
#[allow(clippy::inline_always)] // once per escape
fn put_escape(dst: &mut [u8], o: usize, b: u8) -> Option<usize> {
    let letter = ESCAPE_LETTER.get(usize::from(b)).copied().unwrap_or(b'u');
    if letter == b'u' {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
        let slot = <&mut [u8; 6]>::try_from(dst.get_mut(o..o + 6)?).ok()?;
        *slot = [b'\\', b'u', b'0', b'0', b'0' + (b >> 4), lo];
        Some(o + 6)
    } else {
        let slot = <&mut [u8; 2]>::try_from(dst.get_mut(o..o + 2)?).ok()?;
        *slot = [b'\\', letter];
        Some(o + 2)
    }
}

/// Writes `"src"` into `slot` (exactly `src.len() + 2` bytes) when `src` needs no escaping;
/// otherwise the index of its first byte that does (`slot` partly written). Whole blocks are
/// copied as they are searched; the last few bytes are one more block (the string's last `W`
/// bytes, or the short string padded with spaces), never a byte-at-a-time loop.
#[inline(always)]
#[allow(clippy::inline_always)] // instantiated once, in `quote_clean_native` (and tests)
#[cfg_attr(
    not(any(test, all(target_arch = "x86_64", target_feature = "sse2"))),
    allow(dead_code)
)]
fn quote_clean<const W: usize, F: StopSearch<W>>(slot: &mut [u8], src: &[u8]) -> Result<(), usize> {
    let n = src.len();
    let Some((open, rest)) = slot.split_first_mut() else {
        return Err(0);
    };
    let Some((close, body)) = rest.split_last_mut() else {
        return Err(0);
    };
    *open = b'"';
    *close = b'"';
    if n < W {
        // Padded with spaces (which never stop) by two overlapping moves, searched as one
        // block, then copied by the same two moves.
        let mut padded = [b' '; W];
        if n >= 8 {
            copy_pair::<8, W, F>(&mut padded, body, src)?;
        } else if n >= 4 {
            copy_pair::<4, W, F>(&mut padded, body, src)?;
        } else if n > 0 {
            copy_pair::<1, W, F>(&mut padded, body, src)?;
            copy_at::<1>(&mut padded, src, n / 2);
            copy_at::<1>(body, src, n / 2);
            if let Some(lane) = F::first(&padded) {
                return Err(lane);
            }
        }
        return Ok(());
    }
    // `body` as long as `src` (as the caller's slot makes it), so that the blocks pair up
    // without a count of each.
    debug_assert_eq!(body.len(), n, "the slot holds the string and its quotes");
    let Some(body) = body.get_mut(..n) else {
        return Err(0);
    };
    let mut at = 0;
    for (d, s) in body.chunks_exact_mut(W).zip(src.chunks_exact(W)) {
        if let Ok(d) = <&mut [u8; W]>::try_from(d)
            && let Ok(s) = <&[u8; W]>::try_from(s)
        {
            let stop = F::first(s);
            *d = *s;
            if let Some(lane) = stop {
                return Err(at + lane);
            }
        }
        at += W;
    }
    if at < n
        && let Some(d) = body.get_mut(n - W..)
        && let Some(s) = src.get(n - W..)
        && let Ok(d) = <&mut [u8; W]>::try_from(d)
        && let Ok(s) = <&[u8; W]>::try_from(s)
    {
        // The last `W` bytes, overlapping the blocks before (clean: no false stop there).
        let stop = F::first(s);
        *d = *s;
        if let Some(lane) = stop {
            return Err(n - W + lane);
        }
    }
    Ok(())
}

#[cfg_attr(
    not(any(test, all(target_arch = "x86_64", target_feature = "sse2"))),
    allow(dead_code)
)]
/// For a string of `N..2N` bytes (below `W`): its first and last `N` bytes placed in the
/// space-padded block and searched; when clean, the same two moves into `body`. (For `N ==
/// 1` the middle byte of a 3-byte string is the caller's.)
#[inline(always)]
#[allow(clippy::inline_always)] // a handful of moves in `quote_clean`
fn copy_pair<const N: usize, const W: usize, F: StopSearch<W>>(
    padded: &mut [u8; W],
    body: &mut [u8],
    src: &[u8],
) -> Result<(), usize> {
    let last = src.len() - N;
    copy_at::<N>(padded, src, 0);
    copy_at::<N>(padded, src, last);
    if N > 1
        && let Some(lane) = F::first(padded)
    {
        return Err(lane);
    }
    copy_at::<N>(body, src, 0);
    copy_at::<N>(body, src, last);
    Ok(())
}

/// [`quote_clean`] with this build's search: strings under one block inlined where they are
/// written (a few moves and one search, less than a call and the registers it spills),
/// longer ones in one copy shared by every sink.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
#[allow(clippy::inline_always)] // see the module doc, "Inlining"
fn quote_clean_native(slot: &mut [u8], src: &[u8]) -> Result<(), usize> {
    if src.len() < 4 {
        // 0 to 3 bytes (refs, small ids): each looked up in a table, no block search.
        return match quote_tiny(slot, src) {
            Some(()) => Ok(()),
            None => Err(next_stop_native(src, 0)),
        };
    }
    if src.len() < NATIVE {
        // One test inline; where the first stop is, out of line (strings to escape only).
        match quote_clean::<NATIVE, Native>(slot, src) {
            Ok(()) => Ok(()),
            Err(_) => Err(next_stop_native(src, 0)),
        }
    } else if src.len() <= 4 * NATIVE {
        quote_clean_blocks(slot, src)
    } else {
        quote_clean_long(slot, src)
    }
}

/// Whether each byte value needs escaping ([`needs_escape`] as a table: one load a byte).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        #[allow(clippy::cast_possible_truncation)] // b < 256
        let byte = b as u8;
        table[b] = needs_escape(byte);
        b += 1;
    }
    table
};

/// Writes `"src"` into `slot` (exactly `src.len() + 2` bytes) when `src`, under four bytes,
/// needs no escaping; `None` otherwise (`slot` partly written). Its first, middle and last
/// bytes (all of them) are looked up in [`NEEDS_ESCAPE`] and written by the same three moves.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
#[allow(clippy::inline_always)] // three loads, three look-ups, five stores
fn quote_tiny(slot: &mut [u8], src: &[u8]) -> Option<()> {
    let n = src.len();
    let (open, rest) = slot.split_first_mut()?;
    let (body, close) = rest.split_at_mut_checked(n)?;
    *close.first_mut()? = b'"';
    *open = b'"';
    if n == 0 {
        return Some(());
    }
    let (a, m, z) = (*src.first()?, *src.get(n / 2)?, *src.last()?);
    let table = &NEEDS_ESCAPE;
    if table[usize::from(a)] | table[usize::from(m)] | table[usize::from(z)] {
        return None;
    }
    *body.first_mut()? = a;
    *body.get_mut(n / 2)? = m;
    *body.last_mut()? = z;
    Some(())
}

/// [`quote_clean`] for strings of one to four blocks (16 to 64 bytes): overlapping blocks
/// searched together and tested once, no loop (the ids, timestamps and topics most frames
/// carry), inlined where the string is written.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
#[allow(clippy::inline_always)] // see the module doc, "Inlining"
fn quote_clean_blocks(slot: &mut [u8], src: &[u8]) -> Result<(), usize> {
    let n = src.len();
    debug_assert!((NATIVE..=4 * NATIVE).contains(&n));
    let Some((open, rest)) = slot.split_first_mut() else {
        return Err(0);
    };
    let Some((body, close)) = rest.split_at_mut_checked(n) else {
        return Err(0);
    };
    let Some(close) = close.first_mut() else {
        return Err(0);
    };
    *open = b'"';
    *close = b'"';
    let mut stops = copy_block(body, src, 0) | copy_block(body, src, n - NATIVE);
    if n > 2 * NATIVE {
        stops |= copy_block(body, src, NATIVE) | copy_block(body, src, n - 2 * NATIVE);
    }
    if stops == 0 {
        return Ok(());
    }
    // Some byte needs escaping: where the first one is.
    Err(next_stop_native(src, 0))
}

/// [`quote_clean`] for strings over four blocks: two blocks a step, tested together, then
/// the last two blocks (overlapping the steps before).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(never)]
fn quote_clean_long(slot: &mut [u8], src: &[u8]) -> Result<(), usize> {
    let n = src.len();
    let Some((open, rest)) = slot.split_first_mut() else {
        return Err(0);
    };
    let Some((body, close)) = rest.split_at_mut_checked(n) else {
        return Err(0);
    };
    let Some(close) = close.first_mut() else {
        return Err(0);
    };
    *open = b'"';
    *close = b'"';
    let mut at = 0;
    while at + 2 * NATIVE <= n {
        if copy_block(body, src, at) | copy_block(body, src, at + NATIVE) != 0 {
            return Err(next_stop_native(src, at));
        }
        at += 2 * NATIVE;
    }
    if at < n {
        // The last two blocks (the string has more than two): clean up to `at` already.
        let last = n.saturating_sub(2 * NATIVE);
        if copy_block(body, src, last) | copy_block(body, src, n - NATIVE) != 0 {
            return Err(next_stop_native(src, last));
        }
    }
    Ok(())
}

/// Copies the block of `src` at `at` to the same place in `dst`; its lanes that need
/// escaping (none when either is too short).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
#[allow(clippy::inline_always)] // one load, one store and the search
fn copy_block(dst: &mut [u8], src: &[u8], at: usize) -> u32 {
    if let Some(d) = dst.get_mut(at..at + NATIVE)
        && let Some(s) = src.get(at..at + NATIVE)
        && let Ok(d) = <&mut [u8; NATIVE]>::try_from(d)
        && let Ok(s) = <&[u8; NATIVE]>::try_from(s)
    {
        let lanes = Native::lanes(s);
        *d = *s;
        lanes
    } else {
        0
    }
}

/// [`quote_clean`]'s result without SSE2, in less code: searched, then copied.
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline(never)]
fn quote_clean_native(slot: &mut [u8], src: &[u8]) -> Result<(), usize> {
    let first = next_stop_native(src, 0);
    if first < src.len() {
        return Err(first);
    }
    copy_quoted(slot, src);
    Ok(())
}

/// Index of the first byte at or after `i` that needs escaping, or `src.len()`: the
/// string-stop search the decoder uses too (`stop.rs`), in one copy.
#[inline(never)]
fn next_stop_native(src: &[u8], i: usize) -> usize {
    crate::stop::find_short_string_stop(src, i)
}

/// Writes `src` escaped into `dst` from `o` on, given `first`, the index of its first byte
/// that needs escaping (or `src.len()`); where it ends, or `None` when `dst` is too small
/// (some of `dst[o..]` may be written then). From the first escape on, whole blocks are
/// copied as they are searched.
#[inline(always)]
#[allow(clippy::inline_always)] // instantiated once, in `escape_native` (and tests)
fn escape_into<const W: usize, F: StopSearch<W>>(
    dst: &mut [u8],
    mut o: usize,
    src: &[u8],
    first: usize,
) -> Option<usize> {
    let clean = src.get(..first)?;
    copy_bytes(dst.get_mut(o..o + first)?, clean);
    o += first;
    let Some(&b) = src.get(first) else {
        return Some(o);
    };
    o = put_escape(dst, o, b)?;
    // Whole blocks with room for their worst case (where the build has such a path).
    let (mut o, mut i) = F::escape_wide(dst, o, src, first + 1);
    // Whole blocks with a whole block of room (where the search is wide enough to pay).
    while F::COPY_BLOCKS
        && let Some(chunk) = src.get(i..i + W)
        && let Some(slot) = dst.get_mut(o..o + W)
        && let Ok(block) = <&[u8; W]>::try_from(chunk)
        && let Ok(slot) = <&mut [u8; W]>::try_from(slot)
    {
        // Searched before the store (the store could overwrite the source as far as the
        // compiler knows, and the block would be loaded again).
        let mut lanes = F::lanes(block);
        *slot = *block;
        if lanes == 0 {
            i += W;
            o += W;
            continue;
        }
        // Every escape of this block from its one search. Invariant: `dst[o..o + W]` holds
        // `src[i..i + W]` (the last block store), and the next escape lies in it.
        let base = i;
        loop {
            let at = base + lanes.trailing_zeros() as usize;
            o += at - i;
            o = put_escape(dst, o, src.get(at).copied()?)?;
            i = at + 1;
            lanes &= lanes.wrapping_sub(1);
            if lanes == 0 {
                break;
            }
            // The bytes up to the next escape (inside this block, so fewer than `W`).
            if let Some(chunk) = src.get(i..i + W)
                && let Some(slot) = dst.get_mut(o..o + W)
                && let Ok(chunk) = <&[u8; W]>::try_from(chunk)
                && let Ok(slot) = <&mut [u8; W]>::try_from(slot)
            {
                *slot = *chunk;
            } else {
                // Near the end: the loops below search again from here.
                break;
            }
        }
    }
    // The rest: fewer than `W` bytes, or too little room for a whole block.
    loop {
        let stop = next_stop_native(src, i);
        let run = src.get(i..stop)?;
        copy_bytes(dst.get_mut(o..o + run.len())?, run);
        o += run.len();
        let Some(&b) = src.get(stop) else {
            return Some(o);
        };
        o = put_escape(dst, o, b)?;
        i = stop + 1;
    }
}

/// [`escape_into`] with this build's search: one copy shared by every sink.
#[inline(never)]
fn escape_native(dst: &mut [u8], o: usize, src: &[u8], first: usize) -> Option<usize> {
    escape_into::<NATIVE, Native>(dst, o, src, first)
}

/// Writes `src` quoted and escaped at the front of `dst`, given the index of its first byte
/// that needs escaping; the bytes written, or `None` when `dst` is too small.
fn quote_escaped_native(dst: &mut [u8], src: &[u8], first: usize) -> Option<usize> {
    *dst.first_mut()? = b'"';
    let end = escape_native(dst, 1, src, first)?;
    *dst.get_mut(end)? = b'"';
    Some(end + 1)
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
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    allow(clippy::inline_always)
)] // the one call it forwards to, as before the split
#[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
pub fn write_escaped<S: Sink + ?Sized>(out: &mut S, text: &str) -> Result<(), EncodeError> {
    #[cfg(not(target_os = "none"))]
    {
        write_escaped_fast(out, text)
    }
    #[cfg(target_os = "none")]
    {
        write_escaped_small(out, text)
    }
}

/// [`write_escaped`] on firmware, where code size decides: a counter adds the escaped
/// length (one shared function); every other sink takes the piece-by-piece path
/// ([`put_escaped`], which [`write_escaped_fast`] falls back to: the same bytes and errors),
/// so the block escaper is not linked.
#[cfg(any(test, target_os = "none"))]
#[inline]
fn write_escaped_small<S: Sink + ?Sized>(out: &mut S, text: &str) -> Result<(), EncodeError> {
    if let Some(len) = out.tally() {
        *len = len.saturating_add(escaped_len(text.as_bytes()));
        return Ok(());
    }
    put_escaped(out, text)
}

/// [`write_escaped`] everywhere but bare metal: into the sink's spare room in one pass when
/// it is enough.
#[cfg_attr(target_os = "none", allow(dead_code))]
fn write_escaped_fast<S: Sink + ?Sized>(out: &mut S, text: &str) -> Result<(), EncodeError> {
    let src = text.as_bytes();
    let spare = out.spare();
    if !spare.is_empty() {
        let first = next_stop_native(src, 0);
        if let Some(n) = escape_native(spare, 0, src, first) {
            out.commit(n);
            return Ok(());
        }
    }
    put_escaped(out, text)
}

/// [`write_escaped`] piece by piece, for sinks that lend no room (or too little).
fn put_escaped<S: Sink + ?Sized>(out: &mut S, text: &str) -> Result<(), EncodeError> {
    let bytes = text.as_bytes();
    let mut start = 0;
    loop {
        let stop = next_stop_native(bytes, start);
        // The run up to the stop (or the end): one `put` site for both.
        out.put(bytes.get(start..stop).unwrap_or(&[]))?;
        let Some(&b) = bytes.get(stop) else {
            return Ok(());
        };
        debug_assert!(needs_escape(b));
        let mut escape = [0u8; 6];
        let end = put_escape(&mut escape, 0, b).unwrap_or(0);
        out.put(escape.get(..end).unwrap_or(&[]))?;
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
#[inline]
pub fn write_json_str<S: Sink + ?Sized>(out: &mut S, s: JsonStr<'_>) -> Result<(), EncodeError> {
    write_str_after(out, b"", s)
}

/// Writes `prefix` (bytes that need no escaping: punctuation, a quoted key), then `s` as a
/// quoted JSON string: into the sink's spare room in one pass when it lends enough for the
/// string as it stands (escapes take more: then the whole room is lent).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    allow(clippy::inline_always)
)] // see the module doc, "Inlining"
#[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
pub(crate) fn write_str_after<S: Sink + ?Sized>(
    out: &mut S,
    prefix: &[u8],
    s: JsonStr<'_>,
) -> Result<(), EncodeError> {
    #[cfg(not(target_os = "none"))]
    {
        write_str_after_fast(out, prefix, s)
    }
    #[cfg(target_os = "none")]
    {
        write_str_after_small(out, prefix, s)
    }
}

/// [`write_str_after`] on firmware, where code size decides: the piece-by-piece path
/// ([`put_str_after`]: the same bytes, errors and `needed` figures as
/// [`write_str_after_fast`], which falls back to it), without a second inline copy. A
/// counting sink counts through it too: its `put`s add lengths and [`write_escaped`] tallies
/// escaped runs, so no second walk over a string's pieces is linked for counting.
#[cfg(any(test, target_os = "none"))]
#[inline]
fn write_str_after_small<S: Sink + ?Sized>(
    out: &mut S,
    prefix: &[u8],
    s: JsonStr<'_>,
) -> Result<(), EncodeError> {
    put_str_after(out, prefix, s.raw(), s.has_escapes(), s.is_json_safe())
}

/// [`write_str_after`] everywhere but bare metal: into the sink's spare room in one pass
/// when it lends enough for the string as it stands.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    allow(clippy::inline_always)
)] // see the module doc, "Inlining"
#[cfg_attr(target_os = "none", allow(dead_code))]
fn write_str_after_fast<S: Sink + ?Sized>(
    out: &mut S,
    prefix: &[u8],
    s: JsonStr<'_>,
) -> Result<(), EncodeError> {
    if out.lends_all() {
        // All the room there is: no fallback (and no call that takes the sink).
        let written = str_into(out.spare(), prefix, s);
        return commit_or_full(out, written, prefix.len() + s.raw().len() + 2);
    }
    let raw = s.raw().as_bytes();
    let p = prefix.len();
    if !s.has_escapes()
        && let Some(slot) = out.spare().get_mut(..p + raw.len() + 2)
        && let Some((head, slot)) = slot.split_at_mut_checked(p)
    {
        copy_bytes(head, prefix);
        let first = if s.is_json_safe() {
            copy_quoted(slot, raw);
            Ok(())
        } else {
            quote_clean_native(slot, raw)
        };
        let written = match first {
            Ok(()) => Some(raw.len() + 2),
            Err(first) => out
                .spare()
                .get_mut(p..)
                .and_then(|rest| quote_escaped_native(rest, raw, first)),
        };
        if let Some(n) = written {
            out.commit(p + n);
            return Ok(());
        }
    }
    put_str_after(out, prefix, s.raw(), s.has_escapes(), s.is_json_safe())
}

/// Writes `prefix` then `s` quoted at the front of `dst`; the bytes written, or `None` when
/// `dst` is too small (some of it may be written then). Strings without escapes inline (a
/// few moves under sixteen bytes, one call longer), strings with escapes out of line.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    allow(clippy::inline_always)
)] // see the module doc, "Inlining"
#[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
fn str_into(dst: &mut [u8], prefix: &[u8], s: JsonStr<'_>) -> Option<usize> {
    let raw = s.raw().as_bytes();
    let p = prefix.len();
    if s.has_escapes() {
        return str_into_escaped(dst, prefix, s.raw());
    }
    let total = p + raw.len() + 2;
    let (head, slot) = dst.get_mut(..total)?.split_at_mut_checked(p)?;
    copy_bytes(head, prefix);
    if s.is_json_safe() {
        copy_quoted(slot, raw);
        return Some(total);
    }
    match quote_clean_native(slot, raw) {
        Ok(()) => Some(total),
        Err(first) => Some(p + quote_escaped_native(dst.get_mut(p..)?, raw, first)?),
    }
}

/// [`str_into`] for a string with JSON escapes (written in canonical form).
#[cold]
#[inline(never)]
fn str_into_escaped(dst: &mut [u8], prefix: &[u8], raw: &str) -> Option<usize> {
    let mut cursor = SliceSink::new(dst);
    put_str_after(&mut cursor, prefix, raw, true, false).ok()?;
    Some(cursor.len())
}

/// Commits `written` bytes of a sink that lends all its room, or reports it full (`needed`
/// is the least the write took).
#[inline]
fn commit_or_full<S: Sink + ?Sized>(
    out: &mut S,
    written: Option<usize>,
    needed: usize,
) -> Result<(), EncodeError> {
    match written {
        Some(n) => {
            out.commit(n);
            Ok(())
        }
        None => Err(EncodeError::BufferTooSmall {
            needed,
            available: out.remaining(),
        }),
    }
}

/// [`write_str_after`] piece by piece, for sinks that lend no room (or too little) and
/// strings with escapes. Takes the string's parts as scalars: a `JsonStr` argument would be
/// copied to the stack at every call site, on the fast path too.
#[cold]
#[inline(never)]
fn put_str_after<S: Sink + ?Sized>(
    out: &mut S,
    prefix: &[u8],
    raw: &str,
    escaped: bool,
    json_safe: bool,
) -> Result<(), EncodeError> {
    out.put(prefix)?;
    put_json_str(out, JsonStr::from_parts(raw, escaped, json_safe))
}

/// Writes `"src"` into `slot` (exactly `src.len() + 2` bytes), `src` needing no escaping.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    allow(clippy::inline_always)
)] // see the module doc, "Inlining"
#[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
fn copy_quoted(slot: &mut [u8], src: &[u8]) {
    // Moves, or `memcpy` for long strings: for strings copied whole it costs less than
    // `copy_bytes`' branches.
    if let Some((open, rest)) = slot.split_first_mut()
        && let Some((body, close)) = rest.split_at_mut_checked(src.len())
        && let Some(close) = close.first_mut()
    {
        *open = b'"';
        copy_short_or_call(body, src);
        *close = b'"';
    }
}

/// Copies `src` into `body` (as long): under 16 bytes by two overlapping moves, up to 64 by
/// two or four overlapping 16-byte moves, longer by `memcpy`.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
#[allow(clippy::inline_always)] // a few moves where a call would cost more
fn copy_short_or_call(body: &mut [u8], src: &[u8]) {
    let n = src.len();
    if n < NATIVE {
        copy_under_16(body, src);
    } else if n <= 4 * NATIVE {
        copy_at::<NATIVE>(body, src, 0);
        copy_at::<NATIVE>(body, src, n - NATIVE);
        if n > 2 * NATIVE {
            copy_at::<NATIVE>(body, src, NATIVE);
            copy_at::<NATIVE>(body, src, n - 2 * NATIVE);
        }
    } else {
        body.copy_from_slice(src);
    }
}

/// [`copy_short_or_call`] without SSE2: `memcpy` (less code).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn copy_short_or_call(body: &mut [u8], src: &[u8]) {
    body.copy_from_slice(src);
}

/// [`write_json_str`] for sinks that lend no room (or too little), and strings with escapes.
#[inline(never)]
fn put_json_str<S: Sink + ?Sized>(out: &mut S, s: JsonStr<'_>) -> Result<(), EncodeError> {
    out.put(b"\"")?;
    if s.is_json_safe() {
        out.put(s.raw().as_bytes())?;
    } else {
        #[cfg(target_os = "none")]
        escape_body_small(out, s)?;
        #[cfg(not(target_os = "none"))]
        escape_body(out, s)?;
    }
    out.put(b"\"")
}

/// The body of a string that is not JSON-safe as it stands, escaped: the text, or each of
/// its pieces when it has escapes.
#[cfg_attr(target_os = "none", allow(dead_code))]
#[inline(always)]
#[allow(clippy::inline_always)] // `put_json_str`'s body as it was
fn escape_body<S: Sink + ?Sized>(out: &mut S, s: JsonStr<'_>) -> Result<(), EncodeError> {
    if let Some(text) = s.as_str() {
        write_escaped(out, text)
    } else {
        let mut utf8 = [0u8; 4];
        for piece in s.pieces() {
            match piece {
                Piece::Run(run) => write_escaped(out, run)?,
                Piece::Escape(c) => write_escaped(out, c.encode_utf8(&mut utf8))?,
            }
        }
        Ok(())
    }
}

/// [`escape_body`] on firmware: the same `write_escaped` calls in the same order, from one
/// call site (the text as one run when it has no escapes), not three
/// (`.ci/embedded-size`).
#[cfg(any(test, target_os = "none"))]
fn escape_body_small<S: Sink + ?Sized>(out: &mut S, s: JsonStr<'_>) -> Result<(), EncodeError> {
    let mut plain = s.as_str();
    let mut pieces = s.pieces();
    let mut utf8 = [0u8; 4];
    loop {
        let text = match plain.take() {
            Some(text) => text,
            None if s.has_escapes() => match pieces.next() {
                Some(Piece::Run(run)) => run,
                Some(Piece::Escape(c)) => c.encode_utf8(&mut utf8),
                None => return Ok(()),
            },
            None => return Ok(()),
        };
        write_escaped(out, text)?;
    }
}

/// The bytes `text` takes escaped (without quotes), as [`write_escaped`] writes it
/// (saturating). Firmware counts strings with it (see [`Sink::tally`]).
#[cfg(any(test, target_os = "none"))]
fn escaped_len(text: &[u8]) -> usize {
    text.iter().fold(0usize, |n, &b| {
        let width = if !needs_escape(b) {
            1
        } else if ESCAPE_LETTER.get(usize::from(b)).copied().unwrap_or(b'u') == b'u' {
            6
        } else {
            2
        };
        n.saturating_add(width)
    })
}

/// The bytes `s` takes written quoted by [`write_json_str`] (saturating): what a
/// [`LenCounter`] counts for it (a reference for the tests).
#[cfg(test)]
#[inline(never)]
fn quoted_len(s: JsonStr<'_>) -> usize {
    let body = if s.is_json_safe() {
        s.raw().len()
    } else if let Some(text) = s.as_str() {
        escaped_len(text.as_bytes())
    } else {
        let mut utf8 = [0u8; 4];
        s.pieces().fold(0usize, |n, piece| {
            n.saturating_add(match piece {
                Piece::Run(run) => escaped_len(run.as_bytes()),
                Piece::Escape(c) => escaped_len(c.encode_utf8(&mut utf8).as_bytes()),
            })
        })
    };
    body.saturating_add(2)
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
    use std::vec::Vec;

    /// The simple reference: `JSON.stringify`'s escaping, one character at a time.
    fn reference_quoted(text: &str) -> Vec<u8> {
        let mut out = Vec::from(&b"\""[..]);
        for c in text.chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\r' => out.extend_from_slice(b"\\r"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\u{8}' => out.extend_from_slice(b"\\b"),
                '\u{c}' => out.extend_from_slice(b"\\f"),
                c if u32::from(c) < 0x20 => {
                    out.extend_from_slice(std::format!("\\u{:04x}", u32::from(c)).as_bytes());
                }
                c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        out.push(b'"');
        out
    }

    /// The counted length of strings with JSON escapes (`quoted_len`) equals what the
    /// writers write for them, decoded or not, safe or not.
    #[test]
    fn quoted_len_counts_what_is_written() {
        for body in [
            "",
            "plain",
            r"\u0041\/",
            r#"a\"b\\c\n\t\u0001\u001f\b\f\r"#,
            r"\ud83d\ude00 \u00e9 caf\u00e9",
            "\u{e9}t\u{e9} /",
        ] {
            let s = JsonStr::from_json_body(body).unwrap();
            let mut buf = std::vec![0u8; body.len() * 6 + 8];
            let mut sink = SliceSink::new(&mut buf);
            write_json_str(&mut sink, s).unwrap();
            assert_eq!(quoted_len(s), sink.len(), "{body:?}");
            let mut counter = LenCounter::default();
            write_json_str(&mut counter, s).unwrap();
            assert_eq!(counter.len, sink.len(), "{body:?} (counter)");
        }
        // Saturating, as `LenCounter::put` is.
        let mut counter = LenCounter {
            len: usize::MAX - 1,
        };
        write_json_str(&mut counter, JsonStr::literal("ab")).unwrap();
        assert_eq!(counter.len, usize::MAX);
    }

    /// Firmware's string writer (`write_str_after_small`) writes the same bytes and returns the
    /// same errors (`needed`, `available`) as x86_64's (`write_str_after_fast`), into every
    /// room from none to more than enough, through a slice, put by put and counted.
    #[test]
    fn small_string_writer_matches_the_fast_one() {
        let long = "0123456789abcdef\"0123456789abcdef\n0123456789abcdef\u{1}";
        let mut strings: Vec<JsonStr<'_>> = ["", "a", "plain text", "tab\t é \"q\" \\", long]
            .into_iter()
            .map(JsonStr::literal)
            .collect();
        strings.push(JsonStr::from_json_body(r"\u0041\/ \n caf\u00e9 \ud83d\ude00").unwrap());
        strings.push(JsonStr::from_json_body("decoded, safe").unwrap());
        for s in strings {
            for prefix in [&b""[..], b",", br#","key":"#] {
                let full = prefix.len() + s.raw().len() * 6 + 2;
                // Every room natively; every seventh under Miri (slow there).
                for room in (0..=full + 2).step_by(if cfg!(miri) { 7 } else { 1 }) {
                    let (mut a, mut b) = (std::vec![0u8; room], std::vec![0u8; room]);
                    let (mut fast, mut small) = (SliceSink::new(&mut a), SliceSink::new(&mut b));
                    let want = write_str_after_fast(&mut fast, prefix, s);
                    let got = write_str_after_small(&mut small, prefix, s);
                    assert_eq!(got, want, "{s:?} {prefix:?} room {room}");
                    assert_eq!(
                        small.written(),
                        fast.written(),
                        "{s:?} {prefix:?} room {room}"
                    );
                }
                let (mut fast, mut small) = (Puts(Vec::new()), Puts(Vec::new()));
                write_str_after_fast(&mut fast, prefix, s).unwrap();
                write_str_after_small(&mut small, prefix, s).unwrap();
                assert_eq!(small.0, fast.0, "{s:?} {prefix:?} (put by put)");
                let (mut fast, mut small) = (LenCounter::default(), LenCounter::default());
                write_str_after_fast(&mut fast, prefix, s).unwrap();
                write_str_after_small(&mut small, prefix, s).unwrap();
                assert_eq!(small.len, fast.len, "{s:?} {prefix:?} (counted)");
                // Bare metal's measure: a counting slice, through the firmware writer.
                let mut counting = SliceSink::counting();
                write_str_after_small(&mut counting, prefix, s).unwrap();
                assert_eq!(
                    counting.len(),
                    fast.len,
                    "{s:?} {prefix:?} (counting slice)"
                );
            }
        }
    }

    /// Firmware's `put_after_small` writes the same bytes and returns the same errors as
    /// x86_64's `put_after_fast`, into every room, through a slice, a `Room`, put by put and
    /// counted.
    #[test]
    fn small_put_after_matches_the_fast_one() {
        for (prefix, bytes) in [
            (&b""[..], &b""[..]),
            (b",", b"12345"),
            (br#","id":"#, b"-9"),
        ] {
            let full = prefix.len() + bytes.len();
            for room in 0..=full + 1 {
                let (mut a, mut b) = (std::vec![0u8; room], std::vec![0u8; room]);
                let (mut fast, mut small) = (SliceSink::new(&mut a), SliceSink::new(&mut b));
                let want = put_after_fast(&mut fast, prefix, bytes);
                assert_eq!(
                    put_after_small(&mut small, prefix, bytes),
                    want,
                    "room {room}"
                );
                assert_eq!(small.written(), fast.written(), "room {room}");
                let (mut a, mut b) = (std::vec![0u8; room], std::vec![0u8; room]);
                let (mut fast, mut small) = (
                    crate::sink::Room::new(&mut a),
                    crate::sink::Room::new(&mut b),
                );
                let want = put_after_fast(&mut fast, prefix, bytes);
                assert_eq!(
                    put_after_small(&mut small, prefix, bytes),
                    want,
                    "room {room} (Room)"
                );
                assert_eq!(
                    (small.remaining(), &b),
                    (fast.remaining(), &a),
                    "room {room} (Room)"
                );
            }
            let (mut fast, mut small) = (Puts(Vec::new()), Puts(Vec::new()));
            put_after_fast(&mut fast, prefix, bytes).unwrap();
            put_after_small(&mut small, prefix, bytes).unwrap();
            assert_eq!(small.0, fast.0);
            let (mut fast, mut small) = (LenCounter::default(), LenCounter::default());
            put_after_fast(&mut fast, prefix, bytes).unwrap();
            put_after_small(&mut small, prefix, bytes).unwrap();
            assert_eq!(small.len, fast.len);
            let mut counting = SliceSink::counting();
            put_after_small(&mut counting, prefix, bytes).unwrap();
            assert_eq!(counting.len(), fast.len, "counting slice");
        }
    }

    /// Firmware's `write_escaped_small` writes the same bytes and returns the same errors as
    /// x86_64's `write_escaped_fast`, into every room, through a slice, put by put and counted.
    #[test]
    fn small_escaped_writer_matches_the_fast_one() {
        for text in [
            "",
            "plain",
            "\"",
            "a\u{1}b\u{1f}c\\d\ne\tf\u{8}\u{c}\r",
            "0123456789abcdef0123456789abcdef\"0123456789abcdef é",
        ] {
            // Every room natively; every seventh under Miri (slow there).
            for room in (0..=text.len() * 6 + 1).step_by(if cfg!(miri) { 7 } else { 1 }) {
                let (mut a, mut b) = (std::vec![0u8; room], std::vec![0u8; room]);
                let (mut fast, mut small) = (SliceSink::new(&mut a), SliceSink::new(&mut b));
                let want = write_escaped_fast(&mut fast, text);
                assert_eq!(
                    write_escaped_small(&mut small, text),
                    want,
                    "{text:?} room {room}"
                );
                assert_eq!(small.written(), fast.written(), "{text:?} room {room}");
            }
            let (mut fast, mut small) = (Puts(Vec::new()), Puts(Vec::new()));
            write_escaped_fast(&mut fast, text).unwrap();
            write_escaped_small(&mut small, text).unwrap();
            assert_eq!(small.0, fast.0, "{text:?}");
            let (mut fast, mut small) = (LenCounter::default(), LenCounter::default());
            write_escaped_fast(&mut fast, text).unwrap();
            write_escaped_small(&mut small, text).unwrap();
            assert_eq!(small.len, fast.len, "{text:?}");
            let mut counting = SliceSink::counting();
            write_escaped_small(&mut counting, text).unwrap();
            assert_eq!(counting.len(), fast.len, "{text:?} (counting slice)");
        }
    }

    /// Every way the crate writes `text` quoted agrees with the reference: the sink's spare
    /// room (roomy, and exactly as much as needed), a counter, `claim`-less `put`s, both block
    /// searches' kernels directly, and `write_escaped` without quotes.
    fn agrees_with_reference(text: &str) {
        let expected = reference_quoted(text);
        let mut buf = std::vec![0u8; text.len() * 6 + 8];
        let mut sink = SliceSink::new(&mut buf);
        write_json_str(&mut sink, JsonStr::literal(text)).unwrap();
        assert_eq!(sink.written(), &expected[..], "{text:?}");
        let mut exact = std::vec![0u8; expected.len()];
        let mut sink = SliceSink::new(&mut exact);
        write_json_str(&mut sink, JsonStr::literal(text)).unwrap();
        assert_eq!(sink.written(), &expected[..], "{text:?} (exact room)");
        let mut counter = LenCounter::default();
        write_json_str(&mut counter, JsonStr::literal(text)).unwrap();
        assert_eq!(counter.len, expected.len(), "{text:?} (counted)");
        // Firmware's shared counting functions (`Sink::tally`).
        assert_eq!(
            quoted_len(JsonStr::literal(text)),
            expected.len(),
            "{text:?} (quoted_len)"
        );
        assert_eq!(
            escaped_len(text.as_bytes()),
            expected.len() - 2,
            "{text:?} (escaped_len)"
        );
        let mut puts = Puts(Vec::new());
        write_json_str(&mut puts, JsonStr::literal(text)).unwrap();
        assert_eq!(puts.0, expected, "{text:?} (put by put)");
        let mut bare = std::vec![0u8; text.len() * 6];
        let mut sink = SliceSink::new(&mut bare);
        write_escaped(&mut sink, text).unwrap();
        assert_eq!(sink.written(), &expected[1..expected.len() - 1]);
        // In a frame written in one pass (through a `Room`), as the topic.
        let frame = crate::outgoing::OutgoingFrame {
            join_ref: None,
            reference: None,
            topic: text,
            event: "e",
            payload: crate::outgoing::EmptyObject,
        };
        let mut want = b"[null,null,".to_vec();
        want.extend_from_slice(&expected);
        want.extend_from_slice(br#","e",{}]"#);
        let mut roomy = std::vec![0u8; text.len() * 6 + 64];
        let n = frame.encode_v2(&mut SliceSink::new(&mut roomy)).unwrap();
        assert_eq!(&roomy[..n], &want[..], "{text:?} (one-pass frame)");
        // This build's clean-string copy, and the first stop it reports.
        let mut slot = std::vec![0u8; text.len() + 2];
        match quote_clean_native(&mut slot, text.as_bytes()) {
            Ok(()) => assert_eq!(slot, expected, "{text:?} (clean copy)"),
            Err(first) => assert_eq!(
                Some(first),
                text.bytes().position(needs_escape),
                "{text:?} (first stop)"
            ),
        }
        for kernel in [
            kernel::<16, Sse2Or16>,
            kernel::<8, Swar>,
            kernel::<8, SwarBlocks>,
        ] {
            assert_eq!(kernel(text.as_bytes()), expected, "{text:?} (kernel)");
        }
    }

    /// `quote_clean`, then `escape_into` from its first stop, with one search.
    fn kernel<const W: usize, F: StopSearch<W>>(src: &[u8]) -> Vec<u8> {
        let mut slot = std::vec![0u8; src.len() + 2];
        match quote_clean::<W, F>(&mut slot, src) {
            Ok(()) => slot,
            Err(first) => {
                assert_eq!(first, src.iter().position(|&b| needs_escape(b)).unwrap());
                let mut dst = std::vec![0u8; src.len() * 6 + 2];
                dst[0] = b'"';
                let end = escape_into::<W, F>(&mut dst, 1, src, first).unwrap();
                dst[end] = b'"';
                dst.truncate(end + 1);
                dst
            }
        }
    }

    /// SSE2's search where the build has it, otherwise SWAR over two words (both 16 wide).
    struct Sse2Or16;

    impl StopSearch<16> for Sse2Or16 {
        const COPY_BLOCKS: bool = true;

        fn first(block: &[u8; 16]) -> Option<usize> {
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            return Sse2::first(block);
            #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
            block.iter().position(|&b| needs_escape(b))
        }

        fn lanes(block: &[u8; 16]) -> u32 {
            #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
            return Sse2::lanes(block);
            #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
            block
                .iter()
                .enumerate()
                .filter(|&(_, &b)| needs_escape(b))
                .fold(0, |mask, (k, _)| mask | 1 << k)
        }
    }

    /// The SWAR search copying whole blocks as it escapes (as SSE2 does).
    struct SwarBlocks;

    impl StopSearch<8> for SwarBlocks {
        const COPY_BLOCKS: bool = true;

        fn first(block: &[u8; 8]) -> Option<usize> {
            Swar::first(block)
        }
    }

    /// A sink with neither spare room nor `claim`: only `put`.
    struct Puts(Vec<u8>);

    impl Sink for Puts {
        fn remaining(&self) -> usize {
            usize::MAX
        }

        fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
            self.0.extend_from_slice(bytes);
            Ok(())
        }
    }

    #[test]
    fn swar_flags_exactly_the_bytes_to_escape_in_every_lane() {
        for lane in 0..8 {
            for byte in 0u8..=255 {
                for fill in [b'a', b'"', 0u8, 0xff] {
                    let mut word = [fill; 8];
                    word[lane] = byte;
                    let mask = swar_stops(u64::from_le_bytes(word));
                    for (i, &b) in word.iter().enumerate() {
                        assert_eq!(
                            mask >> (8 * i + 7) & 1 == 1,
                            needs_escape(b),
                            "{word:x?} lane {i}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_byte_value_at_every_offset_around_block_edges_escapes_like_the_reference() {
        // Every length up to 70 (short strings, one block, a block and a tail, two to four
        // overlapping blocks, the block loop), every ASCII/control value at every offset;
        // Miri takes a sample of the values. (Miri, ~1000x slower, takes every 7th length
        // and offset and every 23rd value.)
        let (step, value_step) = if cfg!(miri) { (7, 23) } else { (1, 1) };
        for len in (0..=70usize).step_by(step) {
            for at in (0..len).step_by(step) {
                for byte in (0u8..0x80).step_by(value_step) {
                    let mut text = std::vec![b'a'; len];
                    text[at] = byte;
                    agrees_with_reference(core::str::from_utf8(&text).unwrap());
                }
            }
        }
    }

    #[test]
    fn strings_over_four_blocks_find_their_first_stop_at_every_offset() {
        // Over 64 bytes the clean copy takes two blocks a step, then the last two blocks:
        // every length up to ten blocks, a stop (or two) at every offset, or none.
        // (Miri, ~1000x slower, takes every 31st length and offset.)
        let step = if cfg!(miri) { 31 } else { 1 };
        for len in (65..=160usize).step_by(step) {
            agrees_with_reference(core::str::from_utf8(&std::vec![b'a'; len]).unwrap());
            for at in (0..len).step_by(step) {
                for (byte, second) in [(b'"', None), (0x1f, Some(len - 1)), (b'\\', Some(at / 2))] {
                    let mut text = std::vec![b'a'; len];
                    text[at] = byte;
                    if let Some(other) = second {
                        text[other] = b'\n';
                    }
                    agrees_with_reference(core::str::from_utf8(&text).unwrap());
                }
            }
        }
    }

    #[test]
    fn bytes_above_ascii_at_every_offset_are_copied_as_they_are() {
        // Non-ASCII bytes (0x80..=0xff) only occur inside multi-byte characters: every lead
        // and continuation byte value, at every offset around the 16-byte edges.
        let step = if cfg!(miri) { 23 } else { 1 };
        for len in (2..=40usize).step_by(if cfg!(miri) { 7 } else { 1 }) {
            for at in (0..len - 1).step_by(if cfg!(miri) { 7 } else { 1 }) {
                for cont in (0x80u8..=0xbf).step_by(step) {
                    let mut text = std::vec![b'a'; len];
                    text[at] = 0xc2;
                    text[at + 1] = cont;
                    agrees_with_reference(core::str::from_utf8(&text).unwrap());
                }
            }
        }
        for lead in (0xc2u32..=0xf4).step_by(step) {
            // A character whose UTF-8 starts with `lead` (never a surrogate, never overlong).
            let c = char::from_u32(match lead {
                0xc2..=0xdf => (lead - 0xc0) << 6 | 0x3f,
                0xe0 => 0x8bc,
                0xe1..=0xef => (lead - 0xe0) << 12 | 0x3bc,
                0xf0 => 0x10abc,
                _ => (lead - 0xf0) << 18 | 0xabc,
            })
            .unwrap();
            assert_eq!(
                c.encode_utf8(&mut [0; 4]).as_bytes()[0],
                u8::try_from(lead).unwrap()
            );
            agrees_with_reference(&std::format!("{c}\"{c}\u{1}{c}"));
        }
    }

    #[test]
    fn multi_byte_characters_straddling_block_edges_escape_like_the_reference() {
        for c in ['é', '—', '日', '🚚'] {
            for before in (0..=34).step_by(if cfg!(miri) { 7 } else { 1 }) {
                for after in ["", "\"", "x\n", "tail past the next block edge\t"] {
                    let text = std::format!("{}{c}{after}", "a".repeat(before));
                    agrees_with_reference(&text);
                    let text = std::format!("{}\\{c}{c}{after}", "\u{1f}".repeat(before % 5));
                    agrees_with_reference(&text);
                }
            }
        }
    }

    #[test]
    fn block_lanes_flag_exactly_the_bytes_to_escape() {
        for lane in 0..16 {
            for byte in 0u8..=255 {
                let mut block = [b'a'; 16];
                block[lane] = byte;
                let expected = if needs_escape(byte) { 1 << lane } else { 0 };
                assert_eq!(Sse2Or16::lanes(&block), expected, "{byte:#x} at {lane}");
                let mut word = [b'a'; 8];
                word[lane % 8] = byte;
                let expected = if needs_escape(byte) {
                    1 << (lane % 8)
                } else {
                    0
                };
                assert_eq!(SwarBlocks::lanes(&word), expected, "{byte:#x} at {lane}");
            }
        }
        let mut block = [b'"'; 16];
        block[3] = b'x';
        assert_eq!(Sse2Or16::lanes(&block), 0xfff7);
    }

    #[test]
    fn every_pair_and_triple_of_escapes_within_a_block_escape_like_the_reference() {
        // Escapes handled from one search of their block: every pair of positions in a
        // 40-byte string, and a third escape right after or a block after the second.
        let step = if cfg!(miri) { 7 } else { 1 };
        for a in (0..40).step_by(step) {
            for b in (a + 1..40).step_by(step) {
                for third in [None, Some(b + 1), Some(b + 2), Some(b + 7), Some(b + 16)] {
                    let mut text =
                        *b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
                    text[a] = b'"';
                    text[b] = 0x01;
                    if let Some(c) = third {
                        text[c] = b'\\';
                    }
                    agrees_with_reference(core::str::from_utf8(&text[..40.max(b + 18)]).unwrap());
                }
            }
        }
    }

    #[test]
    fn dense_escapes_and_long_strings_escape_like_the_reference() {
        let line = "00001: Zoë wrote \"the parcel — 日本へ 🚚\"\tC:\\orders\\1.pdf\u{1}\n";
        let long = line.repeat(if cfg!(miri) { 3 } else { 40 });
        for len in (0..long.len())
            .filter(|&n| long.is_char_boundary(n))
            .step_by(if cfg!(miri) { 29 } else { 7 })
        {
            agrees_with_reference(&long[..len]);
        }
        agrees_with_reference(&"\"".repeat(100));
        agrees_with_reference(&"\u{0}".repeat(100));
    }

    /// `text` escaped like the reference (as [`agrees_with_reference`]), and nothing written
    /// past the output in a roomy slice.
    fn agrees_and_stays_in_place(text: &[u8]) {
        let text = core::str::from_utf8(text).unwrap();
        agrees_with_reference(text);
        let mut buf = std::vec![0xeeu8; text.len() * 6 + 300];
        let mut sink = SliceSink::new(&mut buf);
        write_json_str(&mut sink, JsonStr::literal(text)).unwrap();
        let n = sink.len();
        assert!(buf[n..].iter().all(|&b| b == 0xee), "{text:?}");
    }

    #[test]
    fn escapes_at_every_pair_of_places_in_a_two_block_step_escape_like_the_reference() {
        // Long strings take two blocks a step once past their first escape (with room for
        // the step's worst case): every escape kind at every place, every pair of places
        // across two steps, from a string that starts with an escape or a few bytes later.
        // (Miri, ~1000x slower, takes every 29th place from one lead, two kinds.)
        let step = if cfg!(miri) { 29 } else { 1 };
        let leads: &[usize] = if cfg!(miri) { &[1] } else { &[0, 1, 5] };
        let base = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+-*";
        let mut long = base.to_vec();
        long.extend_from_slice(base);
        let kinds: &[u8] = if cfg!(miri) {
            &[b'"', 0x01]
        } else {
            &[b'"', b'\\', b'\n', 0x01, 0x1f]
        };
        for &lead in leads {
            for &kind in kinds {
                for at in (lead + 1..long.len()).step_by(step) {
                    let mut text = long.clone();
                    text[lead] = b'\t';
                    text[at] = kind;
                    agrees_and_stays_in_place(&text);
                }
            }
            for a in (lead + 1..lead + 70).step_by(step) {
                for b in (a + 1..lead + 72).step_by(step) {
                    let mut text = long.clone();
                    text[lead] = b'"';
                    text[a] = 0x01;
                    text[b] = b'\\';
                    agrees_and_stays_in_place(&text);
                }
            }
        }
    }

    #[test]
    fn runs_of_the_longest_escape_grow_a_step_the_most_and_escape_like_the_reference() {
        // Every lane of a step a six-byte `\u00XX` (the most a step grows), runs of every
        // length at every offset, then clean bytes or more escapes after.
        // (Miri, ~1000x slower, takes every 37th start and run length.)
        let step = if cfg!(miri) { 37 } else { 1 };
        for start in (0..40).step_by(step) {
            for run in (0..=70).step_by(step) {
                for fill in [b'a', b'"'] {
                    let mut text = std::vec![fill; 160];
                    text[0] = b'\n';
                    for b in &mut text[start + 1..start + 1 + run] {
                        *b = 0x01;
                    }
                    agrees_and_stays_in_place(&text);
                }
            }
        }
        agrees_and_stays_in_place(&[0x1f; 100]);
    }

    #[test]
    fn long_strings_with_escapes_escape_like_the_reference_in_every_room() {
        // Near the end of the room the step's worst case does not fit and the checked loop
        // takes over: every room from exactly enough to some hundreds of bytes more.
        let line = "Zoë wrote \"the parcel — 日本へ 🚚\"\tC:\\orders\\1.pdf\u{1}\n";
        let text = line.repeat(4);
        let expected = reference_quoted(&text);
        // (Miri, ~1000x slower, takes every 97th room.)
        for extra in (0..300).step_by(if cfg!(miri) { 97 } else { 1 }) {
            let mut buf = std::vec![0xeeu8; expected.len() + extra];
            let mut sink = SliceSink::new(&mut buf);
            write_json_str(&mut sink, JsonStr::literal(&text)).unwrap();
            assert_eq!(sink.written(), &expected[..], "{extra} bytes spare");
            assert!(buf[expected.len()..].iter().all(|&b| b == 0xee));
        }
        for room in (0..expected.len()).step_by(if cfg!(miri) { 97 } else { 1 }) {
            let mut buf = std::vec![0u8; room];
            let mut sink = SliceSink::new(&mut buf);
            assert!(write_json_str(&mut sink, JsonStr::literal(&text)).is_err());
        }
    }

    #[test]
    fn a_string_too_large_for_the_room_fails_at_every_length_with_the_exact_need() {
        for text in [
            "",
            "a",
            "abcdefghijklmnopq",
            "a\"b\u{1}c",
            "é\n日🚚\\ and then some",
        ] {
            let expected = reference_quoted(text);
            for room in 0..expected.len() {
                let mut buf = std::vec![0u8; room];
                let mut sink = SliceSink::new(&mut buf);
                assert!(write_json_str(&mut sink, JsonStr::literal(text)).is_err());
            }
            let frame = crate::outgoing::OutgoingFrame {
                join_ref: Some("1"),
                reference: None,
                topic: text,
                event: text,
                payload: crate::outgoing::ShoutPush::new(JsonStr::literal(text)),
            };
            let needed = frame.encoded_len_v2().unwrap();
            for room in 0..needed {
                let mut buf = std::vec![0u8; room];
                let mut sink = SliceSink::new(&mut buf);
                assert_eq!(
                    frame.encode_v2(&mut sink),
                    Err(EncodeError::BufferTooSmall {
                        needed,
                        available: room
                    }),
                    "{text:?} in {room}"
                );
                assert!(sink.is_empty());
            }
            let mut buf = std::vec![0u8; needed];
            assert_eq!(frame.encode_v2(&mut SliceSink::new(&mut buf)), Ok(needed));
            let mut roomy = std::vec![0u8; needed * 6];
            let n = frame.encode_v2(&mut SliceSink::new(&mut roomy)).unwrap();
            assert_eq!(&roomy[..n], &buf[..]);
        }
    }

    #[test]
    fn nothing_is_written_past_the_output() {
        // A roomy slice: the bytes after what was written keep their value.
        for text in ["a", "0123456789abcdef0", "0123456789abcdef\"x", "\n\n\n\n"] {
            let mut buf = [0xeeu8; 256];
            let mut sink = SliceSink::new(&mut buf);
            write_json_str(&mut sink, JsonStr::literal(text)).unwrap();
            let n = sink.len();
            assert!(buf[n..].iter().all(|&b| b == 0xee), "{text:?}");
        }
    }

    #[test]
    fn static_keys_and_deferred_objects_write_like_json_object_writer() {
        let mut buf = [0u8; 64];
        let mut out = SliceSink::new(&mut buf);
        let obj = JsonObjectWriter::deferred(&mut out);
        obj.finish().unwrap();
        assert_eq!(out.written(), b"{}");
        let mut buf = [0u8; 64];
        let mut out = SliceSink::new(&mut buf);
        let mut obj = JsonObjectWriter::deferred(&mut out);
        obj.static_member(static_key!("a"), &JsonStr::literal("x"))
            .unwrap();
        obj.static_optional_member::<bool>(static_key!("b"), None)
            .unwrap();
        obj.static_member(static_key!("c"), &true).unwrap();
        obj.member("d\"", &None::<bool>).unwrap();
        obj.finish().unwrap();
        assert_eq!(out.written(), br#"{"a":"x","c":true,"d\"":null}"#);
        let mut counter = LenCounter::default();
        let mut obj = JsonObjectWriter::new(&mut counter).unwrap();
        obj.static_member(static_key!("a"), &1i64).unwrap();
        obj.finish().unwrap();
        assert_eq!(counter.len, br#"{"a":1}"#.len());
    }

    fn escaped(text: &str) -> heapless::Vec<u8, 128> {
        let mut buf = [0u8; 128];
        let mut out = SliceSink::new(&mut buf);
        write_json_str(&mut out, JsonStr::literal(text)).unwrap();
        heapless::Vec::from_slice(out.written()).unwrap()
    }

    #[test]
    fn dividing_by_ten_in_32_bit_arithmetic_matches_u64_division() {
        let mut samples = std::vec![0, 1, 9, 10, 11, 99, 100, u64::MAX, u64::MAX - 9, 1 << 63];
        for shift in 0..64 {
            let p = 1u64 << shift;
            samples.extend([p, p - 1, p + 1, p.wrapping_mul(10)]);
        }
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..2000 {
            x = x.rotate_left(17).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ 7;
            samples.extend([x, x >> 20, x >> 40]);
        }
        for n in samples {
            #[allow(clippy::cast_possible_truncation)]
            let want = (n / 10, (n % 10) as u8);
            assert_eq!(super::div_rem_10_narrow(n), want, "{n}");
        }
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

    /// Firmware's escaped string body (`escape_body_small`) against the portable one: the
    /// same puts in the same order, the same tallies through a counting slice, and the same
    /// result and bytes in a slice of every size, for plain and escaped strings.
    #[test]
    fn small_escape_body_matches_the_portable_one() {
        /// Records each put.
        struct Calls(Vec<Vec<u8>>);
        impl Sink for Calls {
            fn remaining(&self) -> usize {
                usize::MAX
            }
            fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
                self.0.push(bytes.to_vec());
                Ok(())
            }
        }
        let mut strings: Vec<JsonStr<'_>> = ["", "a\\b", "tab\t \"q\" \u{1} é", "plain"]
            .into_iter()
            .map(JsonStr::literal)
            .collect();
        for body in [
            r"\u0041\/ \n caf\u00e9 \ud83d\ude00",
            r#"\"\\\b\f\n\r\t\u0001\u001f"#,
            r"x\u005c",
        ] {
            strings.push(JsonStr::from_json_body(body).unwrap());
        }
        for s in strings {
            let (mut small, mut portable) = (Calls(Vec::new()), Calls(Vec::new()));
            escape_body_small(&mut small, s).unwrap();
            escape_body(&mut portable, s).unwrap();
            assert_eq!(small.0, portable.0, "{s:?}");
            let (mut small, mut portable) = (SliceSink::counting(), SliceSink::counting());
            escape_body_small(&mut small, s).unwrap();
            escape_body(&mut portable, s).unwrap();
            assert_eq!(small.len(), portable.len(), "{s:?}");
            for room in 0..=portable.len() + 1 {
                let (mut a, mut b) = (std::vec![0u8; room], std::vec![0u8; room]);
                let (mut small, mut portable) = (SliceSink::new(&mut a), SliceSink::new(&mut b));
                assert_eq!(
                    escape_body_small(&mut small, s),
                    escape_body(&mut portable, s),
                    "{s:?} room {room}"
                );
                assert_eq!(small.written(), portable.written(), "{s:?} room {room}");
            }
        }
    }
}
