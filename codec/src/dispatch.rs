//! The one place that knows all three wire forms: [`Decoder`] picks the decoder for what a
//! WebSocket delivers, [`Frame::encode`] and [`Frame::encoded_len`] the encoder for a
//! [`WireFormat`].

use crate::binary::decode_binary_with;
use crate::encode::Sink;
use crate::error::{DecodeError, DecodeErrorKind as K, EncodeError};
use crate::frame::Frame;
use crate::limits::DecodeLimits;
use crate::text::decode_text_with;
use crate::v1::decode_v1_with;
use crate::wire::{Direction, Vsn, WireFormat, WsMessage};

impl Frame<'_> {
    /// Encodes in `format`; `direction` matters only for binary frames.
    ///
    /// ```
    /// use phx_codec::{decode_text, Direction, WireFormat};
    /// let frame = decode_text(br#"[null,null,"t","e",{}]"#)?;
    /// let mut buf = [0u8; 64];
    /// let mut out = phx_codec::encode::SliceSink::new(&mut buf);
    /// frame.encode(WireFormat::V1, Direction::FromServer, &mut out).unwrap();
    /// assert_eq!(out.written(), br#"{"topic":"t","event":"e","payload":{},"ref":null}"#);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encode<S: Sink + ?Sized>(
        &self,
        format: WireFormat,
        direction: Direction,
        out: &mut S,
    ) -> Result<usize, EncodeError> {
        match format {
            WireFormat::V2 => self.encode_v2(out),
            WireFormat::V1 => self.encode_v1(out),
            WireFormat::Binary => self.encode_binary(direction, out),
        }
    }

    /// The exact length of [`encode`](Self::encode)'s output.
    ///
    /// ```
    /// use phx_codec::{decode_text, Direction, EncodeError, WireFormat};
    /// let frame = decode_text(br#"[null,null,"t","e",{}]"#)?;
    /// assert_eq!(frame.encoded_len(WireFormat::V2, Direction::FromServer), Ok(22));
    /// assert_eq!(frame.encoded_len(WireFormat::Binary, Direction::FromServer), Err(EncodeError::PayloadNotBinary));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn encoded_len(
        &self,
        format: WireFormat,
        direction: Direction,
    ) -> Result<usize, EncodeError> {
        match format {
            WireFormat::V2 => self.encoded_len_v2(),
            WireFormat::V1 => self.encoded_len_v1(),
            WireFormat::Binary => self.encoded_len_binary(direction),
        }
    }
}

/// Decodes what a WebSocket delivers, for a connection's negotiated `vsn` and the direction
/// frames travel in, so callers never branch by hand.
///
/// ```
/// use phx_codec::{Decoder, Direction, Vsn, WsMessage};
/// let server_side = Decoder::new(Vsn::V2, Direction::FromClient);
/// let frame = server_side.decode(WsMessage::Text(br#"[null,"1","phoenix","heartbeat",{}]"#))?;
/// assert_eq!(frame.event(), "heartbeat");
/// let frame = server_side.decode(WsMessage::Binary(b"\x00\x01\x01\x01\x01ab!e\xff"))?;
/// assert_eq!(frame.topic(), "!");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decoder {
    vsn: Vsn,
    direction: Direction,
    limits: DecodeLimits,
}

impl Decoder {
    /// A decoder for frames sent in `direction` on a connection that negotiated `vsn`.
    ///
    /// ```
    /// use phx_codec::{Decoder, Direction, Vsn, WsMessage};
    /// // A client on a V1 connection reads server frames as JSON objects.
    /// let decoder = Decoder::new(Vsn::V1, Direction::FromServer);
    /// let frame = decoder.decode(WsMessage::Text(br#"{"topic":"t","event":"e","payload":{},"ref":null}"#))?;
    /// assert_eq!(frame.topic(), "t");
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub const fn new(vsn: Vsn, direction: Direction) -> Self {
        Self {
            vsn,
            direction,
            limits: DecodeLimits::new(),
        }
    }

