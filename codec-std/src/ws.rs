//! Conversions between frames and [`tungstenite::Message`] (feature `tungstenite`): one line
//! per direction for a `tungstenite` / `tokio-tungstenite` user.
//!
//! A JSON payload travels as a text message (a V2 array or, on a `vsn=1.0.0` connection, a V1
//! object), a binary payload as a binary message (V2 binary frame).
//!
//! ```
//! use phx_codec::{Decoder, Direction, Vsn};
//! use phx_codec_std::{OwnedFrame, SharedFrame};
//! use tungstenite::Message;
//!
//! let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
//! let incoming = Message::text(r#"["1","1","room:1","phx_join",{}]"#);
//! // In:
//! let join = SharedFrame::from_message(incoming, &decoder)?.expect("a data message");
//! assert_eq!(join.event(), "phx_join");
//! // Out:
//! let reply = OwnedFrame::reply_to(&join.frame(), "ok", &serde_json::json!({}))?;
//! let outgoing: Message = reply.to_message(Vsn::V2, Direction::FromServer)?;
//! assert_eq!(outgoing, Message::text(r#"["1","1","room:1","phx_reply",{"response":{},"status":"ok"}]"#));
//! # Ok::<(), phx_codec_std::Error>(())
//! ```

use bytes::Bytes;
use phx_codec::{DecodeError, Decoder, Direction, EncodeError, Frame, Vsn, WireFormat};
use tungstenite::{Message, Utf8Bytes};

use crate::{Error, FrameExt, OwnedFrame, SharedFrame};

/// Encodes `frame` as the message a `vsn` connection carries it in: JSON payloads as text (V2
/// array or V1 object), binary payloads as a binary message (V2 only: on V1 they fail with
/// [`EncodeError::PayloadNotJson`]).
///
/// ```
/// use phx_codec::{Direction, Vsn};
/// let frame = phx_codec::decode_text(br#"[null,"5","phoenix","heartbeat",{}]"#)?;
/// let msg = phx_codec_std::ws::to_message(&frame, Vsn::V1, Direction::FromClient)?;
/// assert_eq!(msg.to_text()?, r#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"5"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_message(
    frame: &Frame<'_>,
    vsn: Vsn,
    direction: Direction,
) -> Result<Message, EncodeError> {
    let format = match (frame.payload().is_binary(), vsn) {
        (true, Vsn::V2) => WireFormat::Binary,
        (true, Vsn::V1) => return Err(EncodeError::PayloadNotJson),
        (false, Vsn::V2) => WireFormat::V2,
        (false, Vsn::V1) => WireFormat::V1,
    };
    let bytes = frame.encode_to_bytes(format, direction)?;
    Ok(message_from(bytes, format))
}

/// Wraps encoded bytes in the right message type.
fn message_from(bytes: Bytes, format: WireFormat) -> Message {
    if format == WireFormat::Binary {
        return Message::Binary(bytes);
    }
    // Text frames are UTF-8 (checked at decode, or written by the encoder from `str`s);
    // `try_from` re-checks without copying, safely.
    match Utf8Bytes::try_from(bytes.clone()) {
        Ok(text) => Message::Text(text),
        Err(_) => Message::Binary(bytes),
    }
}

impl OwnedFrame {
    /// [`to_message`] for an owned frame.
    ///
    /// ```
    /// use phx_codec::{Direction, Vsn};
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// let owned = OwnedFrame::new("room:1", "shout", OwnedPayload::Json("{}".into()));
    /// let message = owned.to_message(Vsn::V1, Direction::FromServer)?;
    /// assert_eq!(message.to_text().unwrap(), r#"{"topic":"room:1","event":"shout","payload":{},"ref":null}"#);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn to_message(&self, vsn: Vsn, direction: Direction) -> Result<Message, Error> {
        Ok(to_message(&self.as_frame()?, vsn, direction)?)
    }
}

impl SharedFrame {
    /// Decodes a received message: `Ok(None)` for ping, pong, close and raw frames, which
    /// carry no Phoenix frame. The text or binary buffer is kept without copying.
    ///
    /// ```
    /// use phx_codec::{Decoder, Direction, Vsn};
    /// use tungstenite::Message;
    /// let decoder = Decoder::new(Vsn::V2, Direction::FromServer);
    /// assert!(phx_codec_std::SharedFrame::from_message(Message::Ping(Default::default()), &decoder)?.is_none());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn from_message(message: Message, decoder: &Decoder) -> Result<Option<Self>, DecodeError> {
        match message {
            Message::Text(text) => Self::from_text(Bytes::from(text), decoder).map(Some),
            Message::Binary(bytes) => Self::from_binary(bytes, decoder).map(Some),
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) | Message::Frame(_) => Ok(None),
        }
    }

    /// The message as received (text or binary), sharing the buffer: the broadcast path.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(b"\x02\x01\x01te\x07"), WireFormat::Binary, Direction::FromServer)?;
    /// assert!(shared.to_message().is_binary());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn to_message(&self) -> Message {
        message_from(self.bytes().clone(), self.format())
    }
}

impl From<SharedFrame> for Message {
    fn from(frame: SharedFrame) -> Self {
        frame.to_message()
    }
}

impl From<&SharedFrame> for Message {
    fn from(frame: &SharedFrame) -> Self {
        frame.to_message()
    }
}
