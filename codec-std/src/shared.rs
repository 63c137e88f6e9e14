//! [`SharedFrame`]: a decoded frame that keeps the received [`Bytes`] and the spans of its
//! fields: `'static + Send + Sync`, cloned in O(1), viewed as a [`Frame`] without copying.
//! Decode once, fan out to every subscriber.
//!
//! ```
//! use bytes::Bytes;
//! use phx_codec::{Direction, WireFormat};
//! use phx_codec_std::SharedFrame;
//!
//! let received = Bytes::from_static(br#"[null,null,"room:1","shout",{"body":"hi"}]"#);
//! let shared = SharedFrame::decode(received, WireFormat::V2, Direction::FromServer)?;
//! let for_subscriber = shared.clone(); // a reference count, no copy
//! std::thread::spawn(move || {
//!     assert_eq!(for_subscriber.topic(), "room:1");
//!     assert_eq!(for_subscriber.frame().payload_get("body").unwrap().as_json_str().unwrap(), "hi");
//! }).join().unwrap();
//! assert_eq!(shared.payload_bytes(), &br#"{"body":"hi"}"#[..]);
//! # Ok::<(), phx_codec::DecodeError>(())
//! ```

use std::fmt;
use std::io;
use std::ops::Range;

use bytes::{Bytes, BytesMut};
use phx_codec::{
    DecodeError, DecodeLimits, Decoder, Direction, Frame, FrameSpans, JsonStr, Payload, Vsn,
    WireFormat, WsMessage,
};
use serde::Deserialize;

use crate::{Error, FrameExt, OwnedFrame};

/// A frame decoded from a [`Bytes`] buffer that it keeps alive.
///
/// Header fields ([`topic`](Self::topic), [`event`](Self::event), refs) and the payload bytes
/// are read from recorded spans in O(1). [`frame`](Self::frame) gives the full borrowed
/// [`Frame`] view (typed messages, `payload_get`, encoding) without copying: it rebuilds the
/// decoded frame from the core's [`FrameSpans`] (re-slicing and a UTF-8 check of the text,
/// no JSON parsing, no allocation). No `unsafe` here.
///
/// ```
/// use bytes::Bytes;
/// use phx_codec::{Decoder, Direction, Vsn};
/// use phx_codec_std::SharedFrame;
/// let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
/// let push = SharedFrame::from_binary(Bytes::from_static(b"\x00\x01\x01\x01\x01ab!e\xff"), &decoder)?;
/// assert_eq!(format!("{push:?}"),
///     r#"SharedFrame { format: "binary", join_ref: Some("a"), ref: Some("b"), topic: "!", event: "e", payload: Binary(b"\xff") }"#);
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone)]
pub struct SharedFrame {
    bytes: Bytes,
    format: WireFormat,
    direction: Direction,
    limits: DecodeLimits,
    join_ref: Option<Text>,
    reference: Option<Text>,
    topic: Text,
    event: Text,
    payload: Body,
    /// The decoded frame's layout, to rebuild it without decoding again.
    spans: Option<FrameSpans>,
}

/// Where a string field lives.
#[derive(Clone)]
enum Text {
    /// Inside the buffer; `escaped` as the decoder's [`JsonStr`] said.
    At { span: Range<usize>, escaped: bool },
    /// Text the decoder supplied from elsewhere (a binary reply's implied `phx_reply`).
    Other(Bytes),
}

#[derive(Clone)]
enum Body {
    Json(Range<usize>),
    Binary(Range<usize>),
    BinaryReply {
        status: Text,
        response: Range<usize>,
    },
}

/// The span of `part` inside `whole`, if it lies there.
fn span_of(whole: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let start = part.as_ptr().addr().checked_sub(whole.as_ptr().addr())?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}

impl Text {
    fn locate(whole: &[u8], s: JsonStr<'_>) -> Self {
        match span_of(whole, s.raw().as_bytes()) {
            Some(span) => Self::At {
                span,
                escaped: s.has_escapes(),
            },
            None => Self::Other(Bytes::copy_from_slice(s.raw().as_bytes())),
        }
    }

    fn view<'s>(&'s self, whole: &'s [u8]) -> JsonStr<'s> {
        let (bytes, escaped) = match self {
            Self::At { span, escaped } => (whole.get(span.clone()).unwrap_or_default(), *escaped),
            Self::Other(bytes) => (&bytes[..], false),
        };
        // Validated at decode time; these fallbacks are unreachable and exist so that no
        // accessor can panic.
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        if escaped {
            JsonStr::from_json_body(text).unwrap_or(JsonStr::literal(text))
        } else {
            JsonStr::literal(text)
        }
    }
}

