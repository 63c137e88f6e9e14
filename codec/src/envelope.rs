//! What the V2 text and V1 forms share: the envelope reader's helpers (UTF-8 and size check,
//! field type errors, the payload object walk that records member spans) and the one envelope
//! writer used by [`Frame`](crate::Frame) and [`OutgoingFrame`](crate::outgoing::OutgoingFrame)
//! alike.

use crate::encode::{PLAIN_LEN_MAX, Sink, WriteJson, put_after, str_body_bound, write_str_after};
use crate::error::{DecodeError, DecodeErrorKind as K, EncodeError, EnvelopeField};
use crate::limits::DecodeLimits;
use crate::raw::MemberIndex;
use crate::scan::Scanner;
use crate::string::JsonStr;

// --- Reading ------------------------------------------------------------------------------

/// Checks the size limit and UTF-8 (once, for the whole frame).
///
/// Hosted, inlined into each decoder: the call, its frame and the `Result` it returned cost
/// about 20 instructions a frame, a tenth of a heartbeat's decode (callgrind). Bare metal
/// keeps one copy (`.ci/embedded-size`).
#[cfg_attr(not(target_os = "none"), inline(always))]
#[allow(clippy::inline_always)]
pub(crate) fn check_text<'a>(
    input: &'a [u8],
    limits: &DecodeLimits,
) -> Result<&'a str, DecodeError> {
    if input.len() > limits.max_frame_len() {
        return Err(too_large(limits));
    }
    crate::simd::str_from_utf8(input).map_err(not_utf8)
}

/// [`check_text`]'s size error, out of line where `check_text` is inlined (bare metal lets
/// the compiler choose: out of line there cost 234 bytes of `.text`, `.ci/embedded-size`).
#[cfg_attr(not(target_os = "none"), cold, inline(never))]
fn too_large(limits: &DecodeLimits) -> DecodeError {
    DecodeError::new(K::FrameTooLarge, limits.max_frame_len())
}

/// [`check_text`]'s UTF-8 error, out of line where `check_text` is inlined.
#[cfg_attr(not(target_os = "none"), cold, inline(never))]
fn not_utf8(valid_up_to: usize) -> DecodeError {
    DecodeError::new(K::InvalidUtf8, valid_up_to)
}

/// Whether `b` can start a JSON value.
pub(crate) const fn starts_value(b: u8) -> bool {
    matches!(
        b,
        b'"' | b'{' | b'[' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n'
    )
}

/// The error for an envelope field holding something other than its type: the value's own
/// syntax error if it is not JSON, otherwise `WrongFieldType` at its start. `depth` is the
/// number of containers around the value.
pub(crate) fn wrong_type(
    s: &mut Scanner<'_>,
    b: u8,
    field: EnvelopeField,
    depth: u32,
) -> DecodeError {
    if !starts_value(b) {
        return s.error(K::ExpectedValue);
    }
    let at = s.pos();
    match s.value(depth) {
        Err(syntax) => syntax,
        Ok(_) => DecodeError::new(K::WrongFieldType(field), at),
    }
}

/// Scans the object at the cursor (inside `depth` containers), recording its top-level
/// members' spans relative to its start into `index`.
pub(crate) fn object_with_index(
    s: &mut Scanner<'_>,
    depth: u32,
    index: &mut MemberIndex,
) -> Result<(), DecodeError> {
    if depth >= s.max_depth() {
        return Err(s.error(K::DepthLimitExceeded));
    }
    let start = s.pos();
    let mut rec = MemberIndex::start();
    s.saw_escape = false;
    s.bump();
    let mut next = s.peek_token()?;
    if next != b'}' {
        loop {
            let key_start = s.pos() + 1;
            let key = s.object_key(next)?;
            let key_end = key_start + key.raw().len();
            let value_start = {
                s.peek_token()?;
                s.pos()
            };
            // Most payload members are strings: scan them inline.
            if s.peek_token()? == b'"' {
                s.string()?;
            } else {
                s.value(depth + 1)?;
            }
            index.push(
                &mut rec,
                (key_start - start, key_end - start, key.has_escapes()),
                (value_start - start, s.pos() - start),
            );
            match s.peek_token()? {
                b',' => {
                    s.bump();
                    next = s.peek_token()?;
                }
                b'}' => break,
                _ => return Err(s.error(K::ExpectedCommaOrObjectEnd)),
            }
        }
    }
    s.bump();
    index.finish(rec);
    index.set_plain(!s.saw_escape);
    Ok(())
}

