//! The server side of one Phoenix socket, sans-IO: what `Phoenix.Socket` does for a connection
//! (PROTOCOL.md §9), with no socket, no clock and no allocator.
//!
//! A [`ServerSession`] is fed every WebSocket message the client sends
//! ([`receive`](ServerSession::receive)), with the current time in milliseconds. It answers
//! what Phoenix answers without asking the application (heartbeats, `unmatched topic`,
//! `phx_leave`, the `phx_close` of a channel replaced by a second join), writing those frames
//! into caller memory, and hands the application a typed [`ServerEvent`] for the rest: a join
//! to accept or refuse, a push to reply to (now, later or never), a leave. The application
//! writes replies, pushes and broadcasts through the session, which knows each channel's
//! `join_ref` and the connection's serializer. [`ServerSession::poll_idle`] says when a
//! connection that sent nothing for the idle timeout must be closed, and [`CloseReason`] gives
//! the WebSocket close code for every reason to close.
//!
//! ```
//! use phx_codec::Vsn;
//! use phx_codec::outgoing::EmptyObject;
//! use phx_codec::session::server::{negotiate_vsn, ServerEvent, ServerSession};
//! use phx_codec::WsMessage;
//!
//! // At the HTTP upgrade: `?vsn=2.0.0`.
//! let vsn = negotiate_vsn(Some("2.0.0")).expect("Phoenix accepts 2.0.0");
//! // Up to 8 channels, topics up to 64 bytes, refs up to 16 bytes.
//! let mut session: ServerSession<8, 64, 16> = ServerSession::new(vsn, 0);
//! let mut out = [0u8; 512];
//!
//! // A heartbeat is answered by the session itself.
//! let got = session.receive(10, WsMessage::Text(br#"[null,"1","phoenix","heartbeat",{}]"#), &mut out)?;
//! assert!(matches!(got.event, ServerEvent::Heartbeat));
//! let replies: Vec<&[u8]> = got.frames(&out).collect();
//! assert_eq!(replies, [&br#"[null,"1","phoenix","phx_reply",{"response":{},"status":"ok"}]"#[..]]);
//!
//! // A join is the application's to accept (or refuse).
//! let got = session.receive(20, WsMessage::Text(br#"["3","3","room:1","phx_join",{}]"#), &mut out)?;
//! let ServerEvent::Join(join) = got.event else { panic!("a join") };
//! let mut reply = [0u8; 128];
//! let n = session.accept_join(&join, &EmptyObject, &mut reply)?;
//! assert_eq!(&reply[..n], br#"["3","3","room:1","phx_reply",{"response":{},"status":"ok"}]"#);
//! assert!(session.is_joined("room:1"));
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

use core::fmt;

use crate::DecodeError;
use crate::DecodeErrorKind;
use crate::DecodeLimits;
use crate::Decoder;
use crate::Direction;
use crate::EncodeError;
use crate::Frame;
use crate::JsonStr;
use crate::Payload;
use crate::Vsn;
use crate::WsMessage;
use crate::encode::{LenCounter, Sink, SliceSink, WriteJson, write_json_str};
use crate::message::ReplyStatus;
use crate::outgoing::{EmptyObject, Reason, ReplyPayload};
use crate::session::fixed::{FixedString, FixedVec};
use crate::wire::VsnMatch;

/// Phoenix's default WebSocket `timeout`: a connection with no inbound message for this long
/// is closed (Papercups sets 45 000).
///
/// ```
/// use phx_codec::{Vsn, session::server::{DEFAULT_IDLE_TIMEOUT_MS, ServerSession}};
/// let session: ServerSession<1> = ServerSession::new(Vsn::V2, 0);
/// assert_eq!(session.next_deadline_ms(), DEFAULT_IDLE_TIMEOUT_MS);
/// ```
pub const DEFAULT_IDLE_TIMEOUT_MS: u64 = 60_000;

/// The topic every socket talks to without joining (`heartbeat`).
///
/// ```
/// assert_eq!(phx_codec::session::server::PHOENIX_TOPIC, "phoenix");
/// ```
pub const PHOENIX_TOPIC: &str = "phoenix";

// --- vsn negotiation ------------------------------------------------------------------------

/// Why a `vsn` query parameter was refused. Phoenix answers both with HTTP 403 and no upgrade
/// ([`VsnRejection::HTTP_STATUS`]).
///
/// ```
/// use phx_codec::session::server::{negotiate_vsn, VsnRejection};
/// let refused = negotiate_vsn(Some("2.1.0")).unwrap_err();
/// assert_eq!(refused, VsnRejection::Unsupported);
/// assert_eq!(refused.to_string(), "vsn matches neither ~> 2.0.0 nor ~> 1.0.0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VsnRejection {
    /// Not a version string (`"2"`, `"abc"`, `"2.0.0.0"`, leading zeros...).
    Invalid,
    /// A version, but neither `~> 2.0.0` nor `~> 1.0.0` (`"2.1.0"`, `"3.0.0"`, `"2.0.0-rc.1"`).
    Unsupported,
}

impl VsnRejection {
    /// The HTTP status Phoenix refuses the upgrade with.
    ///
    /// ```
    /// assert_eq!(phx_codec::session::server::VsnRejection::HTTP_STATUS, 403);
    /// ```
    pub const HTTP_STATUS: u16 = 403;
}

impl fmt::Display for VsnRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid => f.write_str("vsn is not a version (MAJOR.MINOR.PATCH)"),
            Self::Unsupported => f.write_str("vsn matches neither ~> 2.0.0 nor ~> 1.0.0"),
        }
    }
}

impl core::error::Error for VsnRejection {}

/// Chooses the serializer for the `vsn` query parameter as Phoenix does: absent means
/// `1.0.0`; the version must parse (Elixir's `Version`: `MAJOR.MINOR.PATCH`, optional
/// `-pre-release` and `+build`, no leading zeros) and match `~> 2.0.0` (V2) or `~> 1.0.0`
/// (V1), that is `>= X.0.0 and < X.1.0`.
///
/// ```
/// use phx_codec::Vsn;
/// use phx_codec::session::server::{negotiate_vsn, VsnRejection};
/// assert_eq!(negotiate_vsn(Some("2.0.0")), Ok(Vsn::V2));
/// assert_eq!(negotiate_vsn(Some("2.0.1")), Ok(Vsn::V2));
/// assert_eq!(negotiate_vsn(Some("1.0.1")), Ok(Vsn::V1));
/// assert_eq!(negotiate_vsn(None), Ok(Vsn::V1));
/// assert_eq!(negotiate_vsn(Some("2.1.0")), Err(VsnRejection::Unsupported));
/// assert_eq!(negotiate_vsn(Some("garbage")), Err(VsnRejection::Invalid));
/// ```
pub fn negotiate_vsn(vsn: Option<&str>) -> Result<Vsn, VsnRejection> {
    match Vsn::match_requirement(vsn) {
        VsnMatch::Matched(vsn) => Ok(vsn),
        VsnMatch::NotAVersion => Err(VsnRejection::Invalid),
        VsnMatch::Unsupported => Err(VsnRejection::Unsupported),
    }
}

