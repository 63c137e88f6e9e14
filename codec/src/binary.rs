//! V2 binary frames (Phoenix ≥ 1.6): push, reply and broadcast, in both directions.
//!
//! | kind | sent by | header after the kind byte |
//! |---|---|---|
//! | 0 push | client | sizes of join_ref, ref, topic, event; then those bytes |
//! | 0 push | server | sizes of join_ref, topic, event (no ref); then those bytes |
//! | 1 reply | server | sizes of join_ref, ref, topic, status; then those bytes |
//! | 2 broadcast | server | sizes of topic, event; then those bytes |
//!
//! The payload is the rest of the message. Each size is one byte, so each header field is at
//! most 255 bytes of UTF-8. Because kind 0 has two layouts, every function here takes the
//! [`Direction`]: nothing is guessed.
//!
//! ```
//! use phx_codec::{binary, Direction, Payload};
//! let bytes = b"\x02\x07\x05room:42chunk\x00\xff";
//! let frame = binary::decode_binary(bytes, Direction::FromServer)?;
//! assert_eq!(frame.topic(), "room:42");
//! assert_eq!(frame.payload(), Payload::Binary(&[0x00, 0xff]));
//! let mut buf = [0u8; 32];
//! let n = frame.encode_binary_into(Direction::FromServer, &mut buf).unwrap();
//! assert_eq!(&buf[..n], bytes);
//! # Ok::<(), phx_codec::DecodeError>(())
//! ```

use crate::encode::{Encoding, Sink, SliceSink, encode_exact, exact_len, write_unescaped};
use crate::error::{DecodeError, DecodeErrorKind as K, EncodeError, EnvelopeField};
use crate::frame::{Frame, Payload};
use crate::limits::DecodeLimits;
use crate::string::JsonStr;
use crate::wire::Direction;

/// The kind byte of a binary frame.
///
/// ```
/// use phx_codec::{binary::BinaryKind, Direction, Frame, Payload};
/// let broadcast = Frame::new(None, None, "room:1".into(), "chunk".into(), Payload::Binary(b"\x00"));
/// assert_eq!(broadcast.binary_kind(Direction::FromServer), Ok(BinaryKind::Broadcast));
/// assert_eq!(BinaryKind::Broadcast.byte(), 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryKind {
    /// 0: a push (client → server with a ref; server → client without).
    Push,
    /// 1: a reply (server → client).
    Reply,
    /// 2: a broadcast (server → client).
    Broadcast,
}

impl BinaryKind {
    /// The kind byte.
    ///
    /// ```
    /// use phx_codec::binary::BinaryKind;
    /// assert_eq!([BinaryKind::Push.byte(), BinaryKind::Reply.byte()], [0, 1]);
    /// ```
    pub const fn byte(self) -> u8 {
        match self {
            Self::Push => 0,
            Self::Reply => 1,
            Self::Broadcast => 2,
        }
    }

    /// `"push"`, `"reply"` or `"broadcast"`.
    ///
    /// ```
    /// assert_eq!(phx_codec::binary::BinaryKind::Reply.name(), "reply");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::Push => "push",
            Self::Reply => "reply",
            Self::Broadcast => "broadcast",
        }
    }
}

/// The event a binary reply stands for.
pub const REPLY_EVENT: &str = "phx_reply";

/// Decodes a binary frame sent by a client.
///
/// ```
/// let frame = phx_codec::binary::decode_from_client(b"\x00\x01\x01\x01\x01ab!e\xff")?;
/// assert_eq!((frame.join_ref().unwrap(), frame.reference().unwrap()), ("a".into(), "b".into()));
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
pub fn decode_from_client(input: &[u8]) -> Result<Frame<'_>, DecodeError> {
    decode_binary(input, Direction::FromClient)
}

/// Decodes a binary frame sent by the server.
///
/// ```
/// // A server push has no ref.
/// let frame = phx_codec::binary::decode_from_server(b"\x00\x01\x01\x01a!e\xff")?;
/// assert!(frame.reference().is_none());
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
pub fn decode_from_server(input: &[u8]) -> Result<Frame<'_>, DecodeError> {
    decode_binary(input, Direction::FromServer)
}

