//! The V2 JSON text form: `[join_ref, ref, topic, event, payload]`, decoded ([`decode_text`]
//! and friends) and encoded ([`Frame::encode_v2`]).

use crate::encode::{Encoding, Sink, SliceSink, encode_exact, exact_len};
use crate::envelope::{Envelope, check_text, object_with_index, starts_value, wrong_type};
use crate::error::{DecodeError, DecodeErrorKind as K, EncodeError, EnvelopeField};
use crate::frame::{Frame, Payload};
use crate::limits::DecodeLimits;
use crate::raw::{MemberIndex, RawJson};
use crate::scan::Scanner;
use crate::string::JsonStr;

impl Frame<'_> {
    /// Writes the frame as a compact V2 JSON array into `out`; returns the bytes written.
    ///
    /// Strings are written as `JSON.stringify` writes them; a JSON payload is copied as it was
    /// received. Fails without writing when `out` is too small or the payload is binary.
    ///
    /// ```
    /// use phx_codec::encode::SliceSink;
    /// let frame = phx_codec::v1::decode_v1(br#"{"topic":"t","event":"e","payload":{},"ref":null}"#)?;
    /// let mut buf = [0u8; 32];
    /// let mut sink = SliceSink::new(&mut buf);
    /// let n = frame.encode_v2(&mut sink).unwrap();
    /// assert_eq!(sink.written(), br#"[null,null,"t","e",{}]"#);
    /// assert_eq!(n, sink.written().len());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encode_v2<S: Sink + ?Sized>(&self, out: &mut S) -> Result<usize, EncodeError> {
        encode_exact(&V2(self), out)
    }

    /// [`encode_v2`](Self::encode_v2) into a byte slice.
    ///
    /// ```
    /// use phx_codec::EncodeError;
    /// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
    /// let mut small = [0u8; 8];
    /// assert!(matches!(frame.encode_v2_into(&mut small), Err(EncodeError::BufferTooSmall { needed: 35, .. })));
    /// let mut buf = [0u8; 35];
    /// assert_eq!(frame.encode_v2_into(&mut buf), Ok(35));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encode_v2_into(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        self.encode_v2(&mut SliceSink::new(buf))
    }

    /// The exact length of [`encode_v2`](Self::encode_v2)'s output.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
    /// assert_eq!(frame.encoded_len_v2(), Ok(35));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encoded_len_v2(&self) -> Result<usize, EncodeError> {
        exact_len(&V2(self))
    }

    fn write_v2<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let Payload::Json(payload) = self.payload() else {
            return Err(EncodeError::PayloadNotJson);
        };
        Envelope {
            join_ref: self.join_ref(),
            reference: self.reference(),
            topic: self.topic(),
            event: self.event(),
            payload: &payload,
        }
        .write_v2(out)
    }
}

/// A frame in the V2 text form.
struct V2<'f, 'a>(&'f Frame<'a>);

impl Encoding for V2<'_, '_> {
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        self.0.write_v2(out)
    }

    fn max_len(&self) -> Option<usize> {
        let frame = self.0;
        let Payload::Json(payload) = frame.payload() else {
            return None;
        };
        Envelope {
            join_ref: frame.join_ref(),
            reference: frame.reference(),
            topic: frame.topic(),
            event: frame.event(),
            payload: &payload,
        }
        .max_v2_len()
    }
}

/// Decodes a V2 JSON text frame with the default [`DecodeLimits`].
///
/// ```
/// let frame = phx_codec::decode_text(br#"[null,"12","phoenix","heartbeat",{}]"#).unwrap();
/// assert_eq!(frame.event(), "heartbeat");
/// assert!(phx_codec::decode_text(br#"[null,"12","phoenix","heartbeat"]"#).is_err());
/// ```
pub fn decode_text(input: &[u8]) -> Result<Frame<'_>, DecodeError> {
    decode_text_with(input, &DecodeLimits::new())
}

/// Decodes a V2 JSON text frame under `limits`.
///
/// ```
/// use phx_codec::{decode_text_with, DecodeErrorKind, DecodeLimits};
/// let limits = DecodeLimits::new().with_max_depth(2);
/// assert!(decode_text_with(br#"[null,null,"t","e",{"a":1}]"#, &limits).is_ok());
/// let err = decode_text_with(br#"[null,null,"t","e",{"a":[1]}]"#, &limits).unwrap_err();
/// assert_eq!(err.kind, DecodeErrorKind::DepthLimitExceeded);
/// ```
pub fn decode_text_with<'a>(
    input: &'a [u8],
    limits: &DecodeLimits,
) -> Result<Frame<'a>, DecodeError> {
    let text = check_text(input, limits)?;
    decode_text_str_with(text, limits)
}