// --- close codes ----------------------------------------------------------------------------

/// A WebSocket close code (RFC 6455 §7.4.1) a server uses.
///
/// ```
/// use phx_codec::session::server::CloseCode;
/// assert_eq!(CloseCode::InvalidPayload.code(), 1007);
/// assert_eq!(CloseCode::PolicyViolation.code(), 1008);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseCode {
    /// 1000: normal closure (an idle connection, as Cowboy closes on its idle timeout).
    Normal,
    /// 1001: going away (Phoenix's "disconnect" broadcast).
    GoingAway,
    /// 1003: a kind of data the endpoint cannot accept (a binary message on a V1 socket).
    UnsupportedData,
    /// 1007: a text message that is not UTF-8.
    InvalidPayload,
    /// 1008: a policy violation (a reader that stopped draining its queue, too many channels).
    PolicyViolation,
    /// 1009: a message bigger than the server takes.
    MessageTooBig,
    /// 1011: an internal error (what Cowboy sends when a Phoenix socket process crashes,
    /// including on a frame it cannot decode).
    InternalError,
    /// 1012: service restart (Phoenix when draining).
    ServiceRestart,
}

impl CloseCode {
    /// The numeric code.
    ///
    /// ```
    /// use phx_codec::session::server::CloseCode;
    /// assert_eq!(CloseCode::MessageTooBig.code(), 1009);
    /// ```
    pub const fn code(self) -> u16 {
        match self {
            Self::Normal => 1000,
            Self::GoingAway => 1001,
            Self::UnsupportedData => 1003,
            Self::InvalidPayload => 1007,
            Self::PolicyViolation => 1008,
            Self::MessageTooBig => 1009,
            Self::InternalError => 1011,
            Self::ServiceRestart => 1012,
        }
    }
}

/// Why the server closes a connection; [`close_code`](Self::close_code) is the code to send.
///
/// ```
/// use phx_codec::session::server::{CloseCode, CloseReason};
/// assert_eq!(CloseReason::Idle.close_code(), CloseCode::Normal);
/// assert_eq!(CloseReason::TooBig.close_code().code(), 1009);
/// assert_eq!(CloseReason::Stalled.text(), "not reading");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// Nothing received for the idle timeout (1000).
    Idle,
    /// A text message that is not UTF-8 (1007).
    InvalidUtf8,
    /// A message over the size limit (1009).
    TooBig,
    /// A binary message on a V1 connection (1003).
    BinaryOnV1,
    /// A frame that does not decode (1011, as Phoenix crashes on it).
    Malformed(DecodeError),
    /// The client does not drain its outbound queue (1008). The session never decides this;
    /// the network layer that owns the queue does.
    Stalled,
    /// The server failed (1011).
    Internal,
}

impl CloseReason {
    /// The reason to close for a frame that failed to decode.
    ///
    /// ```
    /// use phx_codec::{decode_text, session::server::{CloseReason, CloseCode}};
    /// let err = decode_text(b"[1,2").unwrap_err();
    /// assert_eq!(CloseReason::for_decode_error(err).close_code(), CloseCode::InternalError);
    /// let err = decode_text(b"[\xff]").unwrap_err();
    /// assert_eq!(CloseReason::for_decode_error(err).close_code().code(), 1007);
    /// ```
    pub const fn for_decode_error(error: DecodeError) -> Self {
        match error.kind {
            DecodeErrorKind::InvalidUtf8 => Self::InvalidUtf8,
            DecodeErrorKind::FrameTooLarge => Self::TooBig,
            DecodeErrorKind::BinaryNotSupportedInV1 => Self::BinaryOnV1,
            _ => Self::Malformed(error),
        }
    }

    /// The WebSocket close code.
    ///
    /// ```
    /// use phx_codec::session::server::CloseReason;
    /// assert_eq!(CloseReason::InvalidUtf8.close_code().code(), 1007);
    /// ```
    pub const fn close_code(&self) -> CloseCode {
        match self {
            Self::Idle => CloseCode::Normal,
            Self::InvalidUtf8 => CloseCode::InvalidPayload,
            Self::TooBig => CloseCode::MessageTooBig,
            Self::BinaryOnV1 => CloseCode::UnsupportedData,
            Self::Malformed(_) | Self::Internal => CloseCode::InternalError,
            Self::Stalled => CloseCode::PolicyViolation,
        }
    }

    /// A short text for the close frame's reason (at most 123 bytes, as RFC 6455 allows).
    ///
    /// ```
    /// assert_eq!(phx_codec::session::server::CloseReason::Idle.text(), "idle");
    /// ```
    pub const fn text(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::InvalidUtf8 => "invalid UTF-8",
            Self::TooBig => "message too big",
            Self::BinaryOnV1 => "binary frames need vsn 2.0.0",
            Self::Malformed(_) => "malformed frame",
            Self::Stalled => "not reading",
            Self::Internal => "internal error",
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(e) => write!(f, "malformed frame: {e}"),
            other => f.write_str(other.text()),
        }
    }
}

// --- errors ---------------------------------------------------------------------------------

/// Why [`ServerSession::receive`] failed.
///
/// ```
/// use phx_codec::{Vsn, WsMessage};
/// use phx_codec::session::server::{ReceiveError, ServerSession};
/// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
/// let err = session.receive(0, WsMessage::Text(b"[1,"), &mut [0u8; 64]).unwrap_err();
/// assert!(matches!(err, ReceiveError::Close(_)));
/// assert_eq!(err.close_code().code(), 1011);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiveError {
    /// The message must close the connection (`reason.close_code()`).
    Close(CloseReason),
    /// The caller's output buffer cannot hold the frames the session answers with.
    Output(EncodeError),
}

impl ReceiveError {
    /// The close code to send: the reason's, or 1011 when the output did not fit.
    ///
    /// ```
    /// use phx_codec::EncodeError;
    /// use phx_codec::session::server::ReceiveError;
    /// let err = ReceiveError::Output(EncodeError::BufferTooSmall { needed: 9, available: 1 });
    /// assert_eq!(err.close_code().code(), 1011);
    /// ```
    pub const fn close_code(&self) -> CloseCode {
        match self {
            Self::Close(reason) => reason.close_code(),
            Self::Output(_) => CloseCode::InternalError,
        }
    }
}

impl fmt::Display for ReceiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Close(reason) => write!(f, "closing the connection: {reason}"),
            Self::Output(e) => write!(f, "cannot write the answer: {e}"),
        }
    }
}

impl core::error::Error for ReceiveError {}