/// Decodes a binary frame sent in `direction`, with the default limits.
///
/// ```
/// use phx_codec::{binary, Direction, Payload};
/// let reply = binary::decode_binary(b"\x01\x01\x01\x01\x02ab!ok\x07", Direction::FromServer)?;
/// assert_eq!(reply.event(), "phx_reply");
/// assert_eq!(reply.payload(), Payload::BinaryReply { status: "ok".into(), response: &[7] });
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
pub fn decode_binary(input: &[u8], direction: Direction) -> Result<Frame<'_>, DecodeError> {
    decode_binary_with(input, direction, &DecodeLimits::new())
}

/// The header layout: which fields, in order, have a size byte.
fn layout(kind: u8, direction: Direction) -> Result<(BinaryKind, &'static [EnvelopeField]), K> {
    use EnvelopeField::{Event, JoinRef, Ref, Status, Topic};
    match (kind, direction) {
        (0, Direction::FromClient) => Ok((BinaryKind::Push, &[JoinRef, Ref, Topic, Event])),
        (0, Direction::FromServer) => Ok((BinaryKind::Push, &[JoinRef, Topic, Event])),
        (1, Direction::FromServer) => Ok((BinaryKind::Reply, &[JoinRef, Ref, Topic, Status])),
        (2, Direction::FromServer) => Ok((BinaryKind::Broadcast, &[Topic, Event])),
        (1 | 2, Direction::FromClient) => Err(K::KindNotAllowed { kind, direction }),
        _ => Err(K::UnknownKind(kind)),
    }
}

/// Decodes a binary frame sent in `direction` under `limits` (only the frame length applies).
///
/// ```
/// use phx_codec::{binary, DecodeErrorKind, DecodeLimits, Direction};
/// let limits = DecodeLimits::new().with_max_frame_len(4);
/// let err = binary::decode_binary_with(b"\x02\x01\x01te\xff", Direction::FromServer, &limits).unwrap_err();
/// assert_eq!(err.kind, DecodeErrorKind::FrameTooLarge);
/// ```
pub fn decode_binary_with<'a>(
    input: &'a [u8],
    direction: Direction,
    limits: &DecodeLimits,
) -> Result<Frame<'a>, DecodeError> {
    if input.len() > limits.max_frame_len() {
        return Err(DecodeError::new(K::FrameTooLarge, limits.max_frame_len()));
    }
    let &kind = input.first().ok_or(DecodeError::new(K::Truncated, 0))?;
    let (kind, fields) = layout(kind, direction).map_err(|k| DecodeError::new(k, 0))?;
    let sizes = input
        .get(1..=fields.len())
        .ok_or(DecodeError::new(K::Truncated, input.len()))?;
    let mut at = 1 + fields.len();
    let mut values: [Option<JsonStr<'a>>; 4] = [None; 4];
    for (&size, slot) in sizes.iter().zip(values.iter_mut()) {
        let end = at + usize::from(size);
        let bytes = input
            .get(at..end)
            .ok_or(DecodeError::new(K::Truncated, input.len()))?;
        let text = crate::simd::str_from_utf8(bytes)
            .map_err(|valid_up_to| DecodeError::new(K::InvalidUtf8, at + valid_up_to))?;
        *slot = Some(JsonStr::literal(text));
        at = end;
    }
    let rest = input.get(at..).unwrap_or(&[]);
    let [a, b, c, d] = values;
    let empty = JsonStr::literal("");
    let frame = match (kind, direction) {
        (BinaryKind::Push, Direction::FromClient) => Frame::new(
            a,
            b,
            c.unwrap_or(empty),
            d.unwrap_or(empty),
            Payload::Binary(rest),
        ),
        (BinaryKind::Push, Direction::FromServer) => Frame::new(
            a,
            None,
            b.unwrap_or(empty),
            c.unwrap_or(empty),
            Payload::Binary(rest),
        ),
        (BinaryKind::Reply, _) => Frame::new(
            a,
            b,
            c.unwrap_or(empty),
            JsonStr::literal(REPLY_EVENT),
            Payload::BinaryReply {
                status: d.unwrap_or(empty),
                response: rest,
            },
        ),
        (BinaryKind::Broadcast, _) => Frame::new(
            None,
            None,
            a.unwrap_or(empty),
            b.unwrap_or(empty),
            Payload::Binary(rest),
        ),
    };
    Ok(frame)
}