fn locate_body(whole: &[u8], payload: Payload<'_>) -> Body {
    let span = |part: &[u8]| span_of(whole, part).unwrap_or(0..0);
    match payload {
        Payload::Json(raw) => Body::Json(span(raw.as_bytes())),
        Payload::Binary(bytes) => Body::Binary(span(bytes)),
        Payload::BinaryReply { status, response } => Body::BinaryReply {
            status: Text::locate(whole, status),
            response: span(response),
        },
    }
}

impl SharedFrame {
    /// Decodes `bytes` as a frame in `format` sent in `direction` (which matters for binary
    /// frames only), with the default limits.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.topic(), "room:1");
    /// let copy = shared.clone(); // O(1): the bytes are shared
    /// assert_eq!(copy, shared);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn decode(
        bytes: Bytes,
        format: WireFormat,
        direction: Direction,
    ) -> Result<Self, DecodeError> {
        Self::decode_with(bytes, format, direction, &DecodeLimits::new())
    }

    /// [`decode`](Self::decode) under `limits`.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{DecodeErrorKind, DecodeLimits, Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let limits = DecodeLimits::new().with_max_frame_len(8);
    /// let err = SharedFrame::decode_with(Bytes::from_static(br#"[null,null,"t","e",{}]"#), WireFormat::V2, Direction::FromServer, &limits)
    ///     .unwrap_err();
    /// assert_eq!(err.kind, DecodeErrorKind::FrameTooLarge);
    /// ```
    pub fn decode_with(
        bytes: Bytes,
        format: WireFormat,
        direction: Direction,
        limits: &DecodeLimits,
    ) -> Result<Self, DecodeError> {
        let frame = decode_in(&bytes, format, direction, limits)?;
        let whole = &bytes[..];
        let shared = Self {
            format,
            direction,
            limits: *limits,
            join_ref: frame.join_ref().map(|s| Text::locate(whole, s)),
            reference: frame.reference().map(|s| Text::locate(whole, s)),
            topic: Text::locate(whole, frame.topic()),
            event: Text::locate(whole, frame.event()),
            payload: locate_body(whole, frame.payload()),
            spans: frame.spans(whole),
            bytes: Bytes::new(),
        };
        Ok(Self { bytes, ..shared })
    }

    /// Decodes a WebSocket text message on a connection set up as `decoder` says (V2 array or
    /// V1 object by its `vsn`).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Decoder, Direction, Vsn, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let decoder = Decoder::new(Vsn::V1, Direction::FromClient);
    /// let shared = SharedFrame::from_text(Bytes::from_static(br#"{"topic":"t","event":"e","payload":{},"ref":"1"}"#), &decoder)?;
    /// assert_eq!(shared.format(), WireFormat::V1);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn from_text(bytes: Bytes, decoder: &Decoder) -> Result<Self, DecodeError> {
        let format = decoder.vsn().text_format();
        Self::decode_with(bytes, format, decoder.direction(), decoder.limits())
    }

    /// Decodes a WebSocket binary message (V2 binary frame; refused on a V1 connection).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Decoder, Direction, Vsn};
    /// use phx_codec_std::SharedFrame;
    /// let decoder = Decoder::new(Vsn::V2, Direction::FromServer);
    /// let shared = SharedFrame::from_binary(Bytes::from_static(b"\x02\x01\x01te\x07"), &decoder)?;
    /// assert_eq!(shared.payload_bytes(), Bytes::from_static(&[7]));
    /// assert!(SharedFrame::from_binary(Bytes::from_static(b"\x02\x01\x01te"), &Decoder::new(Vsn::V1, Direction::FromServer)).is_err());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn from_binary(bytes: Bytes, decoder: &Decoder) -> Result<Self, DecodeError> {
        if decoder.vsn() == Vsn::V1 {
            return Err(DecodeError::new(
                phx_codec::DecodeErrorKind::BinaryNotSupportedInV1,
                0,
            ));
        }
        Self::decode_with(
            bytes,
            WireFormat::Binary,
            decoder.direction(),
            decoder.limits(),
        )
    }

    /// Encodes `frame` in `format` and keeps the result as a shared frame (for broadcasting
    /// one encoding to many sockets).
    ///
    /// ```
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::{OwnedFrame, OwnedPayload, SharedFrame};
    /// let owned = OwnedFrame::new("room:1", "shout", OwnedPayload::Json(r#"{"body":"hi"}"#.into()));
    /// let shared = SharedFrame::encode(&owned.as_frame()?, WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.bytes(), &br#"[null,null,"room:1","shout",{"body":"hi"}]"#[..]);
    /// assert_eq!(shared.to_owned_frame(), owned);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn encode(
        frame: &Frame<'_>,
        format: WireFormat,
        direction: Direction,
    ) -> Result<Self, Error> {
        let mut buf = BytesMut::new();
        frame.encode_into_bytes_mut(format, direction, &mut buf)?;
        // What the core encodes, the core decodes; the limits are the widest it supports.
        Ok(Self::decode_with(
            buf.freeze(),
            format,
            direction,
            &crate::owned::held_json_limits(),
        )?)
    }

    /// The whole message as received: forward it to other sockets without re-encoding.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// // Forward as received, no re-encoding:
    /// assert_eq!(shared.bytes(), &br#"["1","2","room:1","shout",{"body":"hi"}]"#[..]);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The wire form it was decoded from.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.format(), WireFormat::V2);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub const fn format(&self) -> WireFormat {
        self.format
    }

    /// Who sent it.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.direction(), Direction::FromServer);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub const fn direction(&self) -> Direction {
        self.direction
    }

    /// Whether it travels as a WebSocket text message (V1 or V2 JSON) rather than binary.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert!(shared.is_text());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn is_text(&self) -> bool {
        self.format != WireFormat::Binary
    }

    /// The `join_ref` (O(1)).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.join_ref().unwrap(), "1");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn join_ref(&self) -> Option<JsonStr<'_>> {
        self.join_ref.as_ref().map(|t| t.view(&self.bytes))
    }

    /// The `ref` (O(1)).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.reference().unwrap(), "2");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    #[doc(alias = "ref")]
    pub fn reference(&self) -> Option<JsonStr<'_>> {
        self.reference.as_ref().map(|t| t.view(&self.bytes))
    }

    /// The topic (O(1)).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.topic(), "room:1");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn topic(&self) -> JsonStr<'_> {
        self.topic.view(&self.bytes)
    }

    /// The event (O(1)).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.event(), "shout");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn event(&self) -> JsonStr<'_> {
        self.event.view(&self.bytes)
    }

    /// The payload's bytes as a shared slice (O(1)): the JSON text, the binary payload, or a
    /// binary reply's response.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.payload_bytes(), Bytes::from_static(br#"{"body":"hi"}"#));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn payload_bytes(&self) -> Bytes {
        let span = match &self.payload {
            Body::Json(span) | Body::Binary(span) | Body::BinaryReply { response: span, .. } => {
                span.clone()
            }
        };
        if span.end <= self.bytes.len() {
            self.bytes.slice(span)
        } else {
            Bytes::new()
        }
    }

    /// Whether the payload is binary.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(b"\x02\x01\x01te\x07"), WireFormat::Binary, Direction::FromServer)?;
    /// assert!(shared.is_binary_payload());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn is_binary_payload(&self) -> bool {
        !matches!(self.payload, Body::Json(_))
    }

    /// The borrowed [`Frame`] view, without copying, rebuilt from the recorded spans (a UTF-8
    /// check of the text, no JSON parsing).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// let frame = shared.frame();
    /// assert_eq!(frame.payload_get("body").unwrap().as_json_str().unwrap(), "hi");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn frame(&self) -> Frame<'_> {
        if let Some(frame) = self.spans.and_then(|spans| spans.frame(&self.bytes)) {
            return frame;
        }
        match decode_in(&self.bytes, self.format, self.direction, &self.limits) {
            Ok(frame) => frame,
            // Unreachable (the same bytes decoded before, under the same limits); answer from
            // the spans rather than panic.
            Err(_) => Frame::new(
                self.join_ref(),
                self.reference(),
                self.topic(),
                self.event(),
                Payload::Binary(self.payload_slice()),
            ),
        }
    }

    fn payload_slice(&self) -> &[u8] {
        match &self.payload {
            Body::Json(span) | Body::Binary(span) | Body::BinaryReply { response: span, .. } => {
                self.bytes.get(span.clone()).unwrap_or_default()
            }
        }
    }

    /// An owned copy.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// let owned = shared.to_owned_frame();
    /// assert_eq!(owned.as_frame()?, shared.frame());
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn to_owned_frame(&self) -> OwnedFrame {
        OwnedFrame::from(self.frame())
    }

    /// Deserializes the JSON payload into `T`, which may borrow from this frame (straight from
    /// the payload span: no re-validation of the envelope).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// let shared = phx_codec_std::SharedFrame::decode(
    ///     Bytes::from_static(br#"[null,null,"t","shout",{"body":"hi","n":2}]"#),
    ///     WireFormat::V2, Direction::FromServer)?;
    /// #[derive(serde::Deserialize)]
    /// struct Shout<'a> { body: &'a str, n: u8 }
    /// let shout: Shout<'_> = shared.deserialize_payload()?;
    /// assert_eq!((shout.body, shout.n), ("hi", 2));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn deserialize_payload<'s, T: Deserialize<'s>>(&'s self) -> Result<T, Error> {
        match self.payload {
            Body::Json(_) => Ok(serde_json::from_slice(self.payload_slice())?),
            _ => Err(Error::PayloadNotJson),
        }
    }

    /// The JSON payload as a [`serde_json::Value`].
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.payload_value()?, serde_json::json!({"body": "hi"}));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn payload_value(&self) -> Result<serde_json::Value, Error> {
        self.deserialize_payload()
    }

    /// Re-encodes in `format` (to forward the message as received, use
    /// [`bytes`](Self::bytes) instead: no encoding at all).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// assert_eq!(shared.encode_to_vec(WireFormat::V1, Direction::FromServer)?,
    ///     br#"{"topic":"room:1","event":"shout","payload":{"body":"hi"},"ref":"2","join_ref":"1"}"#);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn encode_to_vec(
        &self,
        format: WireFormat,
        direction: Direction,
    ) -> Result<Vec<u8>, Error> {
        Ok(self.frame().encode_to_vec(format, direction)?)
    }

    /// Writes the frame, re-encoded as `format`, to `writer`.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::SharedFrame;
    /// let shared = SharedFrame::decode(Bytes::from_static(br#"["1","2","room:1","shout",{"body":"hi"}]"#), WireFormat::V2, Direction::FromServer)?;
    /// let mut out = Vec::new();
    /// shared.encode_to_writer(WireFormat::V2, Direction::FromServer, &mut out)?;
    /// assert_eq!(&out[..], &shared.bytes()[..]);
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn encode_to_writer<W: io::Write>(
        &self,
        format: WireFormat,
        direction: Direction,
        writer: W,
    ) -> Result<usize, Error> {
        self.frame().encode_to_writer(format, direction, writer)
    }
}

