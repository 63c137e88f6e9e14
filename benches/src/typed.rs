//! The hand-written serde structs `serde_json_typed` and `sonic_rs` decode into and encode
//! from: the fastest thing a user would write by hand with serde_json or sonic-rs.
//!
//! Decoding structs hold every field of [`crate::fields`] (so both libraries parse exactly
//! what phx's typed views expose); encoding structs (`*Out`) hold the members of the case's
//! frame in the order phx-codec's `outgoing` builders write them.
//!
//! Strings are [`Str`], a `Cow<'a, str>` that borrows from the input unless the string has
//! escapes (what `#[serde(borrow)] Cow<'a, str>` does, but also inside `Option` and map keys,
//! where serde's `Cow` impl would always allocate).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

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

/// The member count of an object (values skipped unread).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count(pub usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl<'de> Visitor<'de> for CountVisitor {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Count, A::Error> {
                let mut n = 0;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
                    n += 1;
                }
                Ok(Count(n))
            }
        }
        deserializer.deserialize_map(CountVisitor)
    }
}

/// An id that is an integer or a string (attachments, `file_ids`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Id<'a> {
    /// An integer id.
    Int(i64),
    /// A string id.
    Str(Str<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor<'a>(PhantomData<&'a ()>);
        impl<'de> Visitor<'de> for IdVisitor<'de> {
            type Value = Id<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Id::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v)
                    .map(Id::Int)
                    .map_err(|_| E::custom("id out of range"))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Id::Str(Str(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Id::Str(Str(Cow::Owned(v.to_owned()))))
            }
        }
        deserializer.deserialize_any(IdVisitor(PhantomData))
    }
}

/// A `shout` payload: every field of phx's `Shout` view (client push and server message).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Shout<'a> {
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
    /// customer_id.
    #[serde(borrow)]
    pub customer_id: Option<Str<'a>>,
    /// user_id.
    pub user_id: Option<i64>,
    /// user.
    #[serde(borrow)]
    pub user: Option<User<'a>>,
    /// customer.
    #[serde(borrow)]
    pub customer: Option<Customer<'a>>,
    /// attachments.
    #[serde(borrow)]
    pub attachments: Option<Vec<Attachment<'a>>>,
    /// metadata.
    pub metadata: Option<Count>,
    /// file_ids.
    #[serde(borrow)]
    pub file_ids: Option<Vec<Id<'a>>>,
    /// mentioned_user_ids.
    pub mentioned_user_ids: Option<Vec<i64>>,
}

/// The agent who wrote a message.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct User<'a> {
    /// id.
    pub id: Option<i64>,
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

/// The customer who wrote a message.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)] // the members are named after the wire keys, listed in `fields`
pub struct Customer<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(borrow)]
    pub object: Option<Str<'a>>,
    #[serde(borrow)]
    pub name: Option<Str<'a>>,
    #[serde(borrow)]
    pub email: Option<Str<'a>>,
    #[serde(borrow)]
    pub phone: Option<Str<'a>>,
    #[serde(borrow)]
    pub external_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub profile_photo_url: Option<Str<'a>>,
    #[serde(borrow)]
    pub company_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub host: Option<Str<'a>>,
    #[serde(borrow)]
    pub pathname: Option<Str<'a>>,
    #[serde(borrow)]
    pub current_url: Option<Str<'a>>,
    #[serde(borrow)]
    pub browser: Option<Str<'a>>,
    #[serde(borrow)]
    pub os: Option<Str<'a>>,
    #[serde(borrow)]
    pub created_at: Option<Str<'a>>,
    #[serde(borrow)]
    pub updated_at: Option<Str<'a>>,
    #[serde(borrow)]
    pub title: Option<Str<'a>>,
    pub metadata: Option<Count>,
}

/// A message attachment.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Attachment<'a> {
    /// id.
    #[serde(borrow)]
    pub id: Option<Id<'a>>,
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
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinParams<'a> {
    /// customer_id.
    #[serde(borrow)]
    pub customer_id: Option<Str<'a>>,
}