/// Why a reply, push or channel operation was not written.
///
/// ```
/// use phx_codec::{Vsn, outgoing::EmptyObject};
/// use phx_codec::session::server::{SendError, ServerSession};
/// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
/// let err = session.push("room:1", "e", &EmptyObject, &mut [0u8; 64]).unwrap_err();
/// assert_eq!(err, SendError::NotJoined);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The topic is not joined, or was rejoined since (another `join_ref`): Phoenix's channel
    /// process is gone and sends nothing.
    NotJoined,
    /// The session holds as many channels as its capacity.
    TooManyChannels,
    /// The topic or a ref is longer than the session stores.
    TooLong,
    /// Encoding failed (the buffer is too small, or a binary frame on a V1 connection).
    Encode(EncodeError),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJoined => f.write_str("the channel is not joined (or was rejoined)"),
            Self::TooManyChannels => f.write_str("the session holds no more channels"),
            Self::TooLong => f.write_str("topic or ref longer than the session stores"),
            Self::Encode(e) => write!(f, "cannot encode: {e}"),
        }
    }
}

impl core::error::Error for SendError {}

impl From<EncodeError> for SendError {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

// --- requests handed to the application -----------------------------------------------------

/// Where a reply goes: the channel's topic, its `join_ref` and the push's `ref`. Build one from
/// stored strings with [`ReplyTo::new`] to reply later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyTo<'a> {
    /// The topic.
    pub topic: JsonStr<'a>,
    /// The `join_ref` the push came with (checked against the channel's at reply time).
    pub join_ref: Option<JsonStr<'a>>,
    /// The push's ref.
    pub reference: Option<JsonStr<'a>>,
}

impl<'a> ReplyTo<'a> {
    /// A reply address from plain strings (kept by the application to reply later).
    ///
    /// ```
    /// use phx_codec::session::server::ReplyTo;
    /// let to = ReplyTo::new("room:1", Some("3"), Some("7"));
    /// assert_eq!(to.topic, "room:1");
    /// ```
    pub fn new(topic: &'a str, join_ref: Option<&'a str>, reference: Option<&'a str>) -> Self {
        Self {
            topic: JsonStr::literal(topic),
            join_ref: join_ref.map(JsonStr::literal),
            reference: reference.map(JsonStr::literal),
        }
    }
}

/// A `phx_join` for the application to [accept](ServerSession::accept_join) or
/// [refuse](ServerSession::refuse_join).
///
/// ```
/// use phx_codec::{Vsn, WsMessage};
/// use phx_codec::outgoing::EmptyObject;
/// use phx_codec::session::server::{ServerEvent, ServerSession};
/// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
/// let mut out = [0u8; 256];
/// let got = session.receive(0, WsMessage::Text(br#"["3","3","conversation:c","phx_join",{"customer_id":"cus"}]"#), &mut out)?;
/// let ServerEvent::Join(join) = got.event else { unreachable!() };
/// assert_eq!(join.topic(), "conversation:c");
/// assert_eq!(join.join_ref().unwrap(), "3");
/// assert_eq!(join.reference().unwrap(), "3");
/// assert!(join.params().as_json().is_some());
/// assert_eq!(join.frame().payload_get("customer_id").unwrap().as_json_str().unwrap(), "cus");
/// assert!(!join.replaced_channel());
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct JoinRequest<'a> {
    frame: Frame<'a>,
    replaced: bool,
}

impl<'a> JoinRequest<'a> {
    /// The topic to join.
    pub const fn topic(&self) -> JsonStr<'a> {
        self.frame.topic()
    }

    /// The join's ref, which becomes the channel's `join_ref`.
    pub const fn join_ref(&self) -> Option<JsonStr<'a>> {
        self.frame.join_ref()
    }

    /// The push's ref (the same as `join_ref` from the JS client).
    pub const fn reference(&self) -> Option<JsonStr<'a>> {
        self.frame.reference()
    }

    /// The join params (a JSON object, or a binary payload).
    pub const fn params(&self) -> Payload<'a> {
        self.frame.payload()
    }

    /// The whole frame (for typed access: [`Frame::payload_get`], [`crate::Message`]).
    pub const fn frame(&self) -> &Frame<'a> {
        &self.frame
    }

    /// Whether this join replaced a channel already joined on the topic (the session has sent
    /// that channel's `phx_close`; the application should forget its state).
    pub const fn replaced_channel(&self) -> bool {
        self.replaced
    }
}

/// A push on a joined channel (any event but `phx_join`/`phx_leave`): reply now, later (keep
/// [`reply_to`](Self::reply_to)'s strings) or never.
///
/// ```
/// use phx_codec::{Vsn, WsMessage};
/// use phx_codec::outgoing::EmptyObject;
/// use phx_codec::session::server::{ServerEvent, ServerSession};
/// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
/// let mut out = [0u8; 256];
/// let got = session.receive(0, WsMessage::Text(br#"["1","1","room:1","phx_join",{}]"#), &mut out)?;
/// let ServerEvent::Join(join) = got.event else { unreachable!() };
/// session.accept_join(&join, &EmptyObject, &mut out)?;
/// let got = session.receive(0, WsMessage::Text(br#"["1","5","room:1","shout",{"body":"hi"}]"#), &mut out)?;
/// let ServerEvent::Push(push) = got.event else { unreachable!() };
/// assert_eq!((push.topic(), push.event()), ("room:1".into(), "shout".into()));
/// assert_eq!(push.reference().unwrap(), "5");
/// assert!(push.payload().as_json().is_some());
/// assert_eq!(push.frame().payload_get("body").unwrap().as_json_str().unwrap(), "hi");
/// assert_eq!(push.reply_to().reference.unwrap(), "5");
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct PushRequest<'a> {
    frame: Frame<'a>,
}

impl<'a> PushRequest<'a> {
    /// The topic.
    pub const fn topic(&self) -> JsonStr<'a> {
        self.frame.topic()
    }

    /// The event (`"shout"`, `"ping"`...).
    pub const fn event(&self) -> JsonStr<'a> {
        self.frame.event()
    }

    /// The push's ref (`None` when null: no reply is expected).
    pub const fn reference(&self) -> Option<JsonStr<'a>> {
        self.frame.reference()
    }

    /// The payload.
    pub const fn payload(&self) -> Payload<'a> {
        self.frame.payload()
    }

    /// The whole frame (for typed access: [`Frame::payload_get`], [`crate::Message`]).
    pub const fn frame(&self) -> &Frame<'a> {
        &self.frame
    }

    /// Where the reply goes.
    pub const fn reply_to(&self) -> ReplyTo<'a> {
        ReplyTo {
            topic: self.frame.topic(),
            join_ref: self.frame.join_ref(),
            reference: self.frame.reference(),
        }
    }
}

