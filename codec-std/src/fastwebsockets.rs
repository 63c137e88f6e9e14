//! Conversions between frames and [`fastwebsockets::Frame`]s (feature `fastwebsockets`),
//! without copying: outgoing frames borrow the encoded [`Bytes`], incoming ones are decoded in
//! place (the decoded [`Frame`] borrows the WebSocket frame's payload).
//!
//! ```
//! use phx_codec::{Decoder, Direction, Vsn};
//! use phx_codec_std::fastwebsockets::{decode, ws_frame};
//! use phx_codec_std::transport::encode_message;
//!
//! // Out: encode once, send a frame that borrows the bytes.
//! let heartbeat = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
//! let (kind, bytes) = encode_message(&heartbeat, Vsn::V2, Direction::FromClient)?;
//! let out = ws_frame(kind, &bytes);
//! assert_eq!(out.opcode, fastwebsockets::OpCode::Text);
//!
//! // In: decode a received frame in place.
//! let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
//! let frame = decode(&out, &decoder)?.expect("a data frame");
//! assert_eq!(frame.event(), "heartbeat");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use bytes::Bytes;
use fastwebsockets::{OpCode, Payload};
use phx_codec::{DecodeError, Decoder, Direction, EncodeError, Frame, Vsn, WsMessage};

use crate::transport::{MessageKind, encode_message};

/// A final text or binary WebSocket frame borrowing `bytes`.
///
/// ```
/// use phx_codec_std::{fastwebsockets::ws_frame, transport::MessageKind};
/// let frame = ws_frame(MessageKind::Binary, b"\x02\x01\x01te");
/// assert_eq!(frame.opcode, fastwebsockets::OpCode::Binary);
/// assert!(frame.fin);
/// ```
pub fn ws_frame(kind: MessageKind, bytes: &[u8]) -> fastwebsockets::Frame<'_> {
    match kind {
        MessageKind::Text => fastwebsockets::Frame::text(Payload::Borrowed(bytes)),
        MessageKind::Binary => fastwebsockets::Frame::binary(Payload::Borrowed(bytes)),
    }
}

/// Encodes `frame` for a `vsn` connection: the bytes (keep them while the returned kind's
/// WebSocket frame, [`ws_frame`], is written) and their message kind.
///
/// ```
/// use phx_codec::{Direction, Vsn};
/// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
/// let (kind, bytes) = phx_codec_std::fastwebsockets::encode(&frame, Vsn::V1, Direction::FromClient)?;
/// assert_eq!(kind, phx_codec_std::transport::MessageKind::Text);
/// assert!(bytes.starts_with(b"{\"topic\":\"phoenix\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encode(
    frame: &Frame<'_>,
    vsn: Vsn,
    direction: Direction,
) -> Result<(MessageKind, Bytes), EncodeError> {
    encode_message(frame, vsn, direction)
}

/// Decodes a received (complete, unfragmented) WebSocket frame in place: `Ok(None)` for
/// control frames (close, ping, pong) and continuations, which carry no Phoenix frame.
/// Use fastwebsockets' `FragmentCollector` to get whole messages.
///
/// ```
/// use phx_codec::{Decoder, Direction, Vsn};
/// use phx_codec_std::fastwebsockets::{decode, ws_frame};
/// use phx_codec_std::transport::MessageKind;
/// let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
/// let received = ws_frame(MessageKind::Text, br#"["1","1","room:1","phx_join",{}]"#);
/// let frame = decode(&received, &decoder)?.ok_or("a frame")?;
/// assert_eq!(frame.topic(), "room:1");
/// let close = fastwebsockets::Frame::close(1000, b"bye");
/// assert!(decode(&close, &decoder)?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decode<'f>(
    frame: &'f fastwebsockets::Frame<'_>,
    decoder: &Decoder,
) -> Result<Option<Frame<'f>>, DecodeError> {
    let bytes: &'f [u8] = &frame.payload;
    match frame.opcode {
        OpCode::Text => decoder.decode(WsMessage::Text(bytes)).map(Some),
        OpCode::Binary => decoder.decode(WsMessage::Binary(bytes)).map(Some),
        OpCode::Continuation | OpCode::Close | OpCode::Ping | OpCode::Pong => Ok(None),
    }
}
