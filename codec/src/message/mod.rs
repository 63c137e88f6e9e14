//! Typed Papercups messages over a decoded [`Frame`]: one borrowed struct per event.
//! [`Frame::message`] reads the payload once, checks the type of every known field, and never copies.
//!
//! ```
//! use phx_codec::{decode_text, message::Message};
//!
//! let frame = decode_text(br#"["1","5","conversation:5c9b","shout",{"body":"Is anyone there?","customer_id":"c6f1","sent_at":"2026-11-24T15:01:02.003Z"}]"#)?;
//! let Message::Shout(shout) = frame.message()? else { unreachable!() };
//! assert_eq!(shout.body().unwrap(), "Is anyone there?");
//! assert_eq!(shout.customer_id().unwrap(), "c6f1");
//! assert!(shout.is_from_customer() && !shout.is_from_agent());
//! assert!(shout.user().is_none()); // absent
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Rules every typed view follows
//! - **Absent and `null` read the same**: accessors return `None` (or an empty iterator) for both.
//!   The exact payload stays reachable through [`Frame::payload`] and each struct's `raw()`.
//! - **Unknown fields are ignored**; unknown events become [`Message::Other`].
//! - **A known field with the wrong JSON type is an error** ([`MessageError`]), found when
//!   [`Frame::message`] runs (nested objects and arrays included), so accessors never fail.
//!   Its `offset` is the byte offset of the offending value inside the payload's JSON text
//!   ([`RawJson::as_str`](crate::RawJson::as_str) of the payload), `0` for a binary payload.
//! - **Duplicate keys: the last one wins**, as with `JSON.parse` and Jason. Every occurrence of a
//!   known key must still have the right type.
//! - Escaped keys (`"b\u006fdy"`) are recognised; strings stay [`JsonStr`](crate::JsonStr)s, unescaped lazily.
//! - Nested objects (`user`, `customer`) are read in the same pass; arrays (`attachments`,
//!   `file_ids`, `mentioned_user_ids`) are checked in that pass and walked again, lazily, by
//!   their iterators.

mod chat;
mod entry;
mod error;
mod lifecycle;
mod lists;
mod notices;
pub(crate) mod onepass;
pub mod presence;
mod presence_items;
mod presence_meta;
mod presence_stream;
mod scanning;
mod view;
mod view_macros;
mod walk;

pub use self::chat::{Attachment, Attachments, Customer, Read, Shout, User};
pub use self::error::{MessageError, MessageErrorKind};
pub use self::lifecycle::{Join, PhxError, Ping, Reply, ReplyStatus, Response};
pub use self::lists::{FileId, FileIds, Integers};
pub use self::notices::{ConversationCreated, ConversationUpdated, Issue, ReplayEvent};
pub use self::presence::{PresenceDiff, PresenceState};

use crate::event::{KnownEvent as E, event_table};
use crate::frame::Frame;
use crate::message::view::{TypedObject, is_plain, payload_object};
use crate::topic::Topic;

/// Generates [`Message`] from the event table ([`Event`](crate::Event)'s, in `event.rs`).
macro_rules! define_messages {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal $(($view:ident))?, )*) => {
        /// A frame's typed meaning, chosen by its event (and topic, for `heartbeat`).
        ///
        /// With the `serde` feature it serializes as `{"message": <name>, "payload": {..}}`
        /// (typed fields only; absent and null fields are left out).
        ///
        /// ```
        /// use phx_codec::{decode_text, message::Message};
        /// let frame = decode_text(br#"["1","1","conversation:9","phx_join",{"customer_id":"c1"}]"#)?;
        /// let message = frame.message()?;
        /// assert_eq!(message.name(), "phx_join");
        /// let Message::Join(join) = message else { unreachable!() };
        /// assert_eq!(join.customer_id().unwrap(), "c1");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[cfg_attr(
            feature = "serde",
            derive(serde::Serialize),
            serde(tag = "message", content = "payload")
        )]
        // Not `#[non_exhaustive]`: a new event is a new variant, and every exhaustive `match`
        // (the test walkers, the fuzz bodies) must fail to compile until it handles it.
        // `Shout` embeds its `user` and `customer` so that reading them is free; without an
        // allocator there is nothing to box them in, and a message lives on the stack for a
        // moment.
        #[allow(clippy::large_enum_variant)]
        pub enum Message<'a> {
            $(
                $(#[$doc])*
                #[cfg_attr(feature = "serde", serde(rename = $name))]
                $variant $(($view<'a>))?,
            )*
            /// Anything the spec has no typed message for; read the frame itself.
            #[cfg_attr(feature = "serde", serde(rename = "other"))]
            Other,
        }

        impl Message<'_> {
            /// The message's name: the event name for typed messages (`"shout"`,
            /// `"phx_reply"`...), `"other"` otherwise.
            ///
            /// ```
            /// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
            /// assert_eq!(frame.message()?.name(), "heartbeat");
            /// # Ok::<(), Box<dyn std::error::Error>>(())
            /// ```
            pub const fn name(&self) -> &'static str {
                match self {
                    $( Self::$variant { .. } => $name, )*
                    Self::Other => "other",
                }
            }
        }
    };
}

