//! A chat message formatted as Papercups' `Messages.Helpers.format/1` writes it, with the
//! whole User and Customer views (PROTOCOL.md §6), keys in Jason's (alphabetical) order.

use phx_codec::encode::{JsonObjectWriter, Sink, WriteJson};
use phx_codec::outgoing::JsonArray;
use phx_codec::{EncodeError, RawJson};

use crate::roster::{Customer, User};

/// Who wrote a message.
#[derive(Clone, Copy, Debug)]
pub enum Author<'a> {
    /// A customer (the widget): the roster's view, or `id` alone when unknown.
    Customer {
        /// The customer id.
        id: Option<&'a str>,
        /// The roster entry, when known.
        known: Option<&'a Customer>,
    },
    /// An agent (the dashboard).
    Agent {
        /// The user id.
        id: i64,
        /// The roster entry, when known.
        known: Option<&'a User>,
    },
}

/// A free-form JSON value from the roster (customer metadata).
struct Value<'a>(&'a serde_json::Value);

impl WriteJson for Value<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        // serde_json writes compact JSON; a `Value` always serializes.
        let text = serde_json::to_vec(self.0).unwrap_or_else(|_| b"null".to_vec());
        out.put(&text)
    }
}

/// Papercups' `UserView`: `display_name`, `full_name` and `profile_photo_url` only when the
/// user has a profile.
struct UserView<'a> {
    id: i64,
    user: Option<&'a User>,
}

impl WriteJson for UserView<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        let user = self.user;
        let profile = user.and_then(|u| u.profile.as_ref());
        obj.member("archived_at", &user.and_then(|u| u.archived_at.as_deref()))?;
        obj.member("created_at", &user.map(|u| u.created_at.as_str()))?;
        obj.member("disabled_at", &user.and_then(|u| u.disabled_at.as_deref()))?;
        if let Some(p) = profile {
            obj.member("display_name", &p.display_name.as_deref())?;
        }
        obj.member("email", &user.map(|u| u.email.as_str()))?;
        if let Some(p) = profile {
            obj.member("full_name", &p.full_name.as_deref())?;
        }
        obj.member("id", &self.id)?;
        obj.member("object", "user")?;
        if let Some(p) = profile {
            obj.member("profile_photo_url", &p.profile_photo_url.as_deref())?;
        }
        obj.member("role", &user.map(|u| u.role.as_str()))?;
        obj.finish()
    }
}

/// Papercups' `CustomerView` (the fields a message embeds).
struct CustomerView<'a> {
    id: Option<&'a str>,
    customer: Option<&'a Customer>,
}

impl WriteJson for CustomerView<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let c = self.customer;
        let field = |f: fn(&Customer) -> &Option<String>| c.and_then(|c| f(c).as_deref());
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("browser", &field(|c| &c.browser))?;
        obj.member("company_id", &field(|c| &c.company_id))?;
        obj.member("created_at", &field(|c| &c.created_at))?;
        obj.member("current_url", &field(|c| &c.current_url))?;
        obj.member("email", &field(|c| &c.email))?;
        obj.member("external_id", &field(|c| &c.external_id))?;
        obj.member("host", &field(|c| &c.host))?;
        obj.member("id", &self.id)?;
        obj.member("metadata", &c.and_then(|c| c.metadata.as_ref()).map(Value))?;
        obj.member("name", &field(|c| &c.name))?;
        obj.member("object", "customer")?;
        obj.member("os", &field(|c| &c.os))?;
        obj.member("pathname", &field(|c| &c.pathname))?;
        obj.member("phone", &field(|c| &c.phone))?;
        obj.member("profile_photo_url", &field(|c| &c.profile_photo_url))?;
        obj.member("title", &field(|c| &c.title))?;
        obj.member("updated_at", &field(|c| &c.updated_at))?;
        obj.finish()
    }
}

/// A formatted message (the server's `shout` payload).
#[derive(Clone, Copy, Debug)]
pub struct ChatMessage<'a> {
    /// Message UUID.
    pub id: &'a str,
    /// The account.
    pub account_id: &'a str,
    /// The conversation.
    pub conversation_id: &'a str,
    /// Who wrote it.
    pub author: Author<'a>,
    /// The text (a JSON string or null, copied as received).
    pub body: Option<RawJson<'a>>,
    /// The client's metadata object.
    pub metadata: Option<RawJson<'a>>,
    /// An internal note.
    pub private: bool,
    /// The client's `sent_at` (a JSON string), else `now`.
    pub sent_at: Option<RawJson<'a>>,
    /// `created_at`, no zone.
    pub created_at: &'a str,
    /// Now, ISO 8601 with `Z`.
    pub now: &'a str,
}

impl WriteJson for ChatMessage<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let no_attachments: &[phx_codec::outgoing::EmptyObject] = &[];
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("account_id", self.account_id)?;
        obj.member("attachments", &JsonArray(no_attachments))?;
        obj.member("body", &self.body)?;
        obj.member("content_type", "text")?;
        obj.member("conversation_id", self.conversation_id)?;
        obj.member("created_at", self.created_at)?;
        // Papercups leaves `customer` out of agent messages (not null).
        if let Author::Customer { id, known } = self.author {
            obj.member(
                "customer",
                &CustomerView {
                    id,
                    customer: known,
                },
            )?;
            obj.member("customer_id", &id)?;
        } else {
            obj.member("customer_id", &None::<&str>)?;
        }
        obj.member("id", self.id)?;
        obj.member("metadata", &self.metadata)?;
        obj.member("object", "message")?;
        obj.member("private", &self.private)?;
        obj.member("seen_at", &None::<&str>)?;
        match self.sent_at {
            Some(sent_at) => obj.member("sent_at", &sent_at)?,
            None => obj.member("sent_at", self.now)?,
        }
        obj.member("source", "chat")?;
        obj.member("type", "reply")?;
        match self.author {
            Author::Customer { .. } => {
                obj.member("user", &None::<&str>)?;
                obj.member("user_id", &None::<i64>)?;
            }
            Author::Agent { id, known } => {
                obj.member("user", &UserView { id, user: known })?;
                obj.member("user_id", &id)?;
            }
        }
        obj.finish()
    }
}
