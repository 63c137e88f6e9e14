//! The V1 JSON object form: `{"topic":T,"event":E,"payload":P,"ref":R,"join_ref":J}`.
//!
//! Decoding follows `Phoenix.Socket.V1.JSONSerializer`: keys in any order; `topic`, `event`,
//! `payload` and `ref` required (`ref` may be null); `join_ref` optional. Other keys are
//! validated as JSON and **ignored**, as the reference's `Message.from_map!` ignores them.
//! Unlike the reference (whose JSON decoder keeps the last of duplicate keys), a duplicate
//! envelope key is **rejected**: two parsers reading different topics from one frame is a
//! smuggling trick.
//!
//! Encoding writes the reference's shape: `topic`, `event`, `payload`, `ref`, then `join_ref`
//! only when there is one.
//!
//! ```
//! use phx_codec::v1;
//! let frame = v1::decode_v1(br#"{"ref":"3","payload":{},"event":"heartbeat","topic":"phoenix"}"#)?;
//! assert_eq!(frame.topic(), "phoenix");
//! let mut buf = [0u8; 80];
//! let n = frame.encode_v1_into(&mut buf).unwrap();
//! assert_eq!(&buf[..n], br#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"3"}"#);
//! # Ok::<(), phx_codec::DecodeError>(())
//! ```

use crate::encode::{Encoding, Sink, SliceSink, encode_exact, exact_len};
use crate::envelope::{Envelope, check_text, object_with_index, wrong_type};
use crate::error::{DecodeError, DecodeErrorKind as K, EncodeError, EnvelopeField};
use crate::frame::{Frame, Payload};
use crate::limits::DecodeLimits;
use crate::raw::{MemberIndex, RawJson};
use crate::scan::Scanner;
use crate::string::JsonStr;

/// Decodes a V1 frame with the default limits.
///
/// ```
/// let frame = phx_codec::v1::decode_v1(br#"{"topic":"t","event":"e","payload":{},"ref":null}"#)?;
/// assert!(frame.reference().is_none() && frame.join_ref().is_none());
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
pub fn decode_v1(input: &[u8]) -> Result<Frame<'_>, DecodeError> {
    decode_v1_with(input, &DecodeLimits::new())
}

/// Decodes a V1 frame under `limits`.
///
/// ```
/// use phx_codec::{DecodeErrorKind, DecodeLimits, EnvelopeField, v1};
/// let err = v1::decode_v1_with(br#"{"topic":"a","topic":"b","event":"e","payload":{},"ref":null}"#, &DecodeLimits::new())
///     .unwrap_err();
/// assert_eq!(err.kind, DecodeErrorKind::DuplicateField(EnvelopeField::Topic));
/// ```
pub fn decode_v1_with<'a>(
    input: &'a [u8],
    limits: &DecodeLimits,
) -> Result<Frame<'a>, DecodeError> {
    let text = check_text(input, limits)?;
    let mut s = Scanner::new(text, limits.max_depth());
    let first = s.peek_token()?;
    let object_at = s.pos();
    if first != b'{' {
        s.value(0)?;
        return Err(DecodeError::new(K::ExpectedObject, object_at));
    }
    if s.max_depth() == 0 {
        return Err(s.error(K::DepthLimitExceeded));
    }
    s.bump();
    let mut topic: Option<JsonStr<'a>> = None;
    let mut event: Option<JsonStr<'a>> = None;
    let mut payload: Option<RawJson<'a>> = None;
    let mut index = MemberIndex::unavailable();
    let mut reference: Option<Option<JsonStr<'a>>> = None;
    let mut join_ref: Option<Option<JsonStr<'a>>> = None;
    let mut next = s.peek_token()?;
    if next != b'}' {
        loop {
            let key_at = s.pos();
            let key = s.object_key(next)?;
            let field = envelope_field(key);
            let duplicate = match field {
                Some(EnvelopeField::Topic) => topic.is_some(),
                Some(EnvelopeField::Event) => event.is_some(),
                Some(EnvelopeField::Payload) => payload.is_some(),
                Some(EnvelopeField::Ref) => reference.is_some(),
                Some(EnvelopeField::JoinRef) => join_ref.is_some(),
                _ => false,
            };
            if let (true, Some(field)) = (duplicate, field) {
                return Err(DecodeError::new(K::DuplicateField(field), key_at));
            }
            let value_at = {
                s.peek_token()?;
                s.pos()
            };
            match field {
                Some(EnvelopeField::Payload) => {
                    if s.peek_token()? == b'{' {
                        object_with_index(&mut s, 1, &mut index)?;
                    } else {
                        s.value(1)?;
                    }
                    payload = Some(RawJson::from_validated(s.slice(value_at, s.pos())));
                }
                Some(f @ (EnvelopeField::Topic | EnvelopeField::Event)) => {
                    let b = s.peek_token()?;
                    if b != b'"' {
                        return Err(wrong_type(&mut s, b, f, 1));
                    }
                    let value = s.string()?;
                    if f == EnvelopeField::Topic {
                        topic = Some(value);
                    } else {
                        event = Some(value);
                    }
                }
                Some(f @ (EnvelopeField::Ref | EnvelopeField::JoinRef)) => {
                    let value = match s.peek_token()? {
                        b'"' => Some(s.string()?),
                        b'n' => {
                            s.null()?;
                            None
                        }
                        b => return Err(wrong_type(&mut s, b, f, 1)),
                    };
                    if f == EnvelopeField::Ref {
                        reference = Some(value);
                    } else {
                        join_ref = Some(value);
                    }
                }
                _ => {
                    s.value(1)?;
                }
            }
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
    let end = s.pos();
    s.finish()?;
    let missing = |field| DecodeError::new(K::MissingField(field), end.saturating_sub(1));
    let topic = topic.ok_or_else(|| missing(EnvelopeField::Topic))?;
    let event = event.ok_or_else(|| missing(EnvelopeField::Event))?;
    let payload = payload.ok_or_else(|| missing(EnvelopeField::Payload))?;
    let reference = reference.ok_or_else(|| missing(EnvelopeField::Ref))?;
    Ok(Frame::new(
        join_ref.flatten(),
        reference,
        topic,
        event,
        Payload::Json(payload),
    )
    .with_index(index))
}

fn envelope_field(key: JsonStr<'_>) -> Option<EnvelopeField> {
    let mut buf = [0u8; 8];
    let text = key.as_str().or_else(|| {
        // An escaped key ("t\u006fpic") still names the field; anything longer than the
        // longest envelope key cannot.
        if key.unescaped_len() <= buf.len() {
            key.unescape_into(&mut buf).ok()
        } else {
            None
        }
    })?;
    match text {
        "topic" => Some(EnvelopeField::Topic),
        "event" => Some(EnvelopeField::Event),
        "payload" => Some(EnvelopeField::Payload),
        "ref" => Some(EnvelopeField::Ref),
        "join_ref" => Some(EnvelopeField::JoinRef),
        _ => None,
    }
}

/// A frame in the V1 object form.
struct V1<'f, 'a>(&'f Frame<'a>);

impl Encoding for V1<'_, '_> {
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        self.0.write_v1(out)
    }
}