/// What a received message meant, once the session answered what it answers itself.
///
/// ```
/// use phx_codec::{Vsn, WsMessage};
/// use phx_codec::outgoing::EmptyObject;
/// use phx_codec::session::server::{ServerEvent, ServerSession};
/// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
/// let mut out = [0u8; 256];
/// let got = session.receive(0, WsMessage::Text(br#"[null,"9","room:1","phx_leave",{}]"#), &mut out)?;
/// assert!(matches!(got.event, ServerEvent::Leave { was_joined: false, .. }));
/// assert_eq!(got.answers.len(), 1); // ok {} even when nothing was joined
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum ServerEvent<'a> {
    /// `heartbeat` on `phoenix`: answered.
    Heartbeat,
    /// A message for a topic that is not joined (or another event on `phoenix`): answered
    /// with `{"reason":"unmatched topic"}`, join_ref null.
    Unmatched {
        /// The topic.
        topic: JsonStr<'a>,
        /// The event.
        event: JsonStr<'a>,
    },
    /// A `phx_join` for the application to accept or refuse.
    Join(JoinRequest<'a>),
    /// A `phx_leave`: answered (ok `{}`, then `phx_close` when the topic was joined).
    Leave {
        /// The topic left.
        topic: JsonStr<'a>,
        /// Whether a channel was joined on it (the application should forget its state).
        was_joined: bool,
    },
    /// A push on a joined channel.
    Push(PushRequest<'a>),
}

/// The session's own answer to a received message: up to two text frames written one after
/// the other into the caller's buffer. Send each, in order, as a WebSocket text message.
///
/// ```
/// use phx_codec::{Vsn, WsMessage};
/// use phx_codec::outgoing::EmptyObject;
/// use phx_codec::session::server::{ServerEvent, ServerSession};
/// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
/// let mut out = [0u8; 256];
/// let got = session.receive(0, WsMessage::Text(br#"["1","1","t","phx_join",{}]"#), &mut out)?;
/// assert!(got.answers.is_empty());
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Answers {
    ends: [usize; 2],
    count: usize,
}

impl Answers {
    /// How many frames were written.
    pub const fn len(&self) -> usize {
        self.count
    }

    /// Whether nothing was written.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The frames, as slices of the buffer passed to [`ServerSession::receive`].
    pub fn frames<'b>(&self, out: &'b [u8]) -> impl Iterator<Item = &'b [u8]> + use<'b> {
        let ends = self.ends;
        (0..self.count).filter_map(move |i| {
            let start = if i == 0 { 0 } else { ends[0] };
            out.get(start..*ends.get(i)?)
        })
    }
}

/// What [`ServerSession::receive`] returns: the event and the answers already written.
///
/// ```
/// use phx_codec::{Vsn, WsMessage};
/// use phx_codec::outgoing::EmptyObject;
/// use phx_codec::session::server::{ServerEvent, ServerSession};
/// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
/// let mut out = [0u8; 256];
/// let got = session.receive(0, WsMessage::Text(br#"[null,"1","phoenix","heartbeat",{}]"#), &mut out)?;
/// assert_eq!(got.frames(&out).count(), 1);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Received<'a> {
    /// What the message meant.
    pub event: ServerEvent<'a>,
    /// The frames the session answered with, already in the output buffer.
    pub answers: Answers,
}

impl Received<'_> {
    /// The answer frames (see [`Answers::frames`]).
    pub fn frames<'b>(&self, out: &'b [u8]) -> impl Iterator<Item = &'b [u8]> + use<'b> {
        self.answers.frames(out)
    }
}

// --- the session ----------------------------------------------------------------------------

struct Channel<const TOPIC: usize, const REF: usize> {
    topic: FixedString<TOPIC>,
    join_ref: Option<FixedString<REF>>,
}

/// One connection's server state: its serializer, joined channels (up to `CHANNELS`, topics
/// up to `TOPIC` bytes, join refs up to `REF` bytes) and idle timer. See the
/// [module docs](self).
///
/// ```
/// use phx_codec::{Vsn, session::server::ServerSession};
/// // 16 channels, topics up to 128 bytes, join refs up to 32 bytes (the defaults).
/// let session: ServerSession<16> = ServerSession::new(Vsn::V1, 0);
/// assert_eq!(session.vsn(), Vsn::V1);
/// assert_eq!(session.limits().max_depth(), phx_codec::DecodeLimits::DEFAULT_MAX_DEPTH);
/// ```
pub struct ServerSession<const CHANNELS: usize, const TOPIC: usize = 128, const REF: usize = 32> {
    decoder: Decoder,
    channels: FixedVec<Channel<TOPIC, REF>, CHANNELS>,
    idle_timeout_ms: u64,
    last_inbound_ms: u64,
}

impl<const CHANNELS: usize, const TOPIC: usize, const REF: usize> fmt::Debug
    for ServerSession<CHANNELS, TOPIC, REF>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerSession")
            .field("vsn", &self.decoder.vsn())
            .field("channels", &self.channels.len())
            .field("idle_timeout_ms", &self.idle_timeout_ms)
            .field("last_inbound_ms", &self.last_inbound_ms)
            .finish()
    }
}

