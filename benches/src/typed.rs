//! The hand-written serde structs the `serde_json_typed` implementation decodes into: the
//! fastest thing a user would write by hand with serde_json.
//!
//! Strings are [`Str`], a `Cow<'a, str>` that borrows from the input unless the string has
//! escapes (what `#[serde(borrow)] Cow<'a, str>` does, but also inside `Option` and map keys,
//! where serde's `Cow` impl would always allocate).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A borrowed-when-possible string: `Cow::Borrowed` for strings without escapes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Str<'a>(pub Cow<'a, str>);

impl Str<'_> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

impl Serialize for Str<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The V2 envelope `[join_ref, ref, topic, event, payload]` with a typed payload.
///
/// A tuple struct, so serde reads and writes it as a JSON array: `.0` join_ref, `.1` ref,
/// `.2` topic, `.3` event, `.4` payload.
#[derive(Debug, Deserialize, Serialize)]
pub struct Envelope<'a, P>(
    #[serde(borrow)] pub Option<Str<'a>>,
    #[serde(borrow)] pub Option<Str<'a>>,
    #[serde(borrow)] pub Str<'a>,
    #[serde(borrow)] pub Str<'a>,
    pub P,
);

/// A client `shout` push.
#[derive(Debug, Deserialize, Serialize)]
pub struct ClientShout<'a> {
    /// body.
    #[serde(borrow)]
    pub body: Str<'a>,
    /// customer_id.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<Str<'a>>,
    /// conversation_id.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<Str<'a>>,
    /// sent_at.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<Str<'a>>,
}

/// The server's formatted message (the fields the `shout_server` case has).
#[derive(Debug, Deserialize, Serialize)]
pub struct ServerShout<'a> {
    /// id.
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    /// object.
    #[serde(borrow)]
    pub object: Option<Str<'a>>,
    /// body.
    #[serde(borrow)]
    pub body: Option<Str<'a>>,
    /// type.
    #[serde(borrow, rename = "type")]
    pub kind: Option<Str<'a>>,
    /// content_type.
    #[serde(borrow)]
    pub content_type: Option<Str<'a>>,
    /// private.
    pub private: Option<bool>,
    /// source.
    #[serde(borrow)]
    pub source: Option<Str<'a>>,
    /// created_at.
    #[serde(borrow)]
    pub created_at: Option<Str<'a>>,
    /// sent_at.
    #[serde(borrow)]
    pub sent_at: Option<Str<'a>>,
    /// seen_at.
    #[serde(borrow)]
    pub seen_at: Option<Str<'a>>,
    /// conversation_id.
    #[serde(borrow)]
    pub conversation_id: Option<Str<'a>>,
    /// account_id.
    #[serde(borrow)]
    pub account_id: Option<Str<'a>>,
    /// user_id.
    pub user_id: Option<i64>,
    /// user.
    #[serde(borrow)]
    pub user: Option<User<'a>>,
    /// customer_id.
    #[serde(borrow)]
    pub customer_id: Option<Str<'a>>,
    /// attachments.
    #[serde(borrow, default)]
    pub attachments: Vec<Attachment<'a>>,
    /// metadata.
    pub metadata: Option<HashMap<String, serde_json::Value>>,
}

/// The agent who wrote a message.
#[derive(Debug, Deserialize, Serialize)]
pub struct User<'a> {
    /// id.
    pub id: i64,
    /// object.
    #[serde(borrow)]
    pub object: Option<Str<'a>>,
    /// email.
    #[serde(borrow)]
    pub email: Option<Str<'a>>,
    /// created_at.
    #[serde(borrow)]
    pub created_at: Option<Str<'a>>,
    /// disabled_at.
    #[serde(borrow)]
    pub disabled_at: Option<Str<'a>>,
    /// archived_at.
    #[serde(borrow)]
    pub archived_at: Option<Str<'a>>,
    /// full_name.
    #[serde(borrow)]
    pub full_name: Option<Str<'a>>,
    /// display_name.
    #[serde(borrow)]
    pub display_name: Option<Str<'a>>,
    /// profile_photo_url.
    #[serde(borrow)]
    pub profile_photo_url: Option<Str<'a>>,
    /// role.
    #[serde(borrow)]
    pub role: Option<Str<'a>>,
}

/// A message attachment.
#[derive(Debug, Deserialize, Serialize)]
pub struct Attachment<'a> {
    /// id.
    pub id: i64,
    /// object.
    #[serde(borrow)]
    pub object: Option<Str<'a>>,
    /// file_url.
    #[serde(borrow)]
    pub file_url: Option<Str<'a>>,
    /// content_type.
    #[serde(borrow)]
    pub content_type: Option<Str<'a>>,
    /// filename.
    #[serde(borrow)]
    pub filename: Option<Str<'a>>,
}

/// `phx_join` params.
#[derive(Debug, Deserialize, Serialize)]
pub struct JoinParams<'a> {
    /// customer_id.
    #[serde(borrow)]
    pub customer_id: Option<Str<'a>>,
}

/// An empty object `{}` (unknown members ignored).
#[derive(Debug, Deserialize, Serialize)]
pub struct Empty {}

/// A `phx_reply` payload with an object response (empty for `reply_ok`).
#[derive(Debug, Deserialize, Serialize)]
pub struct Reply<'a> {
    /// status.
    #[serde(borrow)]
    pub status: Option<Str<'a>>,
    /// response.
    pub response: Empty,
}

/// A `presence_state` payload.
pub type PresenceState<'a> = HashMap<Str<'a>, Presence<'a>>;

/// One presence key's metas.
#[derive(Debug, Deserialize, Serialize)]
pub struct Presence<'a> {
    /// metas.
    #[serde(borrow)]
    pub metas: Vec<Meta<'a>>,
}

/// One presence meta (an agent's tab).
#[derive(Debug, Deserialize, Serialize)]
pub struct Meta<'a> {
    /// online_at.
    #[serde(borrow)]
    pub online_at: Option<Str<'a>>,
    /// phx_ref.
    #[serde(borrow)]
    pub phx_ref: Str<'a>,
    /// phx_ref_prev.
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub phx_ref_prev: Option<Str<'a>>,
    /// user_id.
    pub user_id: Option<i64>,
}
