//! Typed Papercups messages over a decoded [`Frame`].
//!
//! (Scaffold: the classification and names are final; the typed payload views are being
//! filled in.)

use core::fmt;

use crate::event::Event;
use crate::frame::Frame;
use crate::raw::RawJson;
use crate::topic::Topic;

/// A frame's typed meaning, chosen by its event (and topic, for `heartbeat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message<'a> {
    /// `phx_join` with its params.
    Join(Option<RawJson<'a>>),
    /// `phx_reply`.
    Reply(Option<RawJson<'a>>),
    /// `phx_leave`.
    Leave,
    /// `phx_close`.
    Close,
    /// `phx_error`.
    Error(Option<RawJson<'a>>),
    /// `heartbeat` on topic `phoenix`.
    Heartbeat,
    /// `shout`.
    Shout(Option<RawJson<'a>>),
    /// `messages:seen`.
    MessagesSeen,
    /// `read`.
    Read(Option<RawJson<'a>>),
    /// `ping`.
    Ping(Option<RawJson<'a>>),
    /// `presence_state`.
    PresenceState(Option<RawJson<'a>>),
    /// `presence_diff`.
    PresenceDiff(Option<RawJson<'a>>),
    /// `conversation:created`.
    ConversationCreated(Option<RawJson<'a>>),
    /// `conversation:updated`.
    ConversationUpdated(Option<RawJson<'a>>),
    /// `issue:created`.
    IssueCreated(Option<RawJson<'a>>),
    /// `issue:updated`.
    IssueUpdated(Option<RawJson<'a>>),
    /// `replay:event:emitted`.
    ReplayEventEmitted(Option<RawJson<'a>>),
    /// `session:active`.
    SessionActive(Option<RawJson<'a>>),
    /// `session:inactive`.
    SessionInactive(Option<RawJson<'a>>),
    /// Anything the spec has no typed message for.
    Other,
}

impl Message<'_> {
    /// The message's name: the event name for typed messages (`"shout"`, `"phx_reply"`...),
    /// `"other"` otherwise.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Join(_) => "phx_join",
            Self::Reply(_) => "phx_reply",
            Self::Leave => "phx_leave",
            Self::Close => "phx_close",
            Self::Error(_) => "phx_error",
            Self::Heartbeat => "heartbeat",
            Self::Shout(_) => "shout",
            Self::MessagesSeen => "messages:seen",
            Self::Read(_) => "read",
            Self::Ping(_) => "ping",
            Self::PresenceState(_) => "presence_state",
            Self::PresenceDiff(_) => "presence_diff",
            Self::ConversationCreated(_) => "conversation:created",
            Self::ConversationUpdated(_) => "conversation:updated",
            Self::IssueCreated(_) => "issue:created",
            Self::IssueUpdated(_) => "issue:updated",
            Self::ReplayEventEmitted(_) => "replay:event:emitted",
            Self::SessionActive(_) => "session:active",
            Self::SessionInactive(_) => "session:inactive",
            Self::Other => "other",
        }
    }
}

/// A frame whose payload does not fit its event's typed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageError {
    /// Byte offset into the payload where the problem is.
    pub offset: usize,
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "payload does not fit the message at byte {}",
            self.offset
        )
    }
}

impl core::error::Error for MessageError {}

impl<'a> Frame<'a> {
    /// The typed message.
    pub fn message(&self) -> Result<Message<'a>, MessageError> {
        let p = self.payload_json();
        Ok(match self.event_kind() {
            Event::Join => Message::Join(p),
            Event::Reply => Message::Reply(p),
            Event::Leave => Message::Leave,
            Event::Close => Message::Close,
            Event::Error => Message::Error(p),
            Event::Heartbeat if self.topic_kind() == Topic::Phoenix => Message::Heartbeat,
            Event::Shout => Message::Shout(p),
            Event::MessagesSeen => Message::MessagesSeen,
            Event::Read => Message::Read(p),
            Event::Ping => Message::Ping(p),
            Event::PresenceState => Message::PresenceState(p),
            Event::PresenceDiff => Message::PresenceDiff(p),
            Event::ConversationCreated => Message::ConversationCreated(p),
            Event::ConversationUpdated => Message::ConversationUpdated(p),
            Event::IssueCreated => Message::IssueCreated(p),
            Event::IssueUpdated => Message::IssueUpdated(p),
            Event::ReplayEventEmitted => Message::ReplayEventEmitted(p),
            Event::SessionActive => Message::SessionActive(p),
            Event::SessionInactive => Message::SessionInactive(p),
            _ => Message::Other,
        })
    }
}