fn decode_in<'a>(
    bytes: &'a [u8],
    format: WireFormat,
    direction: Direction,
    limits: &DecodeLimits,
) -> Result<Frame<'a>, DecodeError> {
    let (vsn, message) = match format {
        WireFormat::V1 => (Vsn::V1, WsMessage::Text(bytes)),
        WireFormat::V2 => (Vsn::V2, WsMessage::Text(bytes)),
        WireFormat::Binary => (Vsn::V2, WsMessage::Binary(bytes)),
    };
    Decoder::new(vsn, direction)
        .with_limits(*limits)
        .decode(message)
}

/// Two shared frames are equal when their five fields are (as [`Frame`]'s equality: strings
/// unescaped, payloads byte for byte), whatever form they came in.
impl PartialEq for SharedFrame {
    fn eq(&self, other: &Self) -> bool {
        self.join_ref() == other.join_ref()
            && self.reference() == other.reference()
            && self.topic() == other.topic()
            && self.event() == other.event()
            && match (&self.payload, &other.payload) {
                (Body::Json(_), Body::Json(_)) | (Body::Binary(_), Body::Binary(_)) => {
                    self.payload_slice() == other.payload_slice()
                }
                (Body::BinaryReply { status: a, .. }, Body::BinaryReply { status: b, .. }) => {
                    a.view(&self.bytes) == b.view(&other.bytes)
                        && self.payload_slice() == other.payload_slice()
                }
                _ => false,
            }
    }
}