/// A frame as a binary frame sent in a direction.
struct Binary<'f, 'a>(&'f Frame<'a>, Direction);

impl Encoding for Binary<'_, '_> {
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        self.0.write_binary(self.1, out)
    }
}

impl Frame<'_> {
    /// The binary kind this frame encodes as when sent in `direction`: a client sends pushes;
    /// a server sends replies (binary reply payload, event `phx_reply`), broadcasts (no
    /// join_ref and no ref) or pushes (a join_ref and no ref). Anything a layout cannot carry
    /// is refused with [`EncodeError::NotRepresentable`] rather than dropped.
    ///
    /// ```
    /// use phx_codec::{binary::BinaryKind, Direction, EncodeError, EnvelopeField, Frame, Payload};
    /// let push = Frame::new(Some("1".into()), Some("2".into()), "room:1".into(), "up".into(), Payload::Binary(b"\x00"));
    /// assert_eq!(push.binary_kind(Direction::FromClient), Ok(BinaryKind::Push));
    /// // A server push carries no ref: the layout cannot hold this one.
    /// assert_eq!(push.binary_kind(Direction::FromServer),
    ///     Err(EncodeError::NotRepresentable(EnvelopeField::Ref)));
    /// ```
    pub fn binary_kind(&self, direction: Direction) -> Result<BinaryKind, EncodeError> {
        match (direction, self.payload()) {
            (_, Payload::Json(_)) => Err(EncodeError::PayloadNotBinary),
            (Direction::FromClient, Payload::Binary(_)) => Ok(BinaryKind::Push),
            (Direction::FromClient, Payload::BinaryReply { .. }) => {
                Err(EncodeError::NotRepresentable(EnvelopeField::Status))
            }
            // The reply layout has no event: it means `phx_reply`, so any other would be lost.
            (Direction::FromServer, Payload::BinaryReply { .. }) => {
                if self.event().eq_str(REPLY_EVENT) {
                    Ok(BinaryKind::Reply)
                } else {
                    Err(EncodeError::NotRepresentable(EnvelopeField::Event))
                }
            }
            (Direction::FromServer, Payload::Binary(_)) => {
                match (self.join_ref(), self.reference()) {
                    (None, None) => Ok(BinaryKind::Broadcast),
                    (Some(_), None) => Ok(BinaryKind::Push),
                    (_, Some(_)) => Err(EncodeError::NotRepresentable(EnvelopeField::Ref)),
                }
            }
        }
    }

    /// Writes the frame as a binary frame sent in `direction`; returns the bytes written.
    /// A missing `join_ref`/`ref` in a client push is written as an empty string, as the JS
    /// client does. Fails without writing when a header field is over 255 bytes, the payload
    /// is JSON, or `out` is too small.
    ///
    /// ```
    /// use phx_codec::{binary, Direction, Frame, Payload};
    /// let frame = Frame::new(None, None, "room:1".into(), "chunk".into(), Payload::Binary(&[1, 2]));
    /// let mut buf = [0u8; 32];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// frame.encode_binary(Direction::FromServer, &mut out).unwrap();
    /// assert_eq!(out.written(), b"\x02\x06\x05room:1chunk\x01\x02");
    /// assert_eq!(binary::decode_from_server(out.written())?, frame);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encode_binary<S: Sink + ?Sized>(
        &self,
        direction: Direction,
        out: &mut S,
    ) -> Result<usize, EncodeError> {
        encode_exact(&Binary(self, direction), out)
    }

    /// [`encode_binary`](Self::encode_binary) into a byte slice.
    ///
    /// ```
    /// use phx_codec::{decode_text, Direction, EncodeError};
    /// // A JSON payload has no binary form.
    /// let json = decode_text(br#"[null,null,"t","e",{}]"#)?;
    /// assert_eq!(json.encode_binary_into(Direction::FromServer, &mut [0u8; 32]), Err(EncodeError::PayloadNotBinary));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encode_binary_into(
        &self,
        direction: Direction,
        buf: &mut [u8],
    ) -> Result<usize, EncodeError> {
        self.encode_binary(direction, &mut SliceSink::new(buf))
    }

    /// The exact length of [`encode_binary`](Self::encode_binary)'s output.
    ///
    /// ```
    /// use phx_codec::{Direction, Frame, Payload};
    /// let frame = Frame::new(None, None, "t".into(), "e".into(), Payload::Binary(b"xyz"));
    /// assert_eq!(frame.encoded_len_binary(Direction::FromServer), Ok(1 + 2 + 2 + 3));
    /// ```
    pub fn encoded_len_binary(&self, direction: Direction) -> Result<usize, EncodeError> {
        exact_len(&Binary(self, direction))
    }

    fn write_binary<S: Sink + ?Sized>(
        &self,
        direction: Direction,
        out: &mut S,
    ) -> Result<(), EncodeError> {
        use EnvelopeField as F;
        let kind = self.binary_kind(direction)?;
        let empty = JsonStr::literal("");
        let join_ref = self.join_ref().unwrap_or(empty);
        let reference = self.reference().unwrap_or(empty);
        let (header, body): ([(F, JsonStr<'_>); 4], &[u8]) = match (kind, self.payload()) {
            (BinaryKind::Reply, Payload::BinaryReply { status, response }) => (
                [
                    (F::JoinRef, join_ref),
                    (F::Ref, reference),
                    (F::Topic, self.topic()),
                    (F::Status, status),
                ],
                response,
            ),
            (_, Payload::Binary(bytes)) => (
                [
                    (F::JoinRef, join_ref),
                    (F::Ref, reference),
                    (F::Topic, self.topic()),
                    (F::Event, self.event()),
                ],
                bytes,
            ),
            _ => return Err(EncodeError::PayloadNotBinary),
        };
        let fields: &[(F, JsonStr<'_>)] = match (kind, direction) {
            (BinaryKind::Push, Direction::FromServer) => &[header[0], header[2], header[3]],
            (BinaryKind::Broadcast, _) => &[header[2], header[3]],
            _ => &header,
        };
        out.put(&[kind.byte()])?;
        for &(field, value) in fields {
            let len = value.unescaped_len();
            let size = u8::try_from(len).map_err(|_| EncodeError::FieldTooLong { field, len })?;
            out.put(&[size])?;
        }
        for &(_, value) in fields {
            write_unescaped(out, value)?;
        }
        out.put(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_truncation_of_a_valid_frame_is_an_error() {
        let frame = b"\x00\x01\x02\x01\x01112te\xaa";
        assert!(decode_from_client(frame).is_ok());
        for cut in 0..frame.len() - 1 {
            let err = decode_from_client(&frame[..cut]).unwrap_err();
            assert_eq!(err.kind, K::Truncated, "cut at {cut}");
        }
    }

    #[test]
    fn direction_decides_the_kind_0_layout() {
        let bytes = b"\x00\x01\x01\x01abc";
        let server = decode_from_server(bytes).unwrap();
        assert_eq!(
            (server.join_ref().unwrap(), server.topic(), server.event()),
            (
                JsonStr::literal("a"),
                JsonStr::literal("b"),
                JsonStr::literal("c")
            )
        );
        assert_eq!(server.reference(), None);
        assert_eq!(decode_from_client(bytes).unwrap_err().kind, K::Truncated);
    }

    #[test]
    fn a_binary_reply_must_be_a_phx_reply() {
        let reply = |event| {
            Frame::new(
                None,
                None,
                JsonStr::literal("t"),
                JsonStr::literal(event),
                Payload::BinaryReply {
                    status: JsonStr::literal("ok"),
                    response: b"",
                },
            )
        };
        assert_eq!(
            reply("phx_reply").binary_kind(Direction::FromServer),
            Ok(BinaryKind::Reply)
        );
        assert_eq!(
            reply("shout").encoded_len_binary(Direction::FromServer),
            Err(EncodeError::NotRepresentable(EnvelopeField::Event))
        );
    }

    #[test]
    fn refuses_fields_over_255_bytes() {
        let long = [b'x'; 256];
        let topic = core::str::from_utf8(&long).unwrap();
        let frame = Frame::new(
            None,
            None,
            JsonStr::literal(topic),
            JsonStr::literal("e"),
            Payload::Binary(&[]),
        );
        assert_eq!(
            frame.encoded_len_binary(Direction::FromServer),
            Err(EncodeError::FieldTooLong {
                field: EnvelopeField::Topic,
                len: 256
            })
        );
    }
}
