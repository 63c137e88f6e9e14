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

/// **The one table of event names.** Each row is an event: its [`Event`] variant and wire
/// name, then the view its [`Message`](crate::message::Message) variant carries, if any. Both
/// enums are generated from it (`Event` here, `Message` in `message`), so `Event::parse`,
/// `Message::name` and the serde names cannot disagree. To add an event: a row here, a view in
/// `message/`, an arm in `Frame::message` (the compiler asks for it).
macro_rules! event_table {
    ($then:ident) => {
        $then! {
            /// `phx_join`: a client joins a topic, with its params.
            Join = "phx_join" (Join),
            /// `phx_reply`: the server answers a push (status and response, JSON or binary).
            Reply = "phx_reply" (Reply),
            /// `phx_leave`: a client leaves a topic (the payload, `{}`, is not read).
            Leave = "phx_leave",
            /// `phx_close`: the server closed the channel (the payload, `{}`, is not read).
            Close = "phx_close",
            /// `phx_error`: the channel crashed, with its reason.
            Error = "phx_error" (PhxError),
            /// `heartbeat`: keep-alive on topic `phoenix` (as a message, only on that topic).
            Heartbeat = "heartbeat",
            /// `shout`: a chat message (client push or server broadcast).
            Shout = "shout" (Shout),
            /// `messages:seen`: the customer saw the agent's messages (the payload is not read).
            MessagesSeen = "messages:seen",
            /// `read`: an agent read a conversation.
            Read = "read" (Read),
            /// `ping`: answered with a reply echoing the payload.
            Ping = "ping" (Ping),
            /// `presence_state`: who is present.
            PresenceState = "presence_state" (PresenceState),
            /// `presence_diff`: who joined and left.
            PresenceDiff = "presence_diff" (PresenceDiff),
            /// `conversation:created`.
            ConversationCreated = "conversation:created" (ConversationCreated),
            /// `conversation:updated`.
            ConversationUpdated = "conversation:updated" (ConversationUpdated),
            /// `issue:created`.
            IssueCreated = "issue:created" (Issue),
            /// `issue:updated`.
            IssueUpdated = "issue:updated" (Issue),
            /// `replay:event:emitted`: a session-replay event.
            ReplayEventEmitted = "replay:event:emitted" (ReplayEvent),
            /// `session:active` (the payload is not read).
            SessionActive = "session:active",
            /// `session:inactive` (the payload is not read).
            SessionInactive = "session:inactive",
        }
    };
}
pub(crate) use event_table;

/// Generates [`Event`] from [`event_table!`].
macro_rules! define_events {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal $(($view:ident))?, )*) => {
        /// A frame's event: Phoenix lifecycle events, every Papercups event, and `Other` for
        /// anything else (kept, never an error).
        ///
        /// ```
        /// use phx_codec::Event;
        /// assert_eq!(Event::parse("shout".into()), Event::Shout);
        /// assert_eq!(Event::Shout.known_name(), Some("shout"));
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Event<'a> {
            $( $(#[$doc])* $variant, )*
            /// Any other event name, as received.
            Other(JsonStr<'a>),
        }

        impl<'a> Event<'a> {
            /// Every known event name, in declaration order.
            ///
            /// ```
            /// assert!(phx_codec::Event::KNOWN.contains(&"presence_diff"));
            /// ```
            pub const KNOWN: &'static [&'static str] = &[$($name),*];

            /// Recognises an event name (escaped names too, without allocating).
            ///
            /// ```
            /// use phx_codec::{Event, JsonStr};
            /// let escaped = JsonStr::from_json_body(r"phx_jo\u0069n")?;
            /// assert_eq!(Event::parse(escaped), Event::Join);
            /// assert!(matches!(Event::parse("typing".into()), Event::Other(name) if name == "typing"));
            /// # Ok::<(), phx_codec::DecodeError>(())
            /// ```
            pub fn parse(name: JsonStr<'a>) -> Self {
                match KnownEvent::of(name) {
                    Some(known) => known.event(),
                    None => Self::Other(name),
                }
            }

            /// The wire name of a known event; `None` for [`Event::Other`].
            ///
            /// ```
            /// use phx_codec::Event;
            /// assert_eq!(Event::MessagesSeen.known_name(), Some("messages:seen"));
            /// assert_eq!(Event::parse("typing".into()).known_name(), None);
            /// ```
            pub const fn known_name(&self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($name), )*
                    Self::Other(_) => None,
                }
            }
        }
    };
}

event_table!(define_events);