event_table!(define_messages);

/// `Message::Shout`, filled where it is returned: the largest view is never copied.
fn shout_message<'a>(frame: &Frame<'a>) -> Result<Message<'a>, MessageError> {
    let raw = payload_object(frame)?;
    let Some(members) = frame.payload_members() else {
        return Err(MessageError {
            kind: MessageErrorKind::PayloadNotObject { found: raw.kind() },
            offset: 0,
        });
    };
    let plain = frame.payload_plain().unwrap_or_else(|| is_plain(raw));
    let mut message = Ok(Message::Shout(Shout::empty(raw, plain)));
    if let Ok(Message::Shout(shout)) = &mut message
        && let Err(err) = shout.fill(members, raw.as_str())
    {
        message = Err(err);
    }
    message
}

impl<'a> Frame<'a> {
    /// The typed message, read in one pass over the payload.
    ///
    /// Fails when a known field has the wrong JSON type, when a message that needs an object
    /// payload has another value, or when it needs JSON and the payload is binary. Messages
    /// without fields (`phx_leave`, `phx_close`, `heartbeat`, `messages:seen`, `session:*`)
    /// and [`Message::Other`] never fail. See the [module docs](crate::message) for the rules.
    ///
    /// ```
    /// use phx_codec::{decode_text, message::Message};
    /// let frame = decode_text(br#"[null,null,"t","shout",{"body":5}]"#)?;
    /// assert!(frame.message().is_err()); // a known field with the wrong type
    /// let other = decode_text(br#"[null,null,"t","typing",{}]"#)?;
    /// assert_eq!(other.message()?, Message::Other);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message(&self) -> Result<Message<'a>, MessageError> {
        // On the one-byte `KnownEvent`, not `event_kind()`'s `Event` (see `KnownEvent`).
        let Some(event) = self.known_event() else {
            return Ok(Message::Other);
        };
        Ok(match event {
            E::Join => Message::Join(Join::from_frame(self)?),
            E::Reply => Message::Reply(Reply::from_frame(self)?),
            E::Leave => Message::Leave,
            E::Close => Message::Close,
            E::Error => Message::Error(PhxError::from_frame(self)?),
            E::Heartbeat if self.topic_kind() == Topic::Phoenix => Message::Heartbeat,
            E::Shout => return shout_message(self),
            E::MessagesSeen => Message::MessagesSeen,
            E::Read => Message::Read(Read::from_frame(self)?),
            E::Ping => Message::Ping(Ping::new(self.payload())),
            E::PresenceState => Message::PresenceState(PresenceState::from_frame(self)?),
            E::PresenceDiff => Message::PresenceDiff(PresenceDiff::from_frame(self)?),
            E::ConversationCreated => {
                Message::ConversationCreated(ConversationCreated::from_frame(self)?)
            }
            E::ConversationUpdated => {
                Message::ConversationUpdated(ConversationUpdated::from_frame(self)?)
            }
            E::IssueCreated => Message::IssueCreated(Issue::from_issue_frame(self)?),
            E::IssueUpdated => Message::IssueUpdated(Issue::from_issue_frame(self)?),
            E::ReplayEventEmitted => Message::ReplayEventEmitted(ReplayEvent::from_frame(self)?),
            E::SessionActive => Message::SessionActive,
            E::SessionInactive => Message::SessionInactive,
            // `heartbeat` is typed on topic `phoenix` only.
            E::Heartbeat => Message::Other,
        })
    }
}