/// Decodes a V2 JSON text frame from a `&str` (UTF-8 already known) with the default limits.
///
/// ```
/// let frame = phx_codec::decode_text_str(r#"[null,"1","phoenix","heartbeat",{}]"#)?;
/// assert_eq!(frame.reference().unwrap(), "1");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
pub fn decode_text_str(input: &str) -> Result<Frame<'_>, DecodeError> {
    decode_text_str_with(input, &DecodeLimits::new())
}

/// Decodes a V2 JSON text frame from a `&str` under `limits`.
///
/// ```
/// use phx_codec::{decode_text_str_with, DecodeLimits};
/// let lenient = DecodeLimits::new().with_extra_elements_allowed(true);
/// let frame = decode_text_str_with(r#"[null,"1","t","e",{},"extra"]"#, &lenient)?;
/// assert_eq!(frame.event(), "e");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
pub fn decode_text_str_with<'a>(
    input: &'a str,
    limits: &DecodeLimits,
) -> Result<Frame<'a>, DecodeError> {
    decode_str(input, limits, true)
}

/// The decoder; `fast` lets [`fast_head`] try the envelope first (the tests compare both).
#[inline(always)] // one caller outside the tests, with `fast` constant
#[allow(clippy::inline_always)]
fn decode_str<'a>(
    input: &'a str,
    limits: &DecodeLimits,
    fast: bool,
) -> Result<Frame<'a>, DecodeError> {
    #[cfg(not(target_os = "none"))]
    return decode_str_by(input, limits, fast, &mut Validate, |frame| frame);
    #[cfg(target_os = "none")]
    return decode_str_by(input, limits, fast, &mut Unindexed, |frame| frame);
}

/// What reads the payload (the fifth element) once the envelope is read: [`Validate`] (the
/// plain decoder) or a one-pass typed reader (`onepass`), which knows the event before the
/// payload.
pub(crate) trait PayloadStep<'a> {
    /// Reads the payload at the scanner, which stands after the event's comma, recording its
    /// members into `index`: what [`payload`] does, with the same result and errors.
    fn read(
        &mut self,
        s: &mut Scanner<'a>,
        topic: JsonStr<'a>,
        event: JsonStr<'a>,
        index: &mut MemberIndex,
    ) -> Result<RawJson<'a>, DecodeError>;
}

/// The plain decoder's payload step: [`payload`].
#[cfg_attr(target_os = "none", allow(dead_code))] // bare metal: `Unindexed`
pub(crate) struct Validate;

impl<'a> PayloadStep<'a> for Validate {
    #[inline(always)]
    #[allow(clippy::inline_always)] // the plain decoder's one payload step
    fn read(
        &mut self,
        s: &mut Scanner<'a>,
        _: JsonStr<'a>,
        _: JsonStr<'a>,
        index: &mut MemberIndex,
    ) -> Result<RawJson<'a>, DecodeError> {
        payload(s, index)
    }
}

/// The bare-metal decoder's payload step: the payload validated by the generic scanner (the
/// same errors at the same offsets as [`payload`]), no member index recorded. Its views walk
/// the payload in place (`TypedObject::from_frame`) and `Frame::payload_members` walks an
/// unavailable index, so the recording walk is not linked there (`.ci/embedded-size`).
#[cfg(any(target_os = "none", test))]
pub(crate) struct Unindexed;

#[cfg(any(target_os = "none", test))]
impl<'a> PayloadStep<'a> for Unindexed {
    #[inline]
    fn read(
        &mut self,
        s: &mut Scanner<'a>,
        _: JsonStr<'a>,
        _: JsonStr<'a>,
        _: &mut MemberIndex,
    ) -> Result<RawJson<'a>, DecodeError> {
        element_start(s)?;
        let start = s.pos();
        s.value(1)?;
        Ok(RawJson::from_validated(s.slice(start, s.pos())))
    }
}