impl Eq for SharedFrame {}

// The buffer, direction and limits are how it was decoded, not what it says.
#[allow(clippy::missing_fields_in_debug)]
impl fmt::Debug for SharedFrame {
    /// Strings unescaped, JSON as its text, bytes as a byte string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Shown<'s>(&'s SharedFrame);
        impl fmt::Debug for Shown<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let slice = self.0.payload_slice();
                match &self.0.payload {
                    Body::Json(_) => write!(f, "Json({})", String::from_utf8_lossy(slice)),
                    Body::Binary(_) => write!(f, "Binary(b\"{}\")", slice.escape_ascii()),
                    Body::BinaryReply { status, .. } => write!(
                        f,
                        "BinaryReply {{ status: {:?}, response: b\"{}\" }}",
                        status.view(&self.0.bytes),
                        slice.escape_ascii()
                    ),
                }
            }
        }
        f.debug_struct("SharedFrame")
            .field("format", &self.format.name())
            .field("join_ref", &self.join_ref())
            .field("ref", &self.reference())
            .field("topic", &self.topic())
            .field("event", &self.event())
            .field("payload", &Shown(self))
            .finish()
    }
}

impl From<&SharedFrame> for OwnedFrame {
    fn from(frame: &SharedFrame) -> Self {
        frame.to_owned_frame()
    }
}
