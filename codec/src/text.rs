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
    if input.len() > limits.max_frame_len() {
        return Err(DecodeError::new(K::FrameTooLarge, limits.max_frame_len()));
    }
    let mut s = Scanner::new(input, limits.max_depth());
    if s.peek_token()? != b'[' {
        s.value(0)?;
        return Err(DecodeError::new(K::ExpectedArray, 0).at_token(input));
    }
    if s.max_depth() == 0 {
        return Err(s.error(K::DepthLimitExceeded));
    }
    s.bump();
    let join_ref = nullable_string(&mut s, EnvelopeField::JoinRef)?;
    separator(&mut s)?;
    let reference = nullable_string(&mut s, EnvelopeField::Ref)?;
    separator(&mut s)?;
    let topic = string_field(&mut s, EnvelopeField::Topic)?;
    separator(&mut s)?;
    let event = string_field(&mut s, EnvelopeField::Event)?;
    separator(&mut s)?;
    let mut index = MemberIndex::unavailable();
    let payload = payload(&mut s, &mut index)?;
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
                // A trailing comma is a syntax error; only a real sixth value is an arity error.
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
    Ok(Frame::new(join_ref, reference, topic, event, Payload::Json(payload)).with_index(index))
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

/// The payload: an object is walked here, one level, recording its members' spans; anything
/// else goes through the generic scanner.
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
mod tests {
    use super::*;

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
}