/// The decoder with its payload read by `step` (not called for the `{}]` ending, which
/// [`fast_head`] reads itself); `fast` as in [`decode_str`]. The frame is handed to `finish`
/// as it is built (the one-pass decoder stores it in place: returned inside a `Result`, it
/// would be built on the stack and copied).
#[inline(always)] // two callers (the plain decoder and the one-pass one), `fast` constant
#[allow(clippy::inline_always)]
pub(crate) fn decode_str_by<'a, P: PayloadStep<'a>, R>(
    input: &'a str,
    limits: &DecodeLimits,
    fast: bool,
    step: &mut P,
    finish: impl FnOnce(Frame<'a>) -> R,
) -> Result<R, DecodeError> {
    if input.len() > limits.max_frame_len() {
        return Err(DecodeError::new(K::FrameTooLarge, limits.max_frame_len()));
    }
    let mut s = Scanner::new(input, limits.max_depth());
    let head = match if fast { fast_head(&mut s, input) } else { None } {
        Some(head) => head,
        None => precise_head(&mut s, input)?,
    };
    let mut index = MemberIndex::unavailable();
    if head.empty_object_ends && s.max_depth() > 1 {
        // What the payload walk records for `{}`; returned from here, the index is a constant
        // the compiler writes straight into the frame (no copy).
        index.finish(MemberIndex::start());
        index.set_plain(true);
        let payload = RawJson::from_validated(s.slice(s.pos(), s.pos() + 2));
        return Ok(finish(
            Frame::new(
                head.join_ref,
                head.reference,
                head.topic,
                head.event,
                Payload::Json(payload),
            )
            .with_index(index),
        ));
    }
    let payload = step.read(&mut s, head.topic, head.event, &mut index)?;
    // The common end, `]` as the last byte, takes two compares (not worth its bytes in the
    // embedded build).
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    let done = s.pos() + 1 == input.len() && input.as_bytes().last() == Some(&b']');
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    let done = false;
    if !done {
        loop {
            match s.peek_token()? {
                b']' => break,
                b',' if limits.extra_elements_allowed() => {
                    s.bump();
                    s.value(1)?;
                }
                b',' => {
                    let comma = s.error(K::TooManyElements);
                    s.bump();
                    // A trailing comma is a syntax error; only a real sixth value is an arity
                    // error.
                    if !starts_value(s.peek_token()?) {
                        return Err(s.error(K::ExpectedValue));
                    }
                    return Err(comma);
                }
                _ => return Err(s.error(K::ExpectedCommaOrArrayEnd)),
            }
        }
        s.bump();
        s.finish()?;
    }
    // Built in the return slot; only the index is copied into it. (Building the whole frame
    // first and filling its index in place costs a copy of the whole frame instead: a value
    // borrowed while it is built is not built in the return slot.)
    Ok(finish(
        Frame::new(
            head.join_ref,
            head.reference,
            head.topic,
            head.event,
            Payload::Json(payload),
        )
        .with_index(index),
    ))
}

/// The envelope's four strings (`join_ref`, `ref`, `topic`, `event`) read as the decoder reads
/// them (the same errors at the same offsets), the scanner left after the event's comma: for
/// readers that take the payload from there themselves (`presence::PresenceStream`).
#[allow(clippy::type_complexity)]
pub(crate) fn read_head<'a>(
    s: &mut Scanner<'a>,
    input: &'a str,
) -> Result<
    (
        Option<JsonStr<'a>>,
        Option<JsonStr<'a>>,
        JsonStr<'a>,
        JsonStr<'a>,
    ),
    DecodeError,
> {
    let head = match fast_head(s, input) {
        Some(head) => head,
        None => precise_head(s, input)?,
    };
    Ok((head.join_ref, head.reference, head.topic, head.event))
}

/// The envelope's four strings; the scanner stands after the comma that ends the event.
struct Head<'a> {
    join_ref: Option<JsonStr<'a>>,
    reference: Option<JsonStr<'a>>,
    topic: JsonStr<'a>,
    event: JsonStr<'a>,
    /// The frame ends with `{}]` right there (heartbeats, leaves): seen by [`fast_head`].
    empty_object_ends: bool,
}

/// The envelope in its common shape, read with direct byte checks: `[`, `null` or a string, `,`,
/// `null` or a string, `,`, the topic, `,`, the event, `,`, no whitespace, no escapes. `None` at
/// the first surprise (and the scanner not moved): [`precise_head`] then reads the envelope from
/// the start, so every error, and its offset, is the grammar's. What it accepts, it reads as
/// the grammar would (plain strings, `null`), so a frame is the same whichever path read it.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)] // once per frame; a call would cost more than its checks
#[allow(clippy::inline_always)]
fn fast_head<'a>(s: &mut Scanner<'a>, input: &'a str) -> Option<Head<'a>> {
    let bytes = input.as_bytes();
    // Every frame is longer than 16 bytes (`plain_end` loads 16 bytes from the end); a depth
    // limit of 0 is the grammar's error at the `[`.
    if bytes.len() < 16 || bytes.first() != Some(&b'[') || s.max_depth() == 0 {
        return None;
    }
    let mut i = 1;
    let join_ref = fast_nullable(input, &mut i)?;
    let reference = fast_nullable(input, &mut i)?;
    let topic = fast_string(input, &mut i)?;
    let event = fast_string(input, &mut i)?;
    // `bump` moves the scanner one byte; the loop folds into one addition.
    for _ in 0..i {
        s.bump();
    }
    Some(Head {
        join_ref,
        reference,
        topic,
        event,
        empty_object_ends: bytes.get(i..) == Some(b"{}]"),
    })
}