impl<const CHANNELS: usize, const TOPIC: usize, const REF: usize>
    ServerSession<CHANNELS, TOPIC, REF>
{
    /// A session for a connection that negotiated `vsn` (see [`negotiate_vsn`]), opened at
    /// `now_ms`, with the default decode limits and idle timeout.
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::ServerSession};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// assert_eq!(session.vsn(), Vsn::V2);
    /// ```
    pub const fn new(vsn: Vsn, now_ms: u64) -> Self {
        Self {
            decoder: Decoder::new(vsn, Direction::FromClient),
            channels: FixedVec::new(),
            idle_timeout_ms: DEFAULT_IDLE_TIMEOUT_MS,
            last_inbound_ms: now_ms,
        }
    }

    /// The same session with other decode limits (frame size, depth, lenient arity).
    ///
    /// ```
    /// use phx_codec::{DecodeLimits, Vsn, session::server::ServerSession};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0)
    ///     .with_limits(DecodeLimits::new().with_max_frame_len(1 << 20));
    /// assert_eq!(session.limits().max_frame_len(), 1 << 20);
    /// ```
    #[must_use]
    pub const fn with_limits(mut self, limits: DecodeLimits) -> Self {
        self.decoder = self.decoder.with_limits(limits);
        self
    }

    /// The same session with another idle timeout (Papercups: 45 000 ms).
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::ServerSession};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0).with_idle_timeout_ms(45_000);
    /// assert_eq!(session.next_deadline_ms(), 45_000);
    /// ```
    #[must_use]
    pub const fn with_idle_timeout_ms(mut self, timeout_ms: u64) -> Self {
        self.idle_timeout_ms = timeout_ms;
        self
    }

    /// The negotiated serializer.
    pub const fn vsn(&self) -> Vsn {
        self.decoder.vsn()
    }

    /// The decode limits.
    pub const fn limits(&self) -> &DecodeLimits {
        self.decoder.limits()
    }

    /// Records inbound traffic that is not a Phoenix message (a WebSocket ping or pong), which
    /// keeps the connection from counting as idle, as Cowboy's idle timer does.
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// session.note_activity(50_000);
    /// assert!(session.poll_idle(60_000).is_none());
    /// ```
    pub fn note_activity(&mut self, now_ms: u64) {
        self.last_inbound_ms = self.last_inbound_ms.max(now_ms);
    }

    /// When the connection becomes idle unless something arrives: arm a timer for it.
    pub const fn next_deadline_ms(&self) -> u64 {
        self.last_inbound_ms.saturating_add(self.idle_timeout_ms)
    }

    /// `Some(CloseReason::Idle)` when nothing arrived for the idle timeout: close the
    /// connection with [`CloseCode::Normal`].
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::{CloseReason, ServerSession}};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 1_000);
    /// assert_eq!(session.poll_idle(60_999), None);
    /// assert_eq!(session.poll_idle(61_000), Some(CloseReason::Idle));
    /// ```
    pub const fn poll_idle(&self, now_ms: u64) -> Option<CloseReason> {
        if now_ms >= self.next_deadline_ms() {
            Some(CloseReason::Idle)
        } else {
            None
        }
    }

    /// Whether a channel is joined on `topic` (a broadcast on it goes to this connection).
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["7","7","room:1","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// assert!(!session.is_joined("room:1"));
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// assert!(session.is_joined("room:1"));
    /// assert_eq!(session.join_ref("room:1"), Some(Some("7")));
    /// assert_eq!(session.join_ref("room:2"), None);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn is_joined(&self, topic: &str) -> bool {
        self.find(JsonStr::literal(topic)).is_some()
    }

    /// The `join_ref` of the channel joined on `topic`, if any (`Some(None)` when it joined
    /// with a null ref).
    pub fn join_ref(&self, topic: &str) -> Option<Option<&str>> {
        self.find(JsonStr::literal(topic))
            .and_then(|i| self.channels.get(i))
            .map(|c| c.join_ref.as_deref())
    }

    /// The joined topics, in join order.
    ///
    /// ```
    /// use phx_codec::{Vsn, session::server::ServerSession};
    /// let session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// assert_eq!(session.topics().count(), 0);
    /// ```
    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.channels.iter().map(|c| c.topic.as_str())
    }

    fn find(&self, topic: JsonStr<'_>) -> Option<usize> {
        self.channels
            .iter()
            .position(|c| topic.eq_str(c.topic.as_str()))
    }

    /// Decodes one WebSocket message from the client at `now_ms`, writes the session's own
    /// answers into `out` (see [`Received::answers`]) and says what it meant.
    ///
    /// A message that does not decode fails with [`ReceiveError::Close`]: close the
    /// connection with its code (the other connections are unaffected). `out` must hold the
    /// answers: a reply echoing the topic and ref plus a `phx_close`; the input's length plus
    /// 160 bytes is always enough.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(5, WsMessage::Text(br#"[null,"2","nowhere","ping",{}]"#), &mut out)?;
    /// assert!(matches!(got.event, ServerEvent::Unmatched { .. }));
    /// assert_eq!(got.frames(&out).next().unwrap(),
    ///     br#"[null,"2","nowhere","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#);
    /// # Ok::<(), phx_codec::session::server::ReceiveError>(())
    /// ```
    pub fn receive<'a>(
        &mut self,
        now_ms: u64,
        message: WsMessage<'a>,
        out: &mut [u8],
    ) -> Result<Received<'a>, ReceiveError> {
        self.note_activity(now_ms);
        let frame = self
            .decoder
            .decode(message)
            .map_err(|e| ReceiveError::Close(CloseReason::for_decode_error(e)))?;
        let vsn = self.vsn();
        let mut writer = AnswerWriter::new(out);
        let topic = frame.topic();
        let event = frame.event();
        let reference = frame.reference();

        if topic == PHOENIX_TOPIC && event == "heartbeat" {
            writer.write(&reply_frame(
                vsn,
                None,
                reference,
                topic,
                ReplyStatus::Ok,
                &EmptyObject,
            ))?;
            return Ok(writer.done(ServerEvent::Heartbeat));
        }
        let joined = self.find(topic);
        if event == "phx_join" {
            let mut replaced = false;
            if let Some(index) = joined {
                // Phoenix shuts the old channel down (its phx_close goes out with the old
                // join_ref), then processes the new join.
                let old = self.channels.remove(index);
                let old_ref = old
                    .as_ref()
                    .and_then(|c| c.join_ref.as_deref())
                    .map(JsonStr::literal);
                writer.write(&close_frame(vsn, old_ref, topic))?;
                replaced = true;
            }
            return Ok(writer.done(ServerEvent::Join(JoinRequest { frame, replaced })));
        }
        if event == "phx_leave" {
            let Some(index) = joined else {
                writer.write(&reply_frame(
                    vsn,
                    frame.join_ref(),
                    reference,
                    topic,
                    ReplyStatus::Ok,
                    &EmptyObject,
                ))?;
                return Ok(writer.done(ServerEvent::Leave {
                    topic,
                    was_joined: false,
                }));
            };
            let channel = self.channels.remove(index);
            let join_ref = channel
                .as_ref()
                .and_then(|c| c.join_ref.as_deref())
                .map(JsonStr::literal);
            writer.write(&reply_frame(
                vsn,
                join_ref,
                reference,
                topic,
                ReplyStatus::Ok,
                &EmptyObject,
            ))?;
            writer.write(&close_frame(vsn, join_ref, topic))?;
            return Ok(writer.done(ServerEvent::Leave {
                topic,
                was_joined: true,
            }));
        }
        if joined.is_none() {
            writer.write(&unmatched_frame(vsn, reference, topic))?;
            return Ok(writer.done(ServerEvent::Unmatched { topic, event }));
        }
        Ok(writer.done(ServerEvent::Push(PushRequest { frame })))
    }

    /// Accepts a join: the topic becomes joined with the join's ref, and the ok reply carrying
    /// `response` is written into `out` (send it as a text message); returns its length.
    /// Fails without joining when the session is full or the topic or ref is too long to
    /// store: refuse the join instead.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::session::server::{SendError, ServerEvent, ServerSession};
    /// // Room for one channel only.
    /// let mut session: ServerSession<1> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// for (text, joined) in [(&br#"["1","1","a","phx_join",{}]"#[..], true), (&br#"["2","2","b","phx_join",{}]"#[..], false)] {
    ///     let got = session.receive(0, WsMessage::Text(text), &mut out)?;
    ///     let ServerEvent::Join(join) = got.event else { unreachable!() };
    ///     let accepted = session.accept_join(&join, &phx_codec::outgoing::EmptyObject, &mut out);
    ///     assert_eq!(accepted.is_ok(), joined);
    ///     if !joined { assert_eq!(accepted, Err(SendError::TooManyChannels)); }
    /// }
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn accept_join<R: WriteJson + ?Sized>(
        &mut self,
        join: &JoinRequest<'_>,
        response: &R,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let topic = join.topic();
        if self.find(topic).is_some() {
            // Another join on the topic was accepted since this one arrived: it stands, and
            // this one is not written (refuse it, or drop it).
            return Err(SendError::NotJoined);
        }
        let mut stored_topic = FixedString::<TOPIC>::new();
        push_unescaped(&mut stored_topic, topic)?;
        let stored_ref = match join.join_ref() {
            Some(r) => {
                let mut s = FixedString::<REF>::new();
                push_unescaped(&mut s, r)?;
                Some(s)
            }
            None => None,
        };
        if self.channels.is_full() {
            return Err(SendError::TooManyChannels);
        }
        let n = encode_into(
            &reply_frame(
                self.vsn(),
                join.join_ref(),
                join.reference(),
                topic,
                ReplyStatus::Ok,
                response,
            ),
            out,
        )?;
        self.channels
            .push(Channel {
                topic: stored_topic,
                join_ref: stored_ref,
            })
            .map_err(|_| SendError::TooManyChannels)?;
        Ok(n)
    }

    /// Refuses a join: writes the error reply carrying `response` (Papercups:
    /// `Reason { reason: "unauthorized".into() }`) into `out`; returns its length.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::Reason;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["1","1","notification:9","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// let n = session.refuse_join(&join, &Reason { reason: "unauthorized".into() }, &mut out)?;
    /// assert_eq!(&out[..n], br#"["1","1","notification:9","phx_reply",{"response":{"reason":"unauthorized"},"status":"error"}]"#);
    /// assert!(!session.is_joined("notification:9"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn refuse_join<R: WriteJson + ?Sized>(
        &self,
        join: &JoinRequest<'_>,
        response: &R,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        Ok(encode_into(
            &reply_frame(
                self.vsn(),
                join.join_ref(),
                join.reference(),
                join.topic(),
                ReplyStatus::Error,
                response,
            ),
            out,
        )?)
    }

    /// Answers a join for a topic no channel serves as Phoenix does when no route matches:
    /// `{"reason":"unmatched topic"}` with join_ref null.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["3","3","nowhere","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// let mut reply = [0u8; 128];
    /// let n = session.refuse_join_unmatched(&join, &mut reply)?;
    /// assert_eq!(&reply[..n], br#"[null,"3","nowhere","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn refuse_join_unmatched(
        &self,
        join: &JoinRequest<'_>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        Ok(encode_into(
            &unmatched_frame(self.vsn(), join.reference(), join.topic()),
            out,
        )?)
    }

    fn check_reply_to(&self, to: &ReplyTo<'_>) -> Result<(), SendError> {
        let index = self.find(to.topic).ok_or(SendError::NotJoined)?;
        let stored = self.channels.get(index).and_then(|c| c.join_ref.as_deref());
        let same = match (stored, to.join_ref) {
            (Some(s), Some(r)) => r.eq_str(s),
            // V1 clients may leave join_ref out of their pushes.
            (_, None) => true,
            (None, Some(_)) => false,
        };
        if same {
            Ok(())
        } else {
            Err(SendError::NotJoined)
        }
    }

    /// Replies to a push (now or later) with `status` and a JSON `response`; writes the text
    /// frame into `out` and returns its length. Fails with [`SendError::NotJoined`] when the
    /// channel has since left or been rejoined (Phoenix would send nothing).
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage, message::ReplyStatus};
    /// use phx_codec::session::server::{ReplyTo, ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["1","1","room:1","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &phx_codec::outgoing::EmptyObject, &mut out)?;
    /// let got = session.receive(0, WsMessage::Text(br#"["1","2","room:1","ping",{"n":1}]"#), &mut out)?;
    /// let ServerEvent::Push(push) = got.event else { unreachable!() };
    /// let echo = push.payload().as_json().unwrap();
    /// let n = session.reply(&push.reply_to(), ReplyStatus::Ok, &echo, &mut out)?;
    /// assert_eq!(&out[..n], br#"["1","2","room:1","phx_reply",{"response":{"n":1},"status":"ok"}]"#);
    /// // Later, from stored strings:
    /// let n = session.reply(&ReplyTo::new("room:1", Some("1"), Some("2")), ReplyStatus::Ok, &echo, &mut out)?;
    /// assert!(n > 0);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn reply<R: WriteJson + ?Sized>(
        &self,
        to: &ReplyTo<'_>,
        status: ReplyStatus<'_>,
        response: &R,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        self.check_reply_to(to)?;
        let join_ref = self.stored_join_ref(to.topic);
        Ok(encode_into(
            &reply_frame(
                self.vsn(),
                join_ref.map(JsonStr::literal),
                to.reference,
                to.topic,
                status,
                response,
            ),
            out,
        )?)
    }

    /// Replies with a binary response (a V2 binary reply frame, kind 1): send it as a
    /// WebSocket binary message. Fails with an encode error on a V1 connection.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["1","1","t","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// let got = session.receive(0, WsMessage::Binary(b"\x00\x01\x01\x01\x041\x32tping\xff"), &mut out)?;
    /// let ServerEvent::Push(push) = got.event else { unreachable!() };
    /// let n = session.reply_binary(&push.reply_to(), "ok", b"\xff", &mut out)?;
    /// assert_eq!(&out[..n], b"\x01\x01\x01\x01\x0212tok\xff");
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn reply_binary(
        &self,
        to: &ReplyTo<'_>,
        status: &str,
        response: &[u8],
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        self.check_reply_to(to)?;
        if self.vsn() == Vsn::V1 {
            return Err(SendError::Encode(EncodeError::PayloadNotJson));
        }
        let join_ref = self.stored_join_ref(to.topic);
        let frame = Frame::new(
            join_ref.map(JsonStr::literal),
            to.reference,
            to.topic,
            JsonStr::literal("phx_reply"),
            Payload::BinaryReply {
                status: JsonStr::literal(status),
                response,
            },
        );
        Ok(frame.encode_binary_into(Direction::FromServer, out)?)
    }

    fn stored_join_ref(&self, topic: JsonStr<'_>) -> Option<&str> {
        self.find(topic)
            .and_then(|i| self.channels.get(i))
            .and_then(|c| c.join_ref.as_deref())
    }

    /// Pushes an event to this client only on a joined channel (`[join_ref, null, topic,
    /// event, payload]`); writes the text frame into `out` and returns its length.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::{EmptyObject, IdPayload};
    /// use phx_codec::session::server::{SendError, ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// assert_eq!(session.push("lobby", "x", &EmptyObject, &mut out), Err(SendError::NotJoined));
    /// let got = session.receive(0, WsMessage::Text(br#"["4","4","lobby","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// let n = session.push("lobby", "conversation:created", &IdPayload { id: "c1".into() }, &mut out)?;
    /// assert_eq!(&out[..n], br#"["4",null,"lobby","conversation:created",{"id":"c1"}]"#);
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn push<P: WriteJson + ?Sized>(
        &self,
        topic: &str,
        event: &str,
        payload: &P,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let index = self
            .find(JsonStr::literal(topic))
            .ok_or(SendError::NotJoined)?;
        let join_ref = self.channels.get(index).and_then(|c| c.join_ref.as_deref());
        Ok(encode_into(
            &TextFrame {
                vsn: self.vsn(),
                join_ref: join_ref.map(JsonStr::literal),
                reference: None,
                topic: JsonStr::literal(topic),
                event: JsonStr::literal(event),
                payload,
            },
            out,
        )?)
    }

    /// Closes a joined channel from the server side (`phx_close` with the join's ref): the
    /// topic is no longer joined. Returns the text frame's length.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["2","2","t","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// let n = session.close_channel("t", &mut out)?;
    /// assert_eq!(&out[..n], br#"["2","2","t","phx_close",{}]"#);
    /// assert!(!session.is_joined("t"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn close_channel(&mut self, topic: &str, out: &mut [u8]) -> Result<usize, SendError> {
        self.end_channel(topic, "phx_close", None, out)
    }

    /// Reports a crashed channel (`phx_error` with `{}` as Phoenix ≤ 1.8.9 and Papercups, or
    /// `{"reason": ..}` as 1.8.10+ with `"channel_crash"`): the topic is no longer joined and
    /// the client will rejoin. Returns the text frame's length.
    ///
    /// ```
    /// use phx_codec::{Vsn, WsMessage};
    /// use phx_codec::outgoing::EmptyObject;
    /// use phx_codec::session::server::{ServerEvent, ServerSession};
    /// let mut session: ServerSession<4> = ServerSession::new(Vsn::V2, 0);
    /// let mut out = [0u8; 256];
    /// let got = session.receive(0, WsMessage::Text(br#"["4","4","t","phx_join",{}]"#), &mut out)?;
    /// let ServerEvent::Join(join) = got.event else { unreachable!() };
    /// session.accept_join(&join, &EmptyObject, &mut out)?;
    /// let n = session.error_channel("t", None, &mut out)?;
    /// assert_eq!(&out[..n], br#"["4","4","t","phx_error",{}]"#);
    /// assert!(!session.is_joined("t"));
    /// # Ok::<(), Box<dyn core::error::Error>>(())
    /// ```
    pub fn error_channel(
        &mut self,
        topic: &str,
        reason: Option<&str>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        self.end_channel(topic, "phx_error", reason, out)
    }

    fn end_channel(
        &mut self,
        topic: &str,
        event: &str,
        reason: Option<&str>,
        out: &mut [u8],
    ) -> Result<usize, SendError> {
        let index = self
            .find(JsonStr::literal(topic))
            .ok_or(SendError::NotJoined)?;
        let join_ref = self.channels.get(index).and_then(|c| c.join_ref.as_deref());
        let join_ref = join_ref.map(JsonStr::literal);
        let n = match reason {
            None => encode_into(
                &TextFrame {
                    vsn: self.vsn(),
                    join_ref,
                    reference: join_ref,
                    topic: JsonStr::literal(topic),
                    event: JsonStr::literal(event),
                    payload: &EmptyObject,
                },
                out,
            )?,
            Some(reason) => encode_into(
                &TextFrame {
                    vsn: self.vsn(),
                    join_ref,
                    reference: join_ref,
                    topic: JsonStr::literal(topic),
                    event: JsonStr::literal(event),
                    payload: &Reason {
                        reason: JsonStr::literal(reason),
                    },
                },
                out,
            )?,
        };
        self.channels.remove(index);
        Ok(n)
    }
}

