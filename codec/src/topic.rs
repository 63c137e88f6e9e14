//! [`Topic`]: the typed form of a Papercups topic, with its ids borrowed from the frame.
//!
//! ```
//! use phx_codec::{decode_text, Topic};
//! let frame = decode_text(br#"["1","1","conversation:5c9b","phx_join",{}]"#).unwrap();
//! assert!(matches!(frame.topic_kind(), Topic::Conversation { id } if id == "5c9b"));
//! assert_eq!(Topic::parse("conversation:lobby".into()), Topic::ConversationLobby { customer_id: None });
//! ```

use core::fmt;

use crate::frame::Frame;
use crate::string::JsonStr;

/// A topic, typed. Ids stay [`JsonStr`]s borrowed from the frame (escaped topics work).
///
/// ```
/// use phx_codec::Topic;
/// match Topic::parse("conversation:lobby:c1".into()) {
///     Topic::ConversationLobby { customer_id } => assert_eq!(customer_id.unwrap(), "c1"),
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Topic<'a> {
    /// `phoenix`: heartbeats.
    Phoenix,
    /// `conversation:{conversation_id}`: one chat, joined by the widget and the dashboard.
    Conversation {
        /// The conversation UUID.
        id: JsonStr<'a>,
    },
    /// `conversation:lobby:{customer_id}` or bare `conversation:lobby`: new-conversation
    /// notices for a customer's widget.
    ConversationLobby {
        /// The customer UUID, when the topic names one.
        customer_id: Option<JsonStr<'a>>,
    },
    /// `room:{account_id}`: agents online in an account.
    Room {
        /// The account UUID.
        account_id: JsonStr<'a>,
    },
    /// `notification:{account_id}`: the agents' dashboard feed.
    Notification {
        /// The account UUID.
        account_id: JsonStr<'a>,
    },
    /// `events:admin:{…}`: session replay, dashboard side.
    EventsAdmin {
        /// Everything after `events:admin:`.
        rest: JsonStr<'a>,
    },
    /// `events:{account_id}:{customer_id}`: session replay, widget side.
    Events {
        /// The account UUID.
        account_id: JsonStr<'a>,
        /// The customer UUID, when present.
        customer_id: Option<JsonStr<'a>>,
    },
    /// `issue:lobby:{customer_id}`: issue notices for a customer.
    IssueLobby {
        /// The customer UUID.
        customer_id: JsonStr<'a>,
    },
    /// Any other `issue:…` topic.
    Issue {
        /// Everything after `issue:`.
        rest: JsonStr<'a>,
    },
    /// Any other topic, as received.
    Other(JsonStr<'a>),
}

impl<'a> Topic<'a> {
    /// Recognises a topic.
    ///
    /// ```
    /// use phx_codec::Topic;
    /// assert_eq!(Topic::parse("phoenix".into()), Topic::Phoenix);
    /// assert!(matches!(Topic::parse("room:acc1".into()), Topic::Room { account_id } if account_id == "acc1"));
    /// assert!(matches!(Topic::parse("lobby".into()), Topic::Other(_)));
    /// ```
    pub fn parse(topic: JsonStr<'a>) -> Self {
        // A plain `phoenix` by a byte pattern (a few compares; `eq_str` calls `memcmp`).
        let phoenix = match topic.as_str() {
            Some(text) => matches!(text.as_bytes(), b"phoenix"),
            None => topic.eq_str("phoenix"),
        };
        if phoenix {
            return Self::Phoenix;
        }
        if let Some(rest) = topic.strip_prefix("conversation:") {
            if rest.eq_str("lobby") {
                return Self::ConversationLobby { customer_id: None };
            }
            if let Some(customer_id) = rest.strip_prefix("lobby:") {
                return Self::ConversationLobby {
                    customer_id: Some(customer_id),
                };
            }
            return Self::Conversation { id: rest };
        }
        if let Some(account_id) = topic.strip_prefix("room:") {
            return Self::Room { account_id };
        }
        if let Some(account_id) = topic.strip_prefix("notification:") {
            return Self::Notification { account_id };
        }
        if let Some(rest) = topic.strip_prefix("events:") {
            if let Some(rest) = rest.strip_prefix("admin:") {
                return Self::EventsAdmin { rest };
            }
            return match rest.split_once(':') {
                Some((account_id, customer_id)) => Self::Events {
                    account_id,
                    customer_id: Some(customer_id),
                },
                None => Self::Events {
                    account_id: rest,
                    customer_id: None,
                },
            };
        }
        if let Some(rest) = topic.strip_prefix("issue:") {
            if let Some(customer_id) = rest.strip_prefix("lobby:") {
                return Self::IssueLobby { customer_id };
            }
            return Self::Issue { rest };
        }
        Self::Other(topic)
    }