/// No fast path without SSE2: the grammar reads every envelope (and the embedded build stays
/// small).
#[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
#[inline]
fn fast_head<'a>(_: &mut Scanner<'a>, _: &'a str) -> Option<Head<'a>> {
    None
}

/// `null,` or a plain string and `,` at `*i`; moves `*i` past the comma.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)] // four per frame, on the decoder's hot path
#[allow(clippy::inline_always, clippy::option_option)]
fn fast_nullable<'a>(input: &'a str, i: &mut usize) -> Option<Option<JsonStr<'a>>> {
    if input.as_bytes().get(*i..*i + 5) == Some(b"null,") {
        *i += 5;
        return Some(None);
    }
    fast_string(input, i).map(Some)
}

/// A string without escapes or control bytes and `,` at `*i`; moves `*i` past the comma.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)] // four per frame, on the decoder's hot path
#[allow(clippy::inline_always)]
fn fast_string<'a>(input: &'a str, i: &mut usize) -> Option<JsonStr<'a>> {
    let bytes = input.as_bytes();
    if bytes.get(*i) != Some(&b'"') {
        return None;
    }
    let start = *i + 1;
    let end = plain_end(bytes, start)?;
    if bytes.get(end + 1) != Some(&b',') {
        return None;
    }
    *i = end + 2;
    // Two ASCII boundaries: `split_at_checked` inlines where `get(start..end)` did not.
    let (body, _) = input.split_at_checked(end)?;
    let (_, body) = body.split_at_checked(start)?;
    Some(JsonStr::from_validated_plain(body))
}

/// The closing quote of a string body starting at `i` when the body's first stop (`"`, `\` or
/// a control byte) is that quote; sixteen bytes at a time, the last block loaded from the end
/// of `bytes` (at least 16 long), so short strings take one load and no byte-at-a-time tail.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)] // four per frame, on the decoder's hot path
#[allow(clippy::inline_always)]
pub(crate) fn plain_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    // Where the last block starts: blocks at `i <= last` are whole.
    let last = bytes.len().checked_sub(16)?;
    let mask = loop {
        if i > last {
            // The last 16 bytes, the lanes before `i` shifted out.
            let skip = u32::try_from(i - last).ok()?;
            let block = bytes.get(last..)?.first_chunk::<16>()?;
            break crate::simd::string_stop_mask16(block).checked_shr(skip)?;
        }
        let mask = crate::simd::string_stop_mask16(bytes.get(i..)?.first_chunk::<16>()?);
        if mask != 0 {
            break mask;
        }
        i += 16;
    };
    // No stop at all: the input ends inside the string.
    let end = i + (mask != 0).then_some(mask.trailing_zeros() as usize)?;
    (bytes.get(end) == Some(&b'"')).then_some(end)
}

/// The envelope read by the grammar, every error at its offset.
///
/// Where [`fast_head`] exists this is the rare path: out of line and cold, which keeps the
/// fast path's registers free (callgrind: -30 instructions a heartbeat). Elsewhere it is the
/// only path, inlined (smaller).
#[cfg_attr(
    all(target_arch = "x86_64", target_feature = "sse2"),
    cold,
    inline(never)
)]
#[cfg_attr(
    not(all(target_arch = "x86_64", target_feature = "sse2")),
    inline(always)
)]
#[allow(clippy::inline_always)]
fn precise_head<'a>(s: &mut Scanner<'a>, input: &str) -> Result<Head<'a>, DecodeError> {
    if s.peek_token()? != b'[' {
        s.value(0)?;
        return Err(DecodeError::new(K::ExpectedArray, 0).at_token(input));
    }
    if s.max_depth() == 0 {
        return Err(s.error(K::DepthLimitExceeded));
    }
    s.bump();
    let join_ref = nullable_string(s, EnvelopeField::JoinRef)?;
    separator(s)?;
    let reference = nullable_string(s, EnvelopeField::Ref)?;
    separator(s)?;
    let topic = string_field(s, EnvelopeField::Topic)?;
    separator(s)?;
    let event = string_field(s, EnvelopeField::Event)?;
    separator(s)?;
    Ok(Head {
        join_ref,
        reference,
        topic,
        event,
        empty_object_ends: false,
    })
}