/// Encodes a broadcast `[null, null, topic, event, payload]` (V2) or
/// `{"topic":..,"event":..,"payload":..,"ref":null}` (V1) into `out`, once for every
/// connection with that `vsn` that [joined](ServerSession::is_joined) the topic: the bytes do
/// not depend on the connection. Returns the length.
///
/// ```
/// use phx_codec::Vsn;
/// use phx_codec::outgoing::IdPayload;
/// use phx_codec::session::server::encode_broadcast;
/// let mut out = [0u8; 128];
/// let n = encode_broadcast(Vsn::V2, "lobby", "conversation:created", &IdPayload { id: "c1".into() }, &mut out)?;
/// assert_eq!(&out[..n], br#"[null,null,"lobby","conversation:created",{"id":"c1"}]"#);
/// let n = encode_broadcast(Vsn::V1, "lobby", "e", &phx_codec::outgoing::EmptyObject, &mut out)?;
/// assert_eq!(&out[..n], br#"{"topic":"lobby","event":"e","payload":{},"ref":null}"#);
/// # Ok::<(), phx_codec::EncodeError>(())
/// ```
pub fn encode_broadcast<P: WriteJson + ?Sized>(
    vsn: Vsn,
    topic: &str,
    event: &str,
    payload: &P,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    encode_into(
        &TextFrame {
            vsn,
            join_ref: None,
            reference: None,
            topic: JsonStr::literal(topic),
            event: JsonStr::literal(event),
            payload,
        },
        out,
    )
}

