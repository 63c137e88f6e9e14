//! Conversions between frames and [`axum::extract::ws::Message`] (feature `axum`), without
//! copying: text goes through `Utf8Bytes` over the same [`Bytes`], binary as is.
//!
//! ```
//! use axum::extract::ws::Message;
//! use phx_codec::{Decoder, Direction, Vsn};
//! use phx_codec_std::{axum::{from_message, to_message}, OwnedFrame};
//!
//! let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
//! // In:
//! let join = from_message(Message::text(r#"["1","1","room:1","phx_join",{}]"#), &decoder)?
//!     .expect("a data message");
//! assert_eq!(join.event(), "phx_join");
//! // Out:
//! let reply = OwnedFrame::reply_to(&join.frame(), "ok", &serde_json::json!({}))?;
//! let msg = to_message(&reply.as_frame()?, Vsn::V2, Direction::FromServer)?;
//! assert_eq!(msg, Message::text(r#"["1","1","room:1","phx_reply",{"response":{},"status":"ok"}]"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A whole endpoint (echoing every frame back) is a few lines:
//!
//! ```no_run
//! use axum::{Router, routing::get, extract::ws::{WebSocket, WebSocketUpgrade}};
//! use phx_codec::{Decoder, Direction, Vsn};
//!
//! async fn socket(mut ws: WebSocket) {
//!     let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
//!     while let Some(Ok(msg)) = ws.recv().await {
//!         let Ok(Some(frame)) = phx_codec_std::axum::from_message(msg, &decoder) else { break };
//!         // ... handle `frame.frame()`; answer with `to_message` / `message_from` ...
//!         if ws.send(phx_codec_std::axum::shared_to_message(&frame)).await.is_err() { break }
//!     }
//! }
//! let app: Router = Router::new()
//!     .route("/socket/websocket", get(|up: WebSocketUpgrade| async { up.on_upgrade(socket) }));
//! ```

use axum::extract::ws::{Message, Utf8Bytes};
use bytes::Bytes;
use phx_codec::{DecodeError, Decoder, Direction, EncodeError, Frame, Vsn};

use crate::SharedFrame;
use crate::transport::{MessageKind, encode_message};

/// Wraps encoded bytes in the message type `kind` names, without copying. Text that is not
/// UTF-8 (never produced by the encoders) is sent as binary rather than lost.
///
/// ```
/// use phx_codec_std::transport::MessageKind;
/// let msg = phx_codec_std::axum::message_from(MessageKind::Text, bytes::Bytes::from_static(b"[]"));
/// assert_eq!(msg, axum::extract::ws::Message::text("[]"));
/// ```
pub fn message_from(kind: MessageKind, bytes: Bytes) -> Message {
    match kind {
        MessageKind::Binary => Message::Binary(bytes),
        MessageKind::Text => match Utf8Bytes::try_from(bytes.clone()) {
            Ok(text) => Message::Text(text),
            Err(_) => Message::Binary(bytes),
        },
    }
}

/// Encodes `frame` as the message a `vsn` connection carries it in (JSON as text, binary
/// payloads as binary; binary on V1 fails with [`EncodeError::PayloadNotJson`]).
///
/// ```
/// use axum::extract::ws::Message;
/// use phx_codec::{Direction, Vsn};
/// let frame = phx_codec::decode_text(br#"[null,"5","phoenix","heartbeat",{}]"#)?;
/// let message = phx_codec_std::axum::to_message(&frame, Vsn::V2, Direction::FromServer)?;
/// assert_eq!(message, Message::text(r#"[null,"5","phoenix","heartbeat",{}]"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_message(
    frame: &Frame<'_>,
    vsn: Vsn,
    direction: Direction,
) -> Result<Message, EncodeError> {
    let (kind, bytes) = encode_message(frame, vsn, direction)?;
    Ok(message_from(kind, bytes))
}

/// Decodes a received message, keeping its buffer: `Ok(None)` for ping, pong and close.
///
/// ```
/// use axum::extract::ws::Message;
/// use phx_codec::{Decoder, Direction, Vsn};
/// use phx_codec_std::axum::from_message;
/// let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
/// let text = Message::text(r#"["1","1","room:1","phx_join",{}]"#);
/// let frame = from_message(text, &decoder)?.ok_or("a frame")?;
/// assert_eq!(frame.topic(), "room:1");
/// assert!(from_message(Message::Ping(Default::default()), &decoder)?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn from_message(
    message: Message,
    decoder: &Decoder,
) -> Result<Option<SharedFrame>, DecodeError> {
    match message {
        Message::Text(text) => SharedFrame::from_text(Bytes::from(text), decoder).map(Some),
        Message::Binary(bytes) => SharedFrame::from_binary(bytes, decoder).map(Some),
        Message::Ping(_) | Message::Pong(_) | Message::Close(_) => Ok(None),
    }
}

/// A decoded frame sent on as it was received (same bytes, same message type): the
/// broadcast path.
///
/// ```
/// use axum::extract::ws::Message;
/// use phx_codec::{Decoder, Direction, Vsn};
/// use phx_codec_std::axum::{from_message, shared_to_message};
/// let decoder = Decoder::new(Vsn::V2, Direction::FromServer);
/// let received = Message::text(r#"[null,null,"room:1","shout",{"body":"hi"}]"#);
/// let frame = from_message(received.clone(), &decoder)?.ok_or("a frame")?;
/// assert_eq!(shared_to_message(&frame), received); // fan out the same bytes
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn shared_to_message(frame: &SharedFrame) -> Message {
    message_from(MessageKind::of(frame.format()), frame.bytes().clone())
}