impl DecodeError {
    /// Moves the offset to the first non-whitespace byte (where the offending value starts).
    fn at_token(mut self, input: &str) -> Self {
        self.offset = input.len() - input.trim_start_matches([' ', '\t', '\n', '\r']).len();
        self
    }
}

/// Between envelope elements: `,`, or `]` too early.
fn separator(s: &mut Scanner<'_>) -> Result<(), DecodeError> {
    match s.peek_token()? {
        b',' => {
            s.bump();
            Ok(())
        }
        b']' => Err(s.error(K::TooFewElements)),
        _ => Err(s.error(K::ExpectedCommaOrArrayEnd)),
    }
}

/// An element that starts the array's remaining part: `]` here means too few elements.
fn element_start(s: &mut Scanner<'_>) -> Result<u8, DecodeError> {
    let b = s.peek_token()?;
    if b == b']' {
        return Err(s.error(K::TooFewElements));
    }
    Ok(b)
}

fn nullable_string<'a>(
    s: &mut Scanner<'a>,
    field: EnvelopeField,
) -> Result<Option<JsonStr<'a>>, DecodeError> {
    match element_start(s)? {
        b'"' => s.string().map(Some),
        b'n' => {
            s.null()?;
            Ok(None)
        }
        b => Err(wrong_type(s, b, field, 1)),
    }
}

fn string_field<'a>(s: &mut Scanner<'a>, field: EnvelopeField) -> Result<JsonStr<'a>, DecodeError> {
    match element_start(s)? {
        b'"' => s.string(),
        b => Err(wrong_type(s, b, field, 1)),
    }
}

/// [`payload`] out of line, for the one-pass decoder's other events and fallbacks (the plain
/// decoder keeps its one call inlined).
#[inline(never)]
pub(crate) fn payload_out_of_line<'a>(
    s: &mut Scanner<'a>,
    index: &mut MemberIndex,
) -> Result<RawJson<'a>, DecodeError> {
    payload(s, index)
}

