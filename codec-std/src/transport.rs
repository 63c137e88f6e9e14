//! Transport-neutral WebSocket messages: an encoded frame as `(text or binary, Bytes)`, so any
//! WebSocket crate is two lines (see the `axum`, `fastwebsockets` and `ws` modules for three).
//!
//! ```
//! use phx_codec::{Direction, Vsn};
//! use phx_codec_std::transport::{encode_message, MessageKind};
//! let frame = phx_codec::decode_text(br#"[null,"5","phoenix","heartbeat",{}]"#)?;
//! let (kind, bytes) = encode_message(&frame, Vsn::V2, Direction::FromClient)?;
//! assert_eq!(kind, MessageKind::Text);
//! assert_eq!(&bytes[..], br#"[null,"5","phoenix","heartbeat",{}]"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use bytes::Bytes;
use phx_codec::{Direction, EncodeError, Frame, Vsn, WireFormat};

use crate::FrameExt;

/// Which WebSocket message type carries a frame.
///
/// ```
/// use phx_codec::{Direction, Vsn};
/// use phx_codec_std::OwnedFrame;
/// use phx_codec_std::transport::{MessageKind, encode_message};
/// let upload = OwnedFrame::new("room:1", "upload", phx_codec_std::OwnedPayload::Binary(vec![1, 2, 3]));
/// let (kind, _bytes) = encode_message(&upload.as_frame()?, Vsn::V2, Direction::FromClient)?;
/// assert_eq!(kind, MessageKind::Binary);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// A text message: a V2 JSON array or a V1 JSON object (always UTF-8).
    Text,
    /// A binary message: a V2 binary frame.
    Binary,
}

impl MessageKind {
    /// The message type for a wire format.
    ///
    /// ```
    /// use phx_codec::WireFormat;
    /// use phx_codec_std::transport::MessageKind;
    /// assert_eq!(MessageKind::of(WireFormat::Binary), MessageKind::Binary);
    /// ```
    pub const fn of(format: WireFormat) -> Self {
        match format {
            WireFormat::Binary => Self::Binary,
            WireFormat::V1 | WireFormat::V2 => Self::Text,
        }
    }
}

/// The wire format a `vsn` connection carries `frame` in: JSON payloads as text (V2 array or V1
/// object), binary payloads as V2 binary frames (on V1: [`EncodeError::PayloadNotJson`]).
///
/// ```
/// use phx_codec::{EncodeError, Vsn, WireFormat};
/// use phx_codec_std::transport::format_for;
/// use phx_codec_std::{OwnedFrame, OwnedPayload};
/// let text = phx_codec::decode_text(br#"[null,"5","phoenix","heartbeat",{}]"#)?;
/// assert_eq!(format_for(&text, Vsn::V1)?, WireFormat::V1);
/// assert_eq!(format_for(&text, Vsn::V2)?, WireFormat::V2);
/// let binary = OwnedFrame::new("room:1", "upload", OwnedPayload::Binary(vec![0xff]));
/// assert_eq!(format_for(&binary.as_frame()?, Vsn::V2)?, WireFormat::Binary);
/// assert_eq!(format_for(&binary.as_frame()?, Vsn::V1), Err(EncodeError::PayloadNotJson));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn format_for(frame: &Frame<'_>, vsn: Vsn) -> Result<WireFormat, EncodeError> {
    match (frame.payload().is_binary(), vsn) {
        (true, Vsn::V2) => Ok(WireFormat::Binary),
        (true, Vsn::V1) => Err(EncodeError::PayloadNotJson),
        (false, Vsn::V2) => Ok(WireFormat::V2),
        (false, Vsn::V1) => Ok(WireFormat::V1),
    }
}

/// Encodes `frame` for a `vsn` connection: the message type and its bytes (text messages are
/// valid UTF-8, so `Utf8Bytes`-style wrappers accept them without copying).
///
/// ```
/// use phx_codec::{Direction, Vsn};
/// use phx_codec_std::transport::{MessageKind, encode_message};
/// let frame = phx_codec::decode_text(br#"["1","1","room:1","phx_join",{}]"#)?;
/// let (kind, bytes) = encode_message(&frame, Vsn::V1, Direction::FromClient)?;
/// assert_eq!(kind, MessageKind::Text);
/// assert!(std::str::from_utf8(&bytes)?.starts_with('{')); // a V1 object
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn encode_message(
    frame: &Frame<'_>,
    vsn: Vsn,
    direction: Direction,
) -> Result<(MessageKind, Bytes), EncodeError> {
    let format = format_for(frame, vsn)?;
    Ok((
        MessageKind::of(format),
        frame.encode_to_bytes(format, direction)?,
    ))
}