    /// The same decoder with other limits.
    ///
    /// ```
    /// use phx_codec::{Decoder, DecodeErrorKind, DecodeLimits, Direction, Vsn, WsMessage};
    /// let decoder = Decoder::new(Vsn::V2, Direction::FromClient)
    ///     .with_limits(DecodeLimits::new().with_max_frame_len(16));
    /// let err = decoder.decode(WsMessage::Text(br#"[null,"1","phoenix","heartbeat",{}]"#)).unwrap_err();
    /// assert_eq!(err.kind, DecodeErrorKind::FrameTooLarge);
    /// ```
    #[must_use]
    pub const fn with_limits(mut self, limits: DecodeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The negotiated serializer version.
    ///
    /// ```
    /// use phx_codec::{Decoder, Direction, Vsn};
    /// let vsn = Vsn::from_query(Some("2.0.0")).unwrap();
    /// assert_eq!(Decoder::new(vsn, Direction::FromClient).vsn(), Vsn::V2);
    /// ```
    pub const fn vsn(&self) -> Vsn {
        self.vsn
    }

    /// Who sends the frames this decoder reads.
    ///
    /// ```
    /// use phx_codec::{Decoder, Direction, Vsn};
    /// assert_eq!(Decoder::new(Vsn::V2, Direction::FromServer).direction(), Direction::FromServer);
    /// ```
    pub const fn direction(&self) -> Direction {
        self.direction
    }

    /// The limits.
    ///
    /// ```
    /// use phx_codec::{Decoder, DecodeLimits, Direction, Vsn};
    /// assert_eq!(Decoder::new(Vsn::V2, Direction::FromServer).limits(), &DecodeLimits::new());
    /// ```
    pub const fn limits(&self) -> &DecodeLimits {
        &self.limits
    }

    /// Decodes one WebSocket message.
    ///
    /// ```
    /// use phx_codec::{Decoder, DecodeErrorKind, Direction, Vsn, WsMessage};
    /// let v1 = Decoder::new(Vsn::V1, Direction::FromClient);
    /// let err = v1.decode(WsMessage::Binary(b"\x02\x01\x01te")).unwrap_err();
    /// assert_eq!(err.kind, DecodeErrorKind::BinaryNotSupportedInV1);
    /// ```
    pub fn decode<'a>(&self, message: WsMessage<'a>) -> Result<Frame<'a>, DecodeError> {
        match (message, self.vsn) {
            (WsMessage::Text(text), Vsn::V2) => decode_text_with(text, &self.limits),
            (WsMessage::Text(text), Vsn::V1) => decode_v1_with(text, &self.limits),
            (WsMessage::Binary(bytes), Vsn::V2) => {
                decode_binary_with(bytes, self.direction, &self.limits)
            }
            (WsMessage::Binary(_), Vsn::V1) => Err(DecodeError::new(K::BinaryNotSupportedInV1, 0)),
        }
    }

    /// The format a message decodes as on this connection.
    ///
    /// ```
    /// use phx_codec::{Decoder, Direction, Vsn, WireFormat, WsMessage};
    /// let decoder = Decoder::new(Vsn::V2, Direction::FromClient);
    /// assert_eq!(decoder.format_of(&WsMessage::Text(b"[]")), WireFormat::V2);
    /// assert_eq!(decoder.format_of(&WsMessage::Binary(b"")), WireFormat::Binary);
    /// ```
    pub const fn format_of(&self, message: &WsMessage<'_>) -> WireFormat {
        match (message, self.vsn) {
            (WsMessage::Binary(_), _) => WireFormat::Binary,
            (WsMessage::Text(_), Vsn::V1) => WireFormat::V1,
            (WsMessage::Text(_), Vsn::V2) => WireFormat::V2,
        }
    }
}
