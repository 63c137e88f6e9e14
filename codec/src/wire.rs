//! Wire-level names: who sent a frame ([`Direction`]), the serializer version a connection
//! negotiated ([`Vsn`]), the three wire forms ([`WireFormat`]) and what a WebSocket delivers
//! ([`WsMessage`]). A leaf: it imports nothing from the crate.

/// Who sent a frame. Binary frames of kind 0 have a different layout in each direction, so
/// every binary operation takes one; nothing guesses.
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
    pub const fn name(self) -> &'static str {
        match self {
            Self::FromClient => "client",
            Self::FromServer => "server",
        }
    }
}

/// The serializer version a connection negotiated with `?vsn=`.
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
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "1.0.0",
            Self::V2 => "2.0.0",
        }
    }
}

/// The three wire forms of a frame.
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
    pub const fn name(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2 => "v2",
            Self::Binary => "binary",
        }
    }
}

/// What a WebSocket delivers: a text message or a binary message.
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
