//! Wire-level names: who sent a frame ([`Direction`]), the serializer version a connection
//! negotiated ([`Vsn`]), the three wire forms ([`WireFormat`]) and what a WebSocket delivers
//! ([`WsMessage`]). A leaf: it imports nothing from the crate.

/// Who sent a frame. Binary frames of kind 0 have a different layout in each direction, so
/// every binary operation takes one; nothing guesses.
///
/// ```
/// use phx_codec::{binary, Direction};
/// // Kind 0 (push) has a ref when a client sends it, none when a server does.
/// let bytes = b"\x00\x01\x01\x01\x01ab!e\xff";
/// assert_eq!(binary::decode_binary(bytes, Direction::FromClient)?.reference().unwrap(), "b");
/// assert_ne!(binary::decode_binary(bytes, Direction::FromServer)?.topic(), "!");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sent by a client (browser widget, dashboard, device) to the server.
    FromClient,
    /// Sent by the server to a client.
    FromServer,
}

impl Direction {
    pub(crate) const fn describe(self) -> &'static str {
        match self {
            Self::FromClient => "by a client",
            Self::FromServer => "by a server",
        }
    }

    /// `"client"` or `"server"`: who sent it.
    ///
    /// ```
    /// assert_eq!(phx_codec::Direction::FromClient.name(), "client");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::FromClient => "client",
            Self::FromServer => "server",
        }
    }
}

/// The serializer version a connection negotiated with `?vsn=`.
///
/// ```
/// use phx_codec::{Decoder, Direction, Vsn};
/// // From the socket URL's query: `/socket/websocket?vsn=2.0.0`.
/// let vsn = Vsn::from_query(Some("2.0.0")).unwrap_or_default();
/// let decoder = Decoder::new(vsn, Direction::FromClient);
/// assert_eq!(decoder.vsn().as_str(), "2.0.0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Vsn {
    /// `vsn=1.0.0` (or no `vsn`): JSON objects.
    V1,
    /// `vsn=2.0.0`: JSON arrays in text messages, binary frames in binary messages. The
    /// `phoenix` JS client's default.
    #[default]
    V2,
}

impl Vsn {
    /// Parses the `vsn` query parameter as Phoenix does: `None` (absent) and `"1.0.0"` mean
    /// V1, `"2.0.0"` V2, anything else is refused (`None`; Phoenix answers 403).
    ///
    /// ```
    /// use phx_codec::Vsn;
    /// assert_eq!(Vsn::from_query(Some("2.0.0")), Some(Vsn::V2));
    /// assert_eq!(Vsn::from_query(None), Some(Vsn::V1));
    /// assert_eq!(Vsn::from_query(Some("3.0.0")), None);
    /// ```
    pub fn from_query(vsn: Option<&str>) -> Option<Self> {
        match vsn {
            None | Some("1.0.0") => Some(Self::V1),
            Some("2.0.0") => Some(Self::V2),
            Some(_) => None,
        }
    }

    /// The value of the `vsn` query parameter.
    ///
    /// ```
    /// assert_eq!(phx_codec::Vsn::V1.as_str(), "1.0.0");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "1.0.0",
            Self::V2 => "2.0.0",
        }
    }
}

/// The three wire forms of a frame.
///
/// ```
/// use phx_codec::{decode_text, Direction, WireFormat};
/// let frame = decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
/// let v1_len = frame.encoded_len(WireFormat::V1, Direction::FromClient).unwrap();
/// assert_eq!(v1_len, r#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}"#.len());
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WireFormat {
    /// V1 JSON object `{"topic":..,"event":..,"payload":..,"ref":..}`.
    V1,
    /// V2 JSON array `[join_ref, ref, topic, event, payload]`.
    V2,
    /// V2 binary frame (push, reply or broadcast).
    Binary,
}

impl WireFormat {
    /// `"v1"`, `"v2"` or `"binary"`.
    ///
    /// ```
    /// assert_eq!(phx_codec::WireFormat::Binary.name(), "binary");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2 => "v2",
            Self::Binary => "binary",
        }
    }
}

/// What a WebSocket delivers: a text message or a binary message.
///
/// ```
/// use phx_codec::{Decoder, Direction, Vsn, WsMessage};
/// let decoder = Decoder::new(Vsn::V2, Direction::FromServer);
/// // Whatever the WebSocket library delivered, as bytes and a kind:
/// let delivered = WsMessage::Binary(b"\x02\x01\x01te\x2a");
/// assert_eq!(decoder.decode(delivered)?.payload(), phx_codec::Payload::Binary(b"*"));
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WsMessage<'a> {
    /// A text message (its bytes; UTF-8 is checked by the decoder).
    Text(&'a [u8]),
    /// A binary message.
    Binary(&'a [u8]),
}

impl Vsn {
    /// The wire form of a **text** message on a connection with this version (binary
    /// messages are always [`WireFormat::Binary`]).
    ///
    /// ```
    /// use phx_codec::{Vsn, WireFormat};
    /// assert_eq!(Vsn::V1.text_format(), WireFormat::V1);
    /// assert_eq!(Vsn::V2.text_format(), WireFormat::V2);
    /// ```
    pub const fn text_format(self) -> WireFormat {
        match self {
            Self::V1 => WireFormat::V1,
            Self::V2 => WireFormat::V2,
        }
    }
}