/// Generates [`KnownEvent`] from [`event_table!`].
macro_rules! define_known_events {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal $(($view:ident))?, )*) => {
        /// The known events without [`Event::Other`]'s name: one byte, so code that only
        /// branches on the event (`Frame::message`) never builds, stores and reloads an
        /// [`Event`] with its name inside. Matching `Event::parse`'s answer instead stalled
        /// x86-64 on store-to-load forwarding (a heartbeat's `message()` reloaded the name's
        /// one-byte flags as eight bytes; `perf record`, about a fifth of a heartbeat's
        /// `typed` time).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum KnownEvent {
            $( $variant, )*
        }

        impl KnownEvent {
            /// The known event named `name` (escaped names too), if any.
            #[inline]
            pub(crate) fn of(name: JsonStr<'_>) -> Option<Self> {
                match name.as_str() {
                    Some(text) => Self::named(text.as_bytes()),
                    None => Self::of_escaped(name),
                }
            }

            /// [`KnownEvent::of`] a name with escapes: unescaped into a buffer first (out of
            /// line, so the common path sets up no buffer).
            #[cold]
            #[inline(never)]
            fn of_escaped(name: JsonStr<'_>) -> Option<Self> {
                let mut buf = [0u8; 24];
                if name.unescaped_len() > buf.len() {
                    return None;
                }
                name.unescape_into(&mut buf)
                    .ok()
                    .and_then(|text| Self::named(text.as_bytes()))
            }

            /// The known event named `bytes`, if any.
            ///
            /// Matched as bytes against byte-slice constants (a switch on the length, then on
            /// the bytes) rather than as `&str` against string literals, which compares the
            /// name with each row in turn (callgrind, a heartbeat's `Frame::message`: -12).
            #[inline]
            fn named(bytes: &[u8]) -> Option<Self> {
                #[allow(non_upper_case_globals)]
                mod names {
                    $( pub(super) const $variant: &[u8] = $name.as_bytes(); )*
                }
                match bytes {
                    $( names::$variant => Some(Self::$variant), )*
                    _ => None,
                }
            }

            /// The [`Event`] it is.
            #[inline]
            pub(crate) const fn event<'a>(self) -> Event<'a> {
                match self {
                    $( Self::$variant => Event::$variant, )*
                }
            }
        }
    };
}

event_table!(define_known_events);

impl<'a> Event<'a> {
    /// Whether this is one of Phoenix's own lifecycle events (`phx_*`, `heartbeat`).
    ///
    /// ```
    /// use phx_codec::Event;
    /// assert!(Event::Heartbeat.is_lifecycle());
    /// assert!(!Event::Shout.is_lifecycle());
    /// ```
    pub const fn is_lifecycle(&self) -> bool {
        matches!(
            self,
            Self::Join | Self::Reply | Self::Leave | Self::Close | Self::Error | Self::Heartbeat
        )
    }

    /// The event name as a string: the known name, or the received one.
    ///
    /// ```
    /// use phx_codec::Event;
    /// assert_eq!(Event::PresenceDiff.name(), "presence_diff");
    /// assert_eq!(Event::parse("typing".into()).name(), "typing");
    /// ```
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
    ///
    /// ```
    /// let frame = phx_codec::decode_text(br#"[null,null,"room:1","presence_state",{}]"#)?;
    /// assert_eq!(frame.event_kind(), phx_codec::Event::PresenceState);
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn event_kind(&self) -> Event<'a> {
        Event::parse(self.event())
    }

    /// The frame's event when it is a known one ([`Frame::event_kind`] without
    /// [`Event::Other`]'s name).
    #[inline]
    pub(crate) fn known_event(&self) -> Option<KnownEvent> {
        KnownEvent::of(self.event())
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

    /// The byte match against the reference (`==` on the names): every known name, escaped
    /// in full, cut short, one byte longer and with each byte changed, is what the table says.
    #[test]
    fn parse_agrees_with_comparing_names() {
        use std::string::String;
        let reference = |text: &str| {
            Event::KNOWN
                .iter()
                .position(|&known| known == text)
                .map(|i| Event::KNOWN.get(i).copied())
        };
        for &name in Event::KNOWN {
            let mut variants = std::vec![String::from(name), std::format!("{name}x")];
            for cut in 0..name.len() {
                variants.push(name.get(..cut).unwrap_or_default().into());
            }
            for at in 0..name.len() {
                let mut bytes = name.as_bytes().to_vec();
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 0x20;
                }
                variants.push(String::from_utf8(bytes).unwrap());
            }
            for text in &variants {
                let parsed = Event::parse(JsonStr::literal(text));
                match reference(text) {
                    Some(known) => assert_eq!(parsed.known_name(), known, "{text}"),
                    None => assert_eq!(parsed, Event::Other(JsonStr::literal(text)), "{text}"),
                }
            }
            // Escaped whole (each character as `\u00XX`): the same event.
            let mut escaped = String::new();
            for c in name.chars() {
                core::fmt::Write::write_fmt(&mut escaped, format_args!("\\u{:04x}", u32::from(c)))
                    .unwrap();
            }
            let parsed = Event::parse(JsonStr::from_json_body(&escaped).unwrap());
            assert_eq!(parsed.known_name(), Some(name), "{escaped}");
        }
    }
}