/// The payload: an object is walked here, one level, recording its members' spans; anything
/// else goes through the generic scanner.
#[inline(always)] // the plain decoder's one call (`payload_out_of_line` for the others)
#[allow(clippy::inline_always)]
fn payload<'a>(s: &mut Scanner<'a>, index: &mut MemberIndex) -> Result<RawJson<'a>, DecodeError> {
    let first = element_start(s)?;
    let start = s.pos();
    if first == b'{' {
        object_with_index(s, 1, index)?;
    } else {
        s.value(1)?;
    }
    Ok(RawJson::from_validated(s.slice(start, s.pos())))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The bare-metal payload step (`Unindexed`) decodes every frame as the indexing one does:
    /// the same frame (no index) or the same error at the same offset.
    #[test]
    fn the_unindexed_payload_step_decodes_as_the_indexing_one() {
        let payloads = [
            "{}",
            "{ }",
            r#"{"a":1}"#,
            r#"{"a":1, "b\u0031" : "x" ,"c":{"d":[]}}"#,
            r#"{"body":"Hi","customer_id":"c1","sent_at":"2026"}"#,
            r#"{"a":[1,{"b":"\n"}],"c":null,"d":true,"e":false,"f":-1.5e3}"#,
            "[1,2]",
            "\"s\"",
            "null",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "{\"a\":1,",
            "{\"a\" 1}",
            "{1:2}",
            "{\"a\":1,}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":tru}",
            "{\"a\":\"\\q\"}",
            "{\"a\":\"\u{1}\"}",
            "{\"a\":01}",
            "{\"a\":[}",
            "{\"a\":{\"b\":{\"c\":{}}}}",
            "{\"a\":1}}",
            "",
        ];
        let limits = [
            DecodeLimits::new(),
            DecodeLimits::new().with_max_depth(1),
            DecodeLimits::new().with_max_depth(2),
            DecodeLimits::new().with_max_depth(3),
        ];
        for payload in payloads {
            for end in ["]", " ]", "", ",1]"] {
                let mut text = heapless::String::<128>::new();
                text.push_str(r#"[null,"1","t","e","#).unwrap();
                text.push_str(payload).unwrap();
                text.push_str(end).unwrap();
                for limits in &limits {
                    for fast in [false, true] {
                        let indexed = decode_str_by(&text, limits, fast, &mut Validate, |f| f);
                        let unindexed = decode_str_by(&text, limits, fast, &mut Unindexed, |f| f);
                        match (indexed, unindexed) {
                            (Ok(a), Ok(b)) => {
                                assert_eq!(a.payload(), b.payload(), "{text}");
                                assert_eq!((a.topic(), a.event()), (b.topic(), b.event()));
                                assert_eq!(a.reference(), b.reference(), "{text}");
                                assert_eq!(
                                    a.payload_members().map(Iterator::count),
                                    b.payload_members().map(Iterator::count),
                                    "{text}"
                                );
                            }
                            (a, b) => assert_eq!(a.err(), b.err(), "{text} {limits:?}"),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn records_payload_members_while_validating() {
        let frame =
            decode_text(br#"[null,null,"t","e",{"a":1, "b\u0031" : "x" ,"c":{"d":[]}}]"#).unwrap();
        let members: heapless::Vec<_, 8> = frame.payload_members().unwrap().collect();
        assert_eq!(members.len(), 3);
        assert_eq!(members[1].0, "b1");
        assert_eq!(members[1].1.as_str(), "\"x\"");
        assert_eq!(members[2].1.as_str(), r#"{"d":[]}"#);
    }

    #[test]
    fn records_whether_the_payload_has_escapes() {
        let plain = decode_text(br#"["\u0031",null,"t","e",{"a":["x",{"b":"y"}]}]"#).unwrap();
        assert_eq!(plain.payload_plain(), Some(true));
        for escaped in [
            br#"[null,null,"t","e",{"a":["x",{"b":"\n"}]}]"#.as_slice(),
            br#"[null,null,"t","e",{"\u0061":1}]"#,
        ] {
            assert_eq!(decode_text(escaped).unwrap().payload_plain(), Some(false));
        }
        let built = Frame::new(
            None,
            None,
            "t".into(),
            "e".into(),
            Payload::Json(RawJson::parse("{}").unwrap()),
        );
        assert_eq!(built.payload_plain(), None);
    }

    #[test]
    fn falls_back_to_walking_past_the_index_capacity() {
        let mut text = heapless::String::<1024>::new();
        text.push_str("[null,null,\"t\",\"e\",{").unwrap();
        for i in 0..40 {
            if i > 0 {
                text.push(',').unwrap();
            }
            core::fmt::Write::write_fmt(&mut text, format_args!("\"k{i}\":{i}")).unwrap();
        }
        text.push_str("}]").unwrap();
        let frame = decode_text(text.as_bytes()).unwrap();
        assert_eq!(frame.payload_members().unwrap().count(), 40);
        assert_eq!(frame.payload_get("k39").unwrap().as_i64(), Some(39));
    }

    #[test]
    fn error_offsets_point_at_the_problem() {
        let err = |t: &str| decode_text(t.as_bytes()).map(|_| ()).unwrap_err();
        assert_eq!(
            err("[null,1,\"t\",\"e\",{}]"),
            DecodeError::new(K::WrongFieldType(EnvelopeField::Ref), 6)
        );
        assert_eq!(
            err("[null,\"1\",\"t\",\"e\"]"),
            DecodeError::new(K::TooFewElements, 17)
        );
        assert_eq!(
            err("[null,\"1\",\"t\",\"e\",{},{}]"),
            DecodeError::new(K::TooManyElements, 20)
        );
        assert_eq!(err(" {\"a\":1}"), DecodeError::new(K::ExpectedArray, 1));
        assert_eq!(
            err("[null,\"1\",\"t\",\"e\",{}] x"),
            DecodeError::new(K::TrailingCharacters, 22)
        );
        assert_eq!(err(""), DecodeError::new(K::UnexpectedEnd, 0));
        assert_eq!(
            err("[null,\"1\",\"t\",\"e\",{},]"),
            DecodeError::new(K::ExpectedValue, 21)
        );
        assert_eq!(
            err("[null,'1','t','e',{}]"),
            DecodeError::new(K::ExpectedValue, 6)
        );
        assert_eq!(
            err("[null,\"1\",5,\"e\",{}]"),
            DecodeError::new(K::WrongFieldType(EnvelopeField::Topic), 10)
        );
    }

    #[test]
    fn lenient_mode_accepts_and_validates_extra_elements() {
        let limits = DecodeLimits::new().with_extra_elements_allowed(true);
        assert!(decode_text_with(br#"[null,"1","t","e",{},{"x":[1]},2]"#, &limits).is_ok());
        assert_eq!(
            decode_text_with(br#"[null,"1","t","e",{},{"x":}]"#, &limits)
                .unwrap_err()
                .kind,
            K::ExpectedValue
        );
    }

    /// A string's raw text and flags: what two decoders must agree on beyond equality.
    fn parts(s: JsonStr<'_>) -> (&str, bool, bool) {
        (s.raw(), s.has_escapes(), s.is_json_safe())
    }

    /// The payload's members as the frame's index lists them.
    fn members<'a>(frame: &Frame<'a>) -> std::vec::Vec<(&'a str, &'a str)> {
        frame
            .payload_members()
            .map(|m| m.map(|(k, v)| (k.raw(), v.as_str())).collect())
            .unwrap_or_default()
    }

    /// Everything two decodings of `text` must agree on: the frames, the five fields'
    /// strings (raw text and flags), the payload, its plainness and its member index.
    /// Shared with the one-pass decoder's tests.
    pub(crate) fn assert_same_frame(a: &Frame<'_>, b: &Frame<'_>, text: &str) {
        assert_eq!(a, b, "{text:?}");
        assert_eq!(a.join_ref().map(parts), b.join_ref().map(parts), "{text:?}");
        assert_eq!(
            a.reference().map(parts),
            b.reference().map(parts),
            "{text:?}"
        );
        assert_eq!(parts(a.topic()), parts(b.topic()), "{text:?}");
        assert_eq!(parts(a.event()), parts(b.event()), "{text:?}");
        assert_eq!(a.payload(), b.payload(), "{text:?}");
        assert_eq!(a.payload_plain(), b.payload_plain(), "{text:?}");
        assert_eq!(members(a), members(b), "{text:?}");
    }

    /// The fast envelope path and the grammar alone give the same frame (strings' raw text
    /// and flags, payload span, member index) or the same error at the same offset.
    fn same_as_precise(text: &str, limits: &DecodeLimits) {
        let fast = decode_str(text, limits, true);
        let precise = decode_str(text, limits, false);
        match (&fast, &precise) {
            (Ok(a), Ok(b)) => assert_same_frame(a, b, text),
            (Err(a), Err(b)) => assert_eq!(a, b, "{text:?}"),
            _ => panic!("{text:?}: fast {fast:?}, precise {precise:?}"),
        }
    }

    /// Plain string bodies of `len` bytes (ASCII, mixed like refs and topics).
    fn plain(len: usize) -> std::string::String {
        "conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f-0123456789abcdef"
            .chars()
            .cycle()
            .take(len)
            .collect()
    }

    /// Every envelope field in every shape (null, plain strings of many lengths across the
    /// 16-byte blocks, escaped, non-ASCII, with whitespace, wrong types, broken JSON), one field
    /// at a time in the heartbeat, with payloads and ends that move the frame's last 16 bytes.
    fn generated_frames() -> std::vec::Vec<std::string::String> {
        use std::format;
        use std::string::ToString;
        let lengths: std::vec::Vec<usize> = if cfg!(miri) {
            std::vec![0, 1, 15, 16, 17, 50]
        } else {
            (0..=40).chain([47, 48, 49, 50, 64, 65]).collect()
        };
        let mut strings: std::vec::Vec<std::string::String> = lengths
            .iter()
            .map(|&n| format!("\"{}\"", plain(n)))
            .collect();
        // An escape, a control byte or a quote in every lane of the first blocks.
        for &n in lengths.iter().filter(|&&n| n <= 33) {
            let (head, tail) = (plain(n), plain(3));
            strings.push(format!("\"{head}\\n{tail}\""));
            strings.push(format!("\"{head}\u{1f}{tail}\""));
            strings.push(format!("\"{head}\"{tail}\""));
        }
        for odd in [
            r#""a\"b""#,
            r#""\u0031""#,
            r#""\\""#,
            r#""line\nbreak and more than sixteen bytes""#,
            "\"caf\u{e9} \u{6f22}\u{5b57}\"",
            "\"a\u{1}b\"",
            "\"a\tb\"",
            " \"x\"",
            "\"x\" ",
            "\n\"x\"\r\n",
            "\"unterminated",
            "\"\\",
            "\"\\u12",
            "1",
            "-",
            "true",
            "[]",
            "{}",
            "'x'",
            "",
        ] {
            strings.push(odd.to_string());
        }
        let mut nullables = strings.clone();
        for odd in ["null", " null", "null ", "nul", "nulll", "nil", "n"] {
            nullables.push(odd.to_string());
        }
        strings.push("null".to_string());
        let base = ["null", "\"12\"", "\"phoenix\"", "\"heartbeat\""];
        let mut frames = std::vec::Vec::new();
        for field in 0..4 {
            for value in if field < 2 { &nullables } else { &strings } {
                let mut parts = base.map(ToString::to_string);
                parts[field].clone_from(value);
                frames.push(format!(
                    "[{},{},{},{},{{}}]",
                    parts[0], parts[1], parts[2], parts[3]
                ));
            }
        }
        for (payload, end) in [
            ("{}", "]"),
            (r#"{"body":"hi"}"#, "]"),
            (r#"{"a":"b","c":[1,{"d":null}]}"#, "]"),
            (" {}", "]"),
            ("[]", "]"),
            ("\"x\"", "]"),
            ("{}", " ]"),
            ("{}", "] "),
            ("{}", "]x"),
            ("{}", ",1]"),
            ("{}", ",]"),
            ("{}", "}"),
            ("", "]"),
        ] {
            frames.push(format!(
                "[null,\"12\",\"phoenix\",\"heartbeat\",{payload}{end}"
            ));
            frames.push(format!(
                "[\"1\",\"5\",\"{}\",\"shout\",{payload}{end}",
                plain(50)
            ));
        }
        frames
    }

    #[test]
    fn the_fast_envelope_path_reads_every_frame_as_the_grammar_does() {
        let limits = DecodeLimits::new();
        let others = [
            DecodeLimits::new().with_max_depth(0),
            DecodeLimits::new().with_max_depth(1),
            DecodeLimits::new().with_extra_elements_allowed(true),
            DecodeLimits::new().with_max_frame_len(20),
        ];
        // Under Miri: the other limits on every third frame, every eleventh truncation.
        let (every, step) = if cfg!(miri) { (3, 11) } else { (1, 1) };
        for (k, frame) in generated_frames().iter().enumerate() {
            if k % every == 0 {
                for other in &others {
                    same_as_precise(frame, other);
                }
            }
            // Every truncation, at character boundaries.
            for end in (0..=frame.len()).step_by(step) {
                if let Some(prefix) = frame.get(..end) {
                    same_as_precise(prefix, &limits);
                }
            }
        }
    }

    /// `plain_end` against a byte-at-a-time search: every input length from 16 to 70, every
    /// start (past the end too), no stop or one stop (`"`, `\`, a control byte) anywhere.
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn plain_end_finds_the_closing_quote_as_a_byte_search_does() {
        let reference = |bytes: &[u8], i: usize| {
            let at = i + bytes
                .get(i..)?
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
            (bytes[at] == b'"').then_some(at)
        };
        let lengths: std::vec::Vec<usize> = if cfg!(miri) {
            std::vec![16, 17, 31, 33]
        } else {
            (16..=70).collect()
        };
        // Under Miri, every 5th stop position and start.
        let step = if cfg!(miri) { 5 } else { 1 };
        let mut checked = 0;
        for &len in &lengths {
            for stop in [None, Some(b'"'), Some(b'\\'), Some(0x1f)] {
                for at in (0..=if stop.is_some() { len - 1 } else { 0 }).step_by(step) {
                    let mut bytes = std::vec![b'a'; len];
                    if let Some(stop) = stop {
                        bytes[at] = stop;
                    }
                    for i in (0..=len + 2).step_by(step) {
                        assert_eq!(
                            plain_end(&bytes, i),
                            reference(&bytes, i),
                            "{len} bytes, {stop:?} at {at}, from {i}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000 || cfg!(miri));
        assert_eq!(plain_end(b"0123456789abcd\"", 0), None, "under 16 bytes");
    }

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[test]
    fn the_fast_envelope_path_takes_the_common_shapes() {
        let taken = |text: &str| fast_head(&mut Scanner::new(text, 128), text).is_some();
        assert!(taken(r#"[null,"12","phoenix","heartbeat",{}]"#));
        assert!(taken(r#"[null,null,"t","e",{}]"#));
        for n in 0..=40 {
            let s = plain(n);
            for text in [
                std::format!(r#"["{s}","{s}","{s}","{s}",{{}}]"#),
                std::format!(r#"[null,"{s}","conversation:{s}","{s}",1]"#),
            ] {
                assert!(taken(&text), "{text:?}");
            }
        }
        // Surprises go to the grammar: whitespace, escapes, other types, the end of the input.
        for text in [
            r#"[ null,"12","phoenix","heartbeat",{}]"#,
            r#"[null ,"12","phoenix","heartbeat",{}]"#,
            r#"[null,"1\"2","phoenix","heartbeat",{}]"#,
            r#"[null,12,"phoenix","heartbeat",{}]"#,
            r#"[null,"12","phoenix","heartbeat" ,{}]"#,
            r#"[null,"12","phoenix","heartbeat""#,
            r#"[null,"12","phoenix","heartbeat"#,
            r#"{"a":"12","phoenix","heartbeat",{}]"#,
        ] {
            assert!(!taken(text), "{text:?}");
        }
        let no_depth = "[null,null,\"t\",\"e\",{}]";
        assert!(fast_head(&mut Scanner::new(no_depth, 0), no_depth).is_none());
    }
}
