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
    /// Parses the `vsn` query parameter as Phoenix does: absent means `1.0.0`; the version
    /// must parse (Elixir's `Version`: `MAJOR.MINOR.PATCH`, optional `-pre-release` and
    /// `+build`) and match `~> 2.0.0` (V2) or `~> 1.0.0` (V1); anything else is refused
    /// (`None`; Phoenix answers 403). `session::server::negotiate_vsn` says which refusal.
    ///
    /// ```
    /// use phx_codec::Vsn;
    /// assert_eq!(Vsn::from_query(Some("2.0.0")), Some(Vsn::V2));
    /// assert_eq!(Vsn::from_query(Some("2.0.1")), Some(Vsn::V2));
    /// assert_eq!(Vsn::from_query(Some("1.0.1")), Some(Vsn::V1));
    /// assert_eq!(Vsn::from_query(None), Some(Vsn::V1));
    /// assert_eq!(Vsn::from_query(Some("2.1.0")), None);
    /// assert_eq!(Vsn::from_query(Some("3.0.0")), None);
    /// ```
    pub fn from_query(vsn: Option<&str>) -> Option<Self> {
        match Self::match_requirement(vsn) {
            VsnMatch::Matched(vsn) => Some(vsn),
            VsnMatch::NotAVersion | VsnMatch::Unsupported => None,
        }
    }

    /// Phoenix's serializer choice: `~> 2.0.0` or `~> 1.0.0`, that is `>= X.0.0 and < X.1.0`
    /// (a pre-release of `X.0.0` is below it).
    pub(crate) fn match_requirement(vsn: Option<&str>) -> VsnMatch {
        let Some(text) = vsn else {
            return VsnMatch::Matched(Self::V1);
        };
        let Some(version) = parse_version(text) else {
            return VsnMatch::NotAVersion;
        };
        let in_range = version.minor == 0 && !(version.patch == 0 && version.pre_release);
        match (version.major, in_range) {
            (2, true) => VsnMatch::Matched(Self::V2),
            (1, true) => VsnMatch::Matched(Self::V1),
            _ => VsnMatch::Unsupported,
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

/// What [`Vsn::match_requirement`] found.
pub(crate) enum VsnMatch {
    /// A supported serializer.
    Matched(Vsn),
    /// Not a version at all.
    NotAVersion,
    /// A version that matches neither requirement.
    Unsupported,
}

struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre_release: bool,
}

fn parse_version(text: &str) -> Option<Version> {
    let (core, build) = match text.split_once('+') {
        Some((core, build)) => (core, Some(build)),
        None => (text, None),
    };
    if build.is_some_and(|b| !identifiers_ok(b, false)) {
        return None;
    }
    let (numbers, pre) = match core.split_once('-') {
        Some((numbers, pre)) => (numbers, Some(pre)),
        None => (core, None),
    };
    if pre.is_some_and(|p| !identifiers_ok(p, true)) {
        return None;
    }
    let mut parts = numbers.split('.');
    let major = numeric(parts.next()?)?;
    let minor = numeric(parts.next()?)?;
    let patch = numeric(parts.next()?)?;
    if parts.next().is_some() {
        return None;
    }
    Some(Version {
        major,
        minor,
        patch,
        pre_release: pre.is_some(),
    })
}

/// A SemVer numeric identifier: digits, no leading zero.
fn numeric(part: &str) -> Option<u64> {
    let bytes = part.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 1 && bytes.first() == Some(&b'0') {
        return None;
    }
    part.parse().ok()
}

/// Dot-separated non-empty `[0-9A-Za-z-]` identifiers; numeric pre-release ones without
/// leading zeros.
fn identifiers_ok(list: &str, numeric_rule: bool) -> bool {
    list.split('.').all(|id| {
        let b = id.as_bytes();
        !b.is_empty()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
            && !(numeric_rule && b.len() > 1 && b.iter().all(u8::is_ascii_digit) && b[0] == b'0')
    })
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
