//! What the session hands the application: joins, pushes and leaves, reply addresses, and
//! the answers it already wrote.

use crate::Frame;
use crate::JsonStr;
use crate::Payload;

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

/// A `phx_join` for the application to [accept](super::ServerSession::accept_join) or
/// [refuse](super::ServerSession::refuse_join).
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
    pub(super) frame: Frame<'a>,
    pub(super) replaced: bool,
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
    pub(super) frame: Frame<'a>,
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
    pub(super) ends: [usize; 2],
    pub(super) count: usize,
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

    /// The frames, as slices of the buffer passed to [`ServerSession::receive`](super::ServerSession::receive).
    pub fn frames<'b>(&self, out: &'b [u8]) -> impl Iterator<Item = &'b [u8]> + use<'b> {
        let ends = self.ends;
        (0..self.count).filter_map(move |i| {
            let start = if i == 0 { 0 } else { ends[0] };
            out.get(start..*ends.get(i)?)
        })
    }
}

/// What [`ServerSession::receive`](super::ServerSession::receive) returns: the event and the answers already written.
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