/// A reply's response object: its member count and its `reason`.
#[derive(Debug, Default)]
pub struct Response<'a> {
    /// Members.
    pub count: usize,
    /// `reason`, when a string.
    pub reason: Option<Str<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Response<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ResponseVisitor<'a>(PhantomData<&'a ()>);
        impl<'de> Visitor<'de> for ResponseVisitor<'de> {
            type Value = Response<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut response = Response::default();
                while let Some(key) = map.next_key::<Str<'de>>()? {
                    response.count += 1;
                    if key.as_str() == "reason" {
                        response.reason = map.next_value::<Option<Str<'de>>>()?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(response)
            }
        }
        deserializer.deserialize_map(ResponseVisitor(PhantomData))
    }
}

/// A `phx_reply` payload.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Reply<'a> {
    /// status.
    #[serde(borrow)]
    pub status: Option<Str<'a>>,
    /// response.
    #[serde(borrow)]
    pub response: Option<Response<'a>>,
}

/// A `presence_state` payload.
pub type PresenceState<'a> = HashMap<Str<'a>, Presence<'a>>;

/// One presence key's metas.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Presence<'a> {
    /// metas.
    #[serde(borrow)]
    pub metas: Vec<Meta<'a>>,
}

/// One presence meta (an agent's tab).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Meta<'a> {
    /// phx_ref.
    #[serde(borrow)]
    pub phx_ref: Option<Str<'a>>,
    /// phx_ref_prev.
    #[serde(borrow)]
    pub phx_ref_prev: Option<Str<'a>>,
    /// online_at.
    #[serde(borrow)]
    pub online_at: Option<Str<'a>>,
    /// customer_id.
    #[serde(borrow)]
    pub customer_id: Option<Str<'a>>,
    /// user_id.
    pub user_id: Option<i64>,
}

// ---- Encoding: the frame built from typed field values --------------------------------

/// The V2 envelope to write.
#[derive(Debug, Serialize)]
pub struct EnvelopeOut<'a, P>(
    pub Option<&'a str>,
    pub Option<&'a str>,
    pub &'a str,
    pub &'a str,
    pub P,
);

/// The client's shout push (phx: `outgoing::ShoutPush`).
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct ShoutPushOut<'a> {
    pub body: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<&'a str>,
}

/// The server's formatted message, members in the case's order, nulls written.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct ServerShoutOut<'a> {
    pub id: &'a str,
    pub object: &'a str,
    pub body: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub content_type: &'a str,
    pub private: bool,
    pub source: &'a str,
    pub created_at: &'a str,
    pub sent_at: &'a str,
    pub seen_at: Option<&'a str>,
    pub conversation_id: &'a str,
    pub account_id: &'a str,
    pub user_id: i64,
    pub user: UserOut<'a>,
    pub customer_id: Option<&'a str>,
    pub attachments: [Empty; 0],
    pub metadata: Option<Empty>,
}

/// The agent embedded in a server message.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct UserOut<'a> {
    pub id: i64,
    pub object: &'a str,
    pub email: &'a str,
    pub created_at: &'a str,
    pub disabled_at: Option<&'a str>,
    pub archived_at: Option<&'a str>,
    pub full_name: &'a str,
    pub display_name: &'a str,
    pub profile_photo_url: Option<&'a str>,
    pub role: &'a str,
}

/// `phx_join` params (phx: `outgoing::JoinParams`).
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct JoinOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<&'a str>,
}

/// `{}` (phx: `outgoing::EmptyObject`).
#[derive(Debug, Default, Serialize)]
pub struct Empty {}

/// A reply, keys in Phoenix's order (phx: `outgoing::ReplyPayload`).
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct ReplyOut<'a> {
    pub response: Empty,
    pub status: &'a str,
}

/// A presence map, keys in the given order (phx: `outgoing::PresenceStatePayload`).
#[derive(Debug)]
pub struct PresenceOut<'a>(pub Vec<(&'a str, MetasOut<'a>)>);

impl Serialize for PresenceOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, metas) in &self.0 {
            map.serialize_entry(key, metas)?;
        }
        map.end()
    }
}

/// `{"metas": [..]}`.
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct MetasOut<'a> {
    pub metas: Vec<MetaOut<'a>>,
}

/// A presence meta, keys in Jason's order (phx: `outgoing::MetaPayload`).
#[derive(Debug, Serialize)]
#[allow(missing_docs)]
pub struct MetaOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online_at: Option<&'a str>,
    pub phx_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phx_ref_prev: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
}