/// Encodes a binary broadcast (V2 binary kind 2) into `out`: send it as a WebSocket binary
/// message to every V2 connection that joined the topic. Returns the length.
///
/// ```
/// use phx_codec::session::server::encode_binary_broadcast;
/// let mut out = [0u8; 32];
/// let n = encode_binary_broadcast("t", "e", &[1, 2], &mut out)?;
/// assert_eq!(&out[..n], b"\x02\x01\x01te\x01\x02");
/// # Ok::<(), phx_codec::EncodeError>(())
/// ```
pub fn encode_binary_broadcast(
    topic: &str,
    event: &str,
    payload: &[u8],
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    Frame::new(
        None,
        None,
        JsonStr::literal(topic),
        JsonStr::literal(event),
        Payload::Binary(payload),
    )
    .encode_binary_into(Direction::FromServer, out)
}

// --- encoding helpers -----------------------------------------------------------------------

fn push_unescaped<const N: usize>(
    into: &mut FixedString<N>,
    s: JsonStr<'_>,
) -> Result<(), SendError> {
    if let Some(plain) = s.as_str() {
        return into.push_str(plain).map_err(|_| SendError::TooLong);
    }
    for c in s.chars() {
        into.push(c).map_err(|_| SendError::TooLong)?;
    }
    Ok(())
}

/// A server text frame in the connection's form. V1 writes `topic`, `event`, `payload` and
/// `ref` only, as Phoenix's V1 serializer does.
struct TextFrame<'s, P: ?Sized> {
    vsn: Vsn,
    join_ref: Option<JsonStr<'s>>,
    reference: Option<JsonStr<'s>>,
    topic: JsonStr<'s>,
    event: JsonStr<'s>,
    payload: &'s P,
}

fn write_nullable<S: Sink + ?Sized>(
    out: &mut S,
    s: Option<JsonStr<'_>>,
) -> Result<(), EncodeError> {
    match s {
        Some(s) => write_json_str(out, s),
        None => out.put(b"null"),
    }
}

/// Something written as one whole frame.
trait WriteFrame {
    fn write<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError>;
}

impl<P: WriteJson + ?Sized> WriteFrame for TextFrame<'_, P> {
    fn write<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        match self.vsn {
            Vsn::V2 => {
                out.put(b"[")?;
                write_nullable(out, self.join_ref)?;
                out.put(b",")?;
                write_nullable(out, self.reference)?;
                out.put(b",")?;
                write_json_str(out, self.topic)?;
                out.put(b",")?;
                write_json_str(out, self.event)?;
                out.put(b",")?;
                self.payload.write_json(out)?;
                out.put(b"]")
            }
            Vsn::V1 => {
                out.put(b"{\"topic\":")?;
                write_json_str(out, self.topic)?;
                out.put(b",\"event\":")?;
                write_json_str(out, self.event)?;
                out.put(b",\"payload\":")?;
                self.payload.write_json(out)?;
                out.put(b",\"ref\":")?;
                write_nullable(out, self.reference)?;
                out.put(b"}")
            }
        }
    }
}