    /// A short name for the kind of topic (`"conversation"`, `"room"`, `"other"`...).
    ///
    /// ```
    /// assert_eq!(phx_codec::Topic::parse("notification:a1".into()).kind_name(), "notification");
    /// ```
    pub const fn kind_name(&self) -> &'static str {
        match self {
            Self::Phoenix => "phoenix",
            Self::Conversation { .. } => "conversation",
            Self::ConversationLobby { .. } => "conversation_lobby",
            Self::Room { .. } => "room",
            Self::Notification { .. } => "notification",
            Self::EventsAdmin { .. } => "events_admin",
            Self::Events { .. } => "events",
            Self::IssueLobby { .. } => "issue_lobby",
            Self::Issue { .. } => "issue",
            Self::Other(_) => "other",
        }
    }
}

impl fmt::Display for Topic<'_> {
    /// Writes the topic back as its wire string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Phoenix => f.write_str("phoenix"),
            Self::Conversation { id } => write!(f, "conversation:{id}"),
            Self::ConversationLobby { customer_id: None } => f.write_str("conversation:lobby"),
            Self::ConversationLobby {
                customer_id: Some(id),
            } => write!(f, "conversation:lobby:{id}"),
            Self::Room { account_id } => write!(f, "room:{account_id}"),
            Self::Notification { account_id } => write!(f, "notification:{account_id}"),
            Self::EventsAdmin { rest } => write!(f, "events:admin:{rest}"),
            Self::Events {
                account_id,
                customer_id: None,
            } => write!(f, "events:{account_id}"),
            Self::Events {
                account_id,
                customer_id: Some(c),
            } => write!(f, "events:{account_id}:{c}"),
            Self::IssueLobby { customer_id } => write!(f, "issue:lobby:{customer_id}"),
            Self::Issue { rest } => write!(f, "issue:{rest}"),
            Self::Other(topic) => write!(f, "{topic}"),
        }
    }
}

impl<'a> Frame<'a> {
    /// The typed topic.
    ///
    /// ```
    /// use phx_codec::Topic;
    /// let frame = phx_codec::decode_text(br#"["1","1","conversation:5c9b","phx_join",{}]"#)?;
    /// assert!(matches!(frame.topic_kind(), Topic::Conversation { id } if id == "5c9b"));
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn topic_kind(&self) -> Topic<'a> {
        Topic::parse(self.topic())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn recognises_every_papercups_topic_and_writes_it_back() {
        for (text, kind) in [
            ("phoenix", "phoenix"),
            ("conversation:5c9b", "conversation"),
            ("conversation:lobby", "conversation_lobby"),
            ("conversation:lobby:c6f1", "conversation_lobby"),
            ("room:2ebb", "room"),
            ("notification:2ebb", "notification"),
            ("events:2ebb:c6f1", "events"),
            ("events:2ebb", "events"),
            ("events:admin:2ebb:all", "events_admin"),
            ("issue:lobby:c6f1", "issue_lobby"),
            ("issue:7", "issue"),
            ("nope:1", "other"),
            ("", "other"),
        ] {
            let topic = Topic::parse(JsonStr::literal(text));
            assert_eq!(topic.kind_name(), kind, "{text}");
            assert_eq!(topic.to_string(), text);
        }
    }

    #[test]
    fn phoenix_is_recognised_plain_or_escaped_and_near_misses_are_not() {
        assert_eq!(Topic::parse(JsonStr::literal("phoenix")), Topic::Phoenix);
        let escaped = JsonStr::from_json_body(r"phoeni\u0078").unwrap();
        assert_eq!(Topic::parse(escaped), Topic::Phoenix);
        for near in ["phoeni", "phoenixx", "Phoenix", "phoenix:", "xhoenix", ""] {
            assert_eq!(
                Topic::parse(JsonStr::literal(near)),
                Topic::Other(JsonStr::literal(near)),
                "{near}"
            );
        }
    }

    #[test]
    fn escaped_topics_keep_their_ids() {
        let escaped = JsonStr::from_json_body(r"room:\u0061cc").unwrap();
        assert!(matches!(Topic::parse(escaped), Topic::Room { account_id } if account_id == "acc"));
    }
}