/// The typed payload of a case, built from its field values.
#[derive(Debug)]
#[allow(missing_docs)]
pub enum PayloadOut<'a> {
    ClientShout(ShoutPushOut<'a>),
    ServerShout(Box<ServerShoutOut<'a>>),
    Join(JoinOut<'a>),
    Reply(ReplyOut<'a>),
    Heartbeat(Empty),
    PresenceState(PresenceOut<'a>),
}

impl Serialize for PayloadOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::ClientShout(p) => p.serialize(serializer),
            Self::ServerShout(p) => p.serialize(serializer),
            Self::Join(p) => p.serialize(serializer),
            Self::Reply(p) => p.serialize(serializer),
            Self::Heartbeat(p) => p.serialize(serializer),
            Self::PresenceState(p) => p.serialize(serializer),
        }
    }
}

/// A string member of `v`.
pub fn s<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn req<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    s(v, key)
}

/// The frame of `case` as typed values to encode, from its fields (`Case::fields`); `None`
/// for a binary case.
pub fn frame_out(case: &crate::cases::Case) -> Option<EnvelopeOut<'_, PayloadOut<'_>>> {
    use crate::cases::Kind;
    let v = &case.fields;
    let p = v.get(4)?;
    let payload = match case.kind {
        Kind::ClientShout => PayloadOut::ClientShout(ShoutPushOut {
            body: req(p, "body")?,
            customer_id: s(p, "customer_id"),
            conversation_id: s(p, "conversation_id"),
            sent_at: s(p, "sent_at"),
        }),
        Kind::ServerShout => {
            let u = p.get("user")?;
            PayloadOut::ServerShout(Box::new(ServerShoutOut {
                id: req(p, "id")?,
                object: req(p, "object")?,
                body: req(p, "body")?,
                kind: req(p, "type")?,
                content_type: req(p, "content_type")?,
                private: p.get("private")?.as_bool()?,
                source: req(p, "source")?,
                created_at: req(p, "created_at")?,
                sent_at: req(p, "sent_at")?,
                seen_at: s(p, "seen_at"),
                conversation_id: req(p, "conversation_id")?,
                account_id: req(p, "account_id")?,
                user_id: p.get("user_id")?.as_i64()?,
                user: UserOut {
                    id: u.get("id")?.as_i64()?,
                    object: req(u, "object")?,
                    email: req(u, "email")?,
                    created_at: req(u, "created_at")?,
                    disabled_at: s(u, "disabled_at"),
                    archived_at: s(u, "archived_at"),
                    full_name: req(u, "full_name")?,
                    display_name: req(u, "display_name")?,
                    profile_photo_url: s(u, "profile_photo_url"),
                    role: req(u, "role")?,
                },
                customer_id: s(p, "customer_id"),
                attachments: [],
                metadata: None,
            }))
        }
        Kind::Join => PayloadOut::Join(JoinOut {
            customer_id: s(p, "customer_id"),
        }),
        Kind::Reply => PayloadOut::Reply(ReplyOut {
            response: Empty {},
            status: req(p, "status")?,
        }),
        Kind::Heartbeat => PayloadOut::Heartbeat(Empty {}),
        Kind::PresenceState => {
            let mut entries = Vec::new();
            for (key, entry) in p.as_object()? {
                let metas = entry
                    .get("metas")?
                    .as_array()?
                    .iter()
                    .map(|m| {
                        Some(MetaOut {
                            customer_id: s(m, "customer_id"),
                            online_at: s(m, "online_at"),
                            phx_ref: req(m, "phx_ref")?,
                            phx_ref_prev: s(m, "phx_ref_prev"),
                            user_id: m.get("user_id").and_then(Value::as_i64),
                        })
                    })
                    .collect::<Option<Vec<_>>>()?;
                entries.push((key.as_str(), MetasOut { metas }));
            }
            PayloadOut::PresenceState(PresenceOut(entries))
        }
        Kind::BinaryPush => return None,
    };
    Some(EnvelopeOut(
        v.get(0).and_then(Value::as_str),
        v.get(1).and_then(Value::as_str),
        v.get(2).and_then(Value::as_str)?,
        v.get(3).and_then(Value::as_str)?,
        payload,
    ))
}
