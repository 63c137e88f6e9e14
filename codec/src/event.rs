//! [`Event`]: the typed event name of a frame.
//!
//! ```
//! use phx_codec::{decode_text, Event};
//! let frame = decode_text(br#"["1","8","conversation:x","messages:seen",{}]"#).unwrap();
//! assert_eq!(frame.event_kind(), Event::MessagesSeen);
//! assert_eq!(Event::parse("typing".into()).name(), "typing");
//! ```

use core::fmt;

use crate::frame::Frame;
use crate::string::JsonStr;

macro_rules! events {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )*) => {
        /// A frame's event: Phoenix lifecycle events, every Papercups event, and `Other` for
        /// anything else (kept, never an error).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Event<'a> {
            $( $(#[$doc])* $variant, )*
            /// Any other event name, as received.
            Other(JsonStr<'a>),
        }

        impl<'a> Event<'a> {
            /// Every known event name, in declaration order.
            pub const KNOWN: &'static [&'static str] = &[$($name),*];

            /// Recognises an event name (escaped names too, without allocating).
            pub fn parse(name: JsonStr<'a>) -> Self {
                let mut buf = [0u8; 24];
                let text = match name.as_str() {
                    Some(text) => text,
                    None if name.unescaped_len() <= buf.len() => match name.unescape_into(&mut buf) {
                        Ok(text) => text,
                        Err(_) => return Self::Other(name),
                    },
                    None => return Self::Other(name),
                };
                match text {
                    $( $name => Self::$variant, )*
                    _ => Self::Other(name),
                }
            }

            /// The wire name of a known event; `None` for [`Event::Other`].
            pub const fn known_name(&self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($name), )*
                    Self::Other(_) => None,
                }
            }
        }
    };
}

events! {
    /// `phx_join`: a client joins a topic.
    Join = "phx_join",
    /// `phx_reply`: the server answers a push.
    Reply = "phx_reply",
    /// `phx_leave`: a client leaves a topic.
    Leave = "phx_leave",
    /// `phx_close`: the server closed the channel.
    Close = "phx_close",
    /// `phx_error`: the channel crashed.
    Error = "phx_error",
    /// `heartbeat`: keep-alive on topic `phoenix`.
    Heartbeat = "heartbeat",
    /// `shout`: a chat message (client push or server broadcast).
    Shout = "shout",
    /// `messages:seen`: the customer saw the agent's messages.
    MessagesSeen = "messages:seen",
    /// `read`: an agent read a conversation.
    Read = "read",
    /// `ping`: answered with a reply echoing the payload.
    Ping = "ping",
    /// `presence_state`: who is present.
    PresenceState = "presence_state",
    /// `presence_diff`: who joined and left.
    PresenceDiff = "presence_diff",
    /// `conversation:created`.
    ConversationCreated = "conversation:created",
    /// `conversation:updated`.
    ConversationUpdated = "conversation:updated",
    /// `issue:created`.
    IssueCreated = "issue:created",
    /// `issue:updated`.
    IssueUpdated = "issue:updated",
    /// `replay:event:emitted`: a session-replay event.
    ReplayEventEmitted = "replay:event:emitted",
    /// `session:active`.
    SessionActive = "session:active",
    /// `session:inactive`.
    SessionInactive = "session:inactive",
}

impl<'a> Event<'a> {
    /// Whether this is one of Phoenix's own lifecycle events (`phx_*`, `heartbeat`).
    pub const fn is_lifecycle(&self) -> bool {
        matches!(
            self,
            Self::Join | Self::Reply | Self::Leave | Self::Close | Self::Error | Self::Heartbeat
        )
    }

    /// The event name as a string: the known name, or the received one.
    pub fn name(&self) -> JsonStr<'a> {
        match self {
            Self::Other(name) => *name,
            known => JsonStr::literal(known.known_name().unwrap_or("")),
        }
    }
}

impl fmt::Display for Event<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.name(), f)
    }
}

impl<'a> Frame<'a> {
    /// The typed event.
    pub fn event_kind(&self) -> Event<'a> {
        Event::parse(self.event())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_name_round_trips() {
        for &name in Event::KNOWN {
            let event = Event::parse(JsonStr::literal(name));
            assert_eq!(event.known_name(), Some(name));
            assert_eq!(event.name(), name);
        }
    }

    #[test]
    fn escaped_names_are_recognised_and_unknown_kept() {
        let escaped = JsonStr::from_json_body(r"phx_jo\u0069n").unwrap();
        assert_eq!(Event::parse(escaped), Event::Join);
        assert_eq!(
            Event::parse(JsonStr::literal("typing")),
            Event::Other(JsonStr::literal("typing"))
        );
    }
}