// --- Writing ------------------------------------------------------------------------------

/// The five envelope fields to write, whatever holds them (a decoded [`Frame`](crate::Frame) or
/// an [`OutgoingFrame`](crate::outgoing::OutgoingFrame)).
pub(crate) struct Envelope<'e, 'a, P: WriteJson + ?Sized> {
    pub(crate) join_ref: Option<JsonStr<'a>>,
    pub(crate) reference: Option<JsonStr<'a>>,
    pub(crate) topic: JsonStr<'a>,
    pub(crate) event: JsonStr<'a>,
    pub(crate) payload: &'e P,
}

impl<P: WriteJson + ?Sized> Envelope<'_, '_, P> {
    /// The V2 array `[join_ref, ref, topic, event, payload]`: each field with the punctuation
    /// before it, in one capacity check where the sink lends room.
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
    #[cfg_attr(
        all(target_arch = "x86_64", target_feature = "sse2"),
        allow(clippy::inline_always)
    )] // see `encode`'s module doc, "Inlining"
    #[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
    pub(crate) fn write_v2<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        write_nullable_after(out, b"[", self.join_ref)?;
        write_nullable_after(out, b",", self.reference)?;
        write_str_after(out, b",", self.topic)?;
        write_str_after(out, b",", self.event)?;
        self.payload.write_json_after(b",", out)?;
        out.put(b"]")
    }

    /// An upper bound of [`write_v2`](Self::write_v2)'s output, when the payload has one (and
    /// no field is over [`PLAIN_LEN_MAX`] bytes): each string's own bound, plain sums.
    #[inline]
    pub(crate) fn max_v2_len(&self) -> Option<usize> {
        let len = |s: Option<JsonStr<'_>>| s.map_or(0, |s| s.raw().len());
        let (join_ref, reference) = (len(self.join_ref), len(self.reference));
        let (topic, event) = (self.topic.raw().len(), self.event.raw().len());
        if (join_ref | reference | topic | event) > PLAIN_LEN_MAX {
            return None;
        }
        let body = |s: Option<JsonStr<'_>>| s.map_or(0, str_body_bound);
        // `[`, four commas, `]`; two quotes or `null` (four bytes at most) per field.
        let envelope = body(self.join_ref)
            + body(self.reference)
            + str_body_bound(self.topic)
            + str_body_bound(self.event)
            + 6
            + 4 * 4;
        envelope.checked_add(self.payload.max_json_len()?)
    }

    /// The V1 object the reference serializer writes: `topic`, `event`, `payload`, `ref`, then
    /// `join_ref` only when there is one.
    pub(crate) fn write_v1<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        write_str_after(out, b"{\"topic\":", self.topic)?;
        write_str_after(out, b",\"event\":", self.event)?;
        self.payload.write_json_after(b",\"payload\":", out)?;
        write_nullable_after(out, b",\"ref\":", self.reference)?;
        if let Some(join_ref) = self.join_ref {
            write_str_after(out, b",\"join_ref\":", join_ref)?;
        }
        out.put(b"}")
    }
}

/// `prefix`, then the string quoted or `null`.
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), inline(always))]
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    allow(clippy::inline_always)
)] // see `encode`'s module doc, "Inlining"
#[cfg_attr(not(all(target_arch = "x86_64", target_feature = "sse2")), inline)]
pub(crate) fn write_nullable_after<S: Sink + ?Sized>(
    out: &mut S,
    prefix: &[u8],
    value: Option<JsonStr<'_>>,
) -> Result<(), EncodeError> {
    match value {
        Some(s) => write_str_after(out, prefix, s),
        None => put_after(out, prefix, b"null"),
    }
}