/// Measures, checks the room, then writes: nothing is written when it does not fit.
fn encode_into<F: WriteFrame>(frame: &F, out: &mut [u8]) -> Result<usize, EncodeError> {
    let mut counter = LenCounter::default();
    frame.write(&mut counter)?;
    let needed = counter.len;
    if needed > out.len() {
        return Err(EncodeError::BufferTooSmall {
            needed,
            available: out.len(),
        });
    }
    let mut sink = SliceSink::new(out);
    frame.write(&mut sink)?;
    Ok(sink.len())
}

/// Owns the reply payload so that a [`TextFrame`] can borrow it.
struct OwnedFrame<'s, P> {
    vsn: Vsn,
    join_ref: Option<JsonStr<'s>>,
    reference: Option<JsonStr<'s>>,
    topic: JsonStr<'s>,
    event: &'static str,
    payload: P,
}

impl<P: WriteJson> WriteFrame for OwnedFrame<'_, P> {
    fn write<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        TextFrame {
            vsn: self.vsn,
            join_ref: self.join_ref,
            reference: self.reference,
            topic: self.topic,
            event: JsonStr::literal(self.event),
            payload: &self.payload,
        }
        .write(out)
    }
}

fn reply_frame<'s, R: WriteJson + ?Sized>(
    vsn: Vsn,
    join_ref: Option<JsonStr<'s>>,
    reference: Option<JsonStr<'s>>,
    topic: JsonStr<'s>,
    status: ReplyStatus<'s>,
    response: &'s R,
) -> OwnedFrame<'s, ReplyPayload<'s, &'s R>> {
    OwnedFrame {
        vsn,
        join_ref,
        reference,
        topic,
        event: "phx_reply",
        payload: ReplyPayload { status, response },
    }
}

fn unmatched_frame<'s>(
    vsn: Vsn,
    reference: Option<JsonStr<'s>>,
    topic: JsonStr<'s>,
) -> OwnedFrame<'s, ReplyPayload<'s, &'s Reason<'static>>> {
    const UNMATCHED: Reason<'static> = Reason {
        reason: JsonStr::literal("unmatched topic"),
    };
    reply_frame(vsn, None, reference, topic, ReplyStatus::Error, &UNMATCHED)
}

fn close_frame<'s>(
    vsn: Vsn,
    join_ref: Option<JsonStr<'s>>,
    topic: JsonStr<'s>,
) -> OwnedFrame<'s, EmptyObject> {
    OwnedFrame {
        vsn,
        join_ref,
        reference: join_ref,
        topic,
        event: "phx_close",
        payload: EmptyObject,
    }
}

/// Writes answers one after the other into the caller's buffer.
struct AnswerWriter<'o> {
    out: &'o mut [u8],
    answers: Answers,
}

impl<'o> AnswerWriter<'o> {
    fn new(out: &'o mut [u8]) -> Self {
        Self {
            out,
            answers: Answers::default(),
        }
    }

    fn write<P: WriteJson>(&mut self, frame: &OwnedFrame<'_, P>) -> Result<(), ReceiveError> {
        let start = if self.answers.count == 0 {
            0
        } else {
            self.answers.ends[0]
        };
        let rest = self.out.get_mut(start..).unwrap_or(&mut []);
        let n = encode_into(frame, rest).map_err(ReceiveError::Output)?;
        if let Some(end) = self.answers.ends.get_mut(self.answers.count) {
            *end = start + n;
            self.answers.count += 1;
        }
        Ok(())
    }

    #[allow(clippy::large_types_passed_by_value)] // moved into the result, which is as large
    fn done(self, event: ServerEvent<'_>) -> Received<'_> {
        Received {
            event,
            answers: self.answers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vsn_follows_the_tilde_arrow_rule() {
        let cases: &[(Option<&str>, Result<Vsn, VsnRejection>)] = &[
            (None, Ok(Vsn::V1)),
            (Some("1.0.0"), Ok(Vsn::V1)),
            (Some("1.0.1"), Ok(Vsn::V1)),
            (Some("2.0.0"), Ok(Vsn::V2)),
            (Some("2.0.1"), Ok(Vsn::V2)),
            (Some("2.0.10+build.5"), Ok(Vsn::V2)),
            (Some("2.0.1-rc.1"), Ok(Vsn::V2)),
            (Some("2.0.0-rc.1"), Err(VsnRejection::Unsupported)),
            (Some("2.1.0"), Err(VsnRejection::Unsupported)),
            (Some("3.0.0"), Err(VsnRejection::Unsupported)),
            (Some("0.9.0"), Err(VsnRejection::Unsupported)),
            (Some("2.0"), Err(VsnRejection::Invalid)),
            (Some("2"), Err(VsnRejection::Invalid)),
            (Some(""), Err(VsnRejection::Invalid)),
            (Some("02.0.0"), Err(VsnRejection::Invalid)),
            (Some("2.0.0.0"), Err(VsnRejection::Invalid)),
            (Some("2.0.0-"), Err(VsnRejection::Invalid)),
            (Some("2.0.0-01"), Err(VsnRejection::Invalid)),
            (Some("v2.0.0"), Err(VsnRejection::Invalid)),
            (Some("garbage"), Err(VsnRejection::Invalid)),
            (
                Some("99999999999999999999999.0.0"),
                Err(VsnRejection::Invalid),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(negotiate_vsn(*input), *want, "vsn {input:?}");
        }
    }

    #[test]
    fn answers_fit_and_are_sliced_in_order() {
        let mut session: ServerSession<2, 16, 8> = ServerSession::new(Vsn::V2, 0);
        let mut out = [0u8; 256];
        let got = session
            .receive(
                0,
                WsMessage::Text(br#"["1","1","t","phx_join",{}]"#),
                &mut out,
            )
            .unwrap();
        let ServerEvent::Join(join) = got.event else {
            panic!("join expected")
        };
        session.accept_join(&join, &EmptyObject, &mut out).unwrap();
        let got = session
            .receive(
                0,
                WsMessage::Text(br#"["1","2","t","phx_leave",{}]"#),
                &mut out,
            )
            .unwrap();
        let frames: std::vec::Vec<&[u8]> = got.frames(&out).collect();
        assert_eq!(
            frames,
            [
                &br#"["1","2","t","phx_reply",{"response":{},"status":"ok"}]"#[..],
                &br#"["1","1","t","phx_close",{}]"#[..],
            ]
        );
    }

    #[test]
    fn too_small_output_is_an_error_not_a_panic() {
        let mut session: ServerSession<2> = ServerSession::new(Vsn::V2, 0);
        let mut out = [0u8; 10];
        let err = session
            .receive(
                0,
                WsMessage::Text(br#"[null,"1","phoenix","heartbeat",{}]"#),
                &mut out,
            )
            .unwrap_err();
        assert!(matches!(
            err,
            ReceiveError::Output(EncodeError::BufferTooSmall { .. })
        ));
        assert_eq!(err.close_code(), CloseCode::InternalError);
    }
}
