//! The public types of the client session: channel states and ids, errors, transport actions
//! and the events handed to the caller.

use core::fmt;

use crate::Frame;
use crate::JsonStr;
use crate::RawJson;

/// The longest topic or event name a session stores, in bytes (a binary frame's header field
/// holds at most 255).
pub const MAX_NAME_LEN: usize = 255;

pub(super) const EVENT_JOIN: &str = "phx_join";
pub(super) const EVENT_LEAVE: &str = "phx_leave";
pub(super) const EVENT_REPLY: &str = "phx_reply";
pub(super) const EVENT_ERROR: &str = "phx_error";
pub(super) const EVENT_CLOSE: &str = "phx_close";
pub(super) const WS_CLOSE_NORMAL: u16 = 1000;

/// A channel's state, as phoenix.js names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelState {
    /// Not joined (before the join, after a leave or a server `phx_close`).
    Closed,
    /// Errored (join error or timeout, `phx_error`, transport lost); a rejoin is scheduled.
    Errored,
    /// Joined.
    Joined,
    /// A `phx_join` is on its way.
    Joining,
    /// Leaving (momentarily: a leave completes at once).
    Leaving,
}

impl ChannelState {
    /// `"closed"`, `"errored"`, `"joined"`, `"joining"` or `"leaving"`.
    ///
    /// ```
    /// assert_eq!(phx_codec::session::client::ChannelState::Joined.as_str(), "joined");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Errored => "errored",
            Self::Joined => "joined",
            Self::Joining => "joining",
            Self::Leaving => "leaving",
        }
    }
}

/// A channel of a session (stale once its slot is reused: calls then fail with
/// [`SessionError::UnknownChannel`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChannelId {
    pub(super) index: u16,
    pub(super) generation: u32,
}

/// A push, named in its outcome event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PushId {
    pub(super) index: u16,
    pub(super) generation: u32,
}

/// What a session refuses to do. Nothing changed when a call returns one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// Every channel slot holds a channel that is not closed.
    ChannelsFull,
    /// Every push slot holds a push that has no outcome yet.
    PushesFull,
    /// The channel id is stale or was never issued by this session.
    UnknownChannel,
    /// A topic or event is longer than [`MAX_NAME_LEN`] bytes.
    NameTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A payload or join params do not fit the session's payload capacity.
    PayloadTooLarge {
        /// The payload's length in bytes.
        len: usize,
        /// The capacity.
        capacity: usize,
    },
    /// Binary pushes need the V2 serializer.
    BinaryNeedsV2,
    /// [`poll_frame`](super::ClientSession::poll_frame)'s buffer cannot hold the next frame (it stays
    /// queued).
    BufferTooSmall {
        /// The frame's length.
        needed: usize,
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChannelsFull => f.write_str("every channel slot is in use"),
            Self::PushesFull => f.write_str("every push slot is in use"),
            Self::UnknownChannel => f.write_str("unknown or stale channel id"),
            Self::NameTooLong { len } => {
                write!(f, "topic or event of {len} bytes (at most {MAX_NAME_LEN})")
            }
            Self::PayloadTooLarge { len, capacity } => {
                write!(f, "payload of {len} bytes (capacity {capacity})")
            }
            Self::BinaryNeedsV2 => f.write_str("binary pushes need vsn 2.0.0"),
            Self::BufferTooSmall { needed } => {
                write!(f, "the next frame needs a buffer of {needed} bytes")
            }
        }
    }
}

impl core::error::Error for SessionError {}

/// What the transport should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportAction {
    /// Open a new WebSocket (to `…/websocket?vsn=…`); report it with
    /// [`handle_opened`](super::ClientSession::handle_opened) or
    /// [`handle_closed`](super::ClientSession::handle_closed).
    Open,
    /// Close the WebSocket with this code. The session considers it closed already; its close
    /// event need not be reported.
    Close(u16),
}

/// A frame [`poll_frame`](super::ClientSession::poll_frame) wrote: send that many bytes as a text or a
/// binary WebSocket message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// A text message of this length.
    Text(usize),
    /// A binary message of this length.
    Binary(usize),
}

/// A reply's response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response<'a> {
    /// A JSON response.
    Json(RawJson<'a>),
    /// A binary reply's bytes.
    Binary(&'a [u8]),
    /// The reply payload has no `response`.
    Absent,
}

/// How a join or push ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// A `phx_reply` arrived. `status` is `"ok"`, `"error"` or whatever the server sent (`None`
    /// when the reply has no string status).
    Reply {
        /// The reply's status.
        status: Option<JsonStr<'a>>,
        /// The reply's response.
        response: Response<'a>,
    },
    /// No reply within the timeout.
    Timeout,
}

impl Outcome<'_> {
    /// `"ok"`, `"error"`, `"timeout"`, another status, or `""` when the reply had none.
    pub fn status_is(&self, status: &str) -> bool {
        match self {
            Self::Reply { status: s, .. } => s.is_some_and(|s| s.eq_str(status)),
            Self::Timeout => status == "timeout",
        }
    }
}

/// What the application sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // passed to a callback once, never stored
pub enum Event<'a> {
    /// A channel's state changed.
    State {
        /// The channel.
        channel: ChannelId,
        /// Its new state.
        state: ChannelState,
    },
    /// A join (or rejoin) ended.
    Join {
        /// The channel.
        channel: ChannelId,
        /// The outcome.
        outcome: Outcome<'a>,
    },
    /// A push ended. Every push accepted by [`push`](super::ClientSession::push) gets exactly one.
    Push {
        /// The push.
        push: PushId,
        /// Its channel.
        channel: ChannelId,
        /// The outcome.
        outcome: Outcome<'a>,
    },
    /// A [`leave`](super::ClientSession::leave) completed (phoenix.js's leave `"ok"` with `{}`).
    Left {
        /// The channel.
        channel: ChannelId,
    },
    /// A message for the channel (events starting with `phx_` are not passed on).
    Message {
        /// The channel.
        channel: ChannelId,
        /// The frame, borrowed from the message passed to
        /// [`handle_message`](super::ClientSession::handle_message).
        frame: Frame<'a>,
    },
}