impl Frame<'_> {
    /// Writes the frame in the V1 form the reference serializer writes; returns the bytes
    /// written. Fails without writing when `out` is too small or the payload is binary.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"["1","2","t","e",{}]"#)?;
    /// let mut buf = [0u8; 80];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// frame.encode_v1(&mut out).unwrap();
    /// assert_eq!(out.written(), br#"{"topic":"t","event":"e","payload":{},"ref":"2","join_ref":"1"}"#);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encode_v1<S: Sink + ?Sized>(&self, out: &mut S) -> Result<usize, EncodeError> {
        encode_exact(&V1(self), out)
    }

    /// [`encode_v1`](Self::encode_v1) into a byte slice.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"[null,null,"t","e",{}]"#)?;
    /// let mut buf = [0u8; 64];
    /// let n = frame.encode_v1_into(&mut buf).unwrap();
    /// assert_eq!(&buf[..n], br#"{"topic":"t","event":"e","payload":{},"ref":null}"#);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encode_v1_into(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        self.encode_v1(&mut SliceSink::new(buf))
    }

    /// The exact length of [`encode_v1`](Self::encode_v1)'s output.
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"[null,null,"t","e",{}]"#)?;
    /// assert_eq!(frame.encoded_len_v1(), Ok(49));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encoded_len_v1(&self) -> Result<usize, EncodeError> {
        exact_len(&V1(self))
    }

    fn write_v1<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
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
        .write_v1(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_envelope_keys_still_count_for_duplicates() {
        let err =
            decode_v1(br#"{"topic":"a","t\u006fpic":"b","event":"e","payload":{},"ref":null}"#)
                .unwrap_err();
        assert_eq!(err.kind, K::DuplicateField(EnvelopeField::Topic));
        assert_eq!(err.offset, 13);
    }

    #[test]
    fn reports_each_missing_field() {
        for (text, field) in [
            (
                r#"{"event":"e","payload":{},"ref":"1"}"#,
                EnvelopeField::Topic,
            ),
            (
                r#"{"topic":"t","payload":{},"ref":"1"}"#,
                EnvelopeField::Event,
            ),
            (
                r#"{"topic":"t","event":"e","ref":"1"}"#,
                EnvelopeField::Payload,
            ),
            (
                r#"{"topic":"t","event":"e","payload":{}}"#,
                EnvelopeField::Ref,
            ),
        ] {
            assert_eq!(
                decode_v1(text.as_bytes()).unwrap_err().kind,
                K::MissingField(field)
            );
        }
    }

    #[test]
    fn join_ref_null_or_absent_is_none() {
        let a = decode_v1(br#"{"topic":"t","event":"e","payload":[],"ref":null,"join_ref":null}"#)
            .unwrap();
        assert_eq!(a.join_ref(), None);
        assert_eq!(a.payload_json().unwrap().as_str(), "[]");
    }
}
