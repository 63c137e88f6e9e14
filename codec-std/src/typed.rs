//! Owned typed Papercups messages: `'static` copies of the core's borrowed views
//! ([`phx_codec::message`], [`phx_codec::presence`]) that implement `serde::Serialize` and
//! `serde::Deserialize`, to keep a message past the buffer it was decoded from, send it to
//! another thread, store it or read it back.
//!
//! Every view converts with [`IntoOwned::into_owned`] (views are `Copy`, so this is also
//! `to_owned` for a `&view`), or with `From<&View>`:
//!
//! ```
//! use phx_codec::message::Message;
//! use phx_codec_std::typed::{IntoOwned, OwnedMessage};
//!
//! let input = br#"["1","5","conversation:5c9b","shout",{"body":"Is anyone there?","customer_id":"c6f1","metadata":{"n":123456789012345678901234567890}}]"#;
//! let owned: OwnedMessage = phx_codec::decode_text(input)?.message()?.into_owned();
//! let OwnedMessage::Shout(shout) = &owned else { unreachable!() };
//! assert_eq!(shout.body.as_deref(), Some("Is anyone there?"));
//!
//! // Serialized as the core serializes the view; raw JSON (here `metadata`) keeps its text.
//! let json = serde_json::to_string(&owned)?;
//! assert_eq!(json, r#"{"message":"shout","payload":{"body":"Is anyone there?","customer_id":"c6f1","metadata":{"n":123456789012345678901234567890}}}"#);
//! let back: OwnedMessage = serde_json::from_str(&json)?;
//! assert_eq!(back, owned);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What an owned message keeps
//! - The **typed fields** of its view, each `None` when absent or `null` (lists: `None` when
//!   absent or `null`, `Some(vec![])` for `[]`). Unknown members are not kept: keep the
//!   [`OwnedFrame`](crate::OwnedFrame) for the exact payload.
//! - Fields the core keeps raw (`metadata`, `updates`, join params, reply responses, ping
//!   payloads) as [`OwnedJson`]: the JSON text as received, numbers included.
//! - Serialization matches the core's `Serialize` for the view (same keys, same order,
//!   absent fields left out), with two exceptions: presence payloads, which the core
//!   serializes as received and owned presence serializes from its typed fields (keys
//!   ordered); and joins, whose owned form serializes every param (the core: `customer_id`
//!   only), since replaying a join needs them all.
//! - Deserialization needs `serde_json` (or another deserializer that supports
//!   [`serde_json::value::RawValue`]) for [`OwnedJson`] fields. Binary data (a binary reply's
//!   response, a binary ping) serializes as an array of bytes and reads back as JSON: the
//!   JSON form cannot tell them apart.

use std::collections::BTreeMap;
use std::fmt;

use phx_codec::message::{
    Attachment, ConversationCreated, ConversationUpdated, Customer, FileId, Issue, Join, Message,
    MessageError, PhxError, Ping, Read, ReplayEvent, Reply, ReplyStatus, Response, Shout, User,
};
use phx_codec::presence::{Entries, Meta, PresenceDiff, PresenceKey, PresenceState};
use phx_codec::{DecodeError, Frame, JsonStr, Payload, RawJson};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::OwnedPayload;
use crate::owned::held_json_limits;

/// Conversion of a borrowed view into its owned, `'static` counterpart (as rustls'
/// `Payload::into_owned`). Views are `Copy`: `view.into_owned()` leaves `view` usable.
///
/// ```
/// use phx_codec_std::typed::{IntoOwned, OwnedMessage};
/// let frame = phx_codec::decode_text(br#"[null,"2","notification:a","read",{"conversation_id":"c1"}]"#)?;
/// let view = frame.message()?;
/// let owned: OwnedMessage = view.into_owned();
/// drop(frame); // the owned copy outlives the frame (the view does not)
/// assert_eq!(owned.name(), "read");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait IntoOwned {
    /// The owned type.
    type Owned: 'static;

    /// Copies everything the view reads into owned values.
    ///
    /// ```
    /// use phx_codec::JsonStr;
    /// use phx_codec::message::FileId;
    /// use phx_codec_std::typed::{IntoOwned, OwnedFileId};
    /// assert_eq!(FileId::Int(3).into_owned(), OwnedFileId::Int(3));
    /// let id = FileId::Str(JsonStr::literal("f4"));
    /// assert_eq!(id.into_owned(), OwnedFileId::Str("f4".to_owned()));
    /// ```
    fn into_owned(self) -> Self::Owned;
}

/// One JSON value, owned, as text (whitespace and number spellings kept): what the core keeps
/// raw ([`RawJson`]) once owned. Serializes verbatim through `serde_json` (as a
/// [`serde_json::value::RawValue`], validated on the way: one pass, no copy); compares by text.
///
/// ```
/// use phx_codec_std::typed::OwnedJson;
/// let n: OwnedJson = serde_json::from_str("123456789012345678901234567890")?;
/// assert_eq!(serde_json::to_string(&n)?, "123456789012345678901234567890");
/// assert_eq!(n.as_raw_json()?.kind(), phx_codec::JsonKind::Number);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OwnedJson(String);

impl OwnedJson {
    /// Parses JSON text into an owned value (validated with `serde_json`).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedJson;
    /// let json = OwnedJson::parse(r#"{"price": 1.50}"#)?;
    /// assert_eq!(json.as_str(), r#"{"price": 1.50}"#); // kept as written
    /// assert!(OwnedJson::parse("{").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        crate::raw_value::from_str(text).map(|raw| Self(raw.get().to_owned()))
    }

    /// The JSON text.
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedJson;
    /// let json: OwnedJson = serde_json::from_str("[1, 2.0]")?;
    /// assert_eq!(json.as_str(), "[1, 2.0]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as a `serde_json` raw value (one validating pass, no copy).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedJson;
    /// let json = OwnedJson::parse(r#"{"a":[1,2]}"#)?;
    /// let raw = json.as_raw_value()?;
    /// assert_eq!(raw.get(), r#"{"a":[1,2]}"#);
    /// assert_eq!(serde_json::to_string(raw)?, r#"{"a":[1,2]}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_raw_value(&self) -> Result<&RawValue, serde_json::Error> {
        crate::raw_value::from_str(&self.0)
    }

    /// A core [`RawJson`] view (one validating pass under the core's depth bound).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedJson;
    /// let json = OwnedJson::parse(r#"{"status":"closed","n":1}"#)?;
    /// let raw = json.as_raw_json()?;
    /// assert_eq!(raw.get("n").map(|n| n.as_str()), Some("1"));
    /// assert!(raw.get("missing").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_raw_json(&self) -> Result<RawJson<'_>, DecodeError> {
        RawJson::parse_with(&self.0, &held_json_limits())
    }

    /// The JSON text.
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedJson;
    /// let text: String = OwnedJson::parse("true")?.into_string();
    /// assert_eq!(text, "true");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_string(self) -> String {
        self.0
    }
}

impl From<RawJson<'_>> for OwnedJson {
    /// Copies the value's text.
    fn from(raw: RawJson<'_>) -> Self {
        Self(raw.as_str().to_owned())
    }
}

impl From<Box<RawValue>> for OwnedJson {
    fn from(raw: Box<RawValue>) -> Self {
        Self(Box::<str>::from(raw).into_string())
    }
}

impl From<&RawValue> for OwnedJson {
    fn from(raw: &RawValue) -> Self {
        Self(raw.get().to_owned())
    }
}

impl fmt::Debug for OwnedJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for OwnedJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for OwnedJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.as_raw_value()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for OwnedJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(Self::from)
    }
}

/// A file id, owned ([`FileId`]).
///
/// ```
/// use phx_codec_std::typed::OwnedFileId;
/// let ids: Vec<OwnedFileId> = serde_json::from_str(r#"[3,"f4"]"#)?;
/// assert_eq!(ids, [OwnedFileId::Int(3), OwnedFileId::Str("f4".into())]);
/// assert_eq!(serde_json::to_string(&ids)?, r#"[3,"f4"]"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OwnedFileId {
    /// An integer id.
    Int(i64),
    /// A string id.
    Str(String),
}

impl IntoOwned for FileId<'_> {
    type Owned = OwnedFileId;
    fn into_owned(self) -> OwnedFileId {
        match self {
            FileId::Int(n) => OwnedFileId::Int(n),
            FileId::Str(s) => OwnedFileId::Str(s.into_string()),
        }
    }
}

fn string(s: JsonStr<'_>) -> String {
    s.into_string()
}

/// Whether the member `key` of `raw` is there and not null (lists: `None` vs `[]`).
fn list_present(raw: RawJson<'_>, key: &str) -> bool {
    raw.get(key).is_some_and(|v| !v.is_null())
}

/// What an owned field of each kind holds.
macro_rules! owned_ty {
    (Str) => { Option<String> };
    (Int) => { Option<i64> };
    (Bool) => { Option<bool> };
    (Obj) => { Option<OwnedJson> };
    (Id) => { Option<OwnedFileId> };
    (IdList) => { Option<Vec<OwnedFileId>> };
    (IntList) => { Option<Vec<i64>> };
    (AttachmentList) => { Option<Vec<OwnedAttachment>> };
    ($nested:ident) => { Option<$nested> };
}

/// Reads an owned field from a view.
macro_rules! owned_value {
    (Str, $v:ident, $field:ident, $key:literal) => {
        $v.$field().map(string)
    };
    (Int, $v:ident, $field:ident, $key:literal) => {
        $v.$field()
    };
    (Bool, $v:ident, $field:ident, $key:literal) => {
        $v.$field()
    };
    (Obj, $v:ident, $field:ident, $key:literal) => {
        $v.$field().map(OwnedJson::from)
    };
    (Id, $v:ident, $field:ident, $key:literal) => {
        $v.$field().map(IntoOwned::into_owned)
    };
    (IdList, $v:ident, $field:ident, $key:literal) => {
        list_present($v.raw(), $key).then(|| $v.$field().map(IntoOwned::into_owned).collect())
    };
    (IntList, $v:ident, $field:ident, $key:literal) => {
        list_present($v.raw(), $key).then(|| $v.$field().collect())
    };
    (AttachmentList, $v:ident, $field:ident, $key:literal) => {
        list_present($v.raw(), $key).then(|| $v.$field().map(IntoOwned::into_owned).collect())
    };
    ($nested:ident, $v:ident, $field:ident, $key:literal) => {
        $v.$field().map(IntoOwned::into_owned)
    };
}

/// An owned struct of optional fields for a core `typed_object` view.
macro_rules! owned_object {
    (
        $(#[$meta:meta])*
        pub struct $owned:ident from $view:ident {
            $( $(#[$fdoc:meta])* $field:ident: $kind:ident = $key:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct $owned {
            $(
                $(#[$fdoc])*
                #[serde(rename = $key, default, skip_serializing_if = "Option::is_none")]
                pub $field: owned_ty!($kind),
            )*
        }

        impl IntoOwned for $view<'_> {
            type Owned = $owned;
            fn into_owned(self) -> $owned {
                $owned::from(&self)
            }
        }

        impl From<&$view<'_>> for $owned {
            fn from(view: &$view<'_>) -> Self {
                Self { $( $field: owned_value!($kind, view, $field, $key), )* }
            }
        }
    };
}

/// `phx_join`, owned ([`Join`]): the typed `customer_id` and every param as received.
///
/// Serializes as the params object itself, as the core does.
///
/// ```
/// use phx_codec_std::typed::{IntoOwned, OwnedMessage};
/// let frame = phx_codec::decode_text(br#"["1","1","conversation:42","phx_join",{"customer_id":"c1","token":"t"}]"#)?;
/// let OwnedMessage::Join(join) = frame.message()?.into_owned() else { unreachable!() };
/// assert_eq!(join.customer_id.as_deref(), Some("c1"));
/// // every param is kept, not only the typed one
/// assert_eq!(serde_json::to_string(&join)?, r#"{"customer_id":"c1","token":"t"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedJoin {
    /// The customer joining (widget joins).
    pub customer_id: Option<String>,
    /// All join params, as received.
    pub params: OwnedJson,
}

impl IntoOwned for Join<'_> {
    type Owned = OwnedJoin;
    fn into_owned(self) -> OwnedJoin {
        OwnedJoin {
            customer_id: self.customer_id().map(string),
            params: OwnedJson::from(self.raw()),
        }
    }
}

impl Serialize for OwnedJoin {
    /// The core serializes a join's typed fields only; the params are a superset, and
    /// keeping them whole is what a join needs to be replayed.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.params.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for OwnedJoin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Fields {
            #[serde(default)]
            customer_id: Option<String>,
        }
        let params = OwnedJson::deserialize(deserializer)?;
        let fields: Fields =
            serde_json::from_str(params.as_str()).map_err(serde::de::Error::custom)?;
        Ok(Self {
            customer_id: fields.customer_id,
            params,
        })
    }
}

owned_object! {
    /// `phx_error`, owned ([`PhxError`]).
    ///
    /// ```
    /// use phx_codec_std::typed::{IntoOwned, OwnedMessage};
    /// let frame = phx_codec::decode_text(br#"["1",null,"room:1","phx_error",{"reason":"crashed"}]"#)?;
    /// let OwnedMessage::Error(error) = frame.message()?.into_owned() else { unreachable!() };
    /// assert_eq!(error.reason.as_deref(), Some("crashed"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedPhxError from PhxError {
        /// Why the channel failed.
        reason: Str = "reason",
    }
}

owned_object! {
    /// `read`, owned ([`Read`]).
    ///
    /// ```
    /// use phx_codec_std::typed::{IntoOwned, OwnedMessage};
    /// let frame = phx_codec::decode_text(br#"[null,"2","notification:a","read",{"conversation_id":"c1"}]"#)?;
    /// let OwnedMessage::Read(read) = frame.message()?.into_owned() else { unreachable!() };
    /// assert_eq!(read.conversation_id.as_deref(), Some("c1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedRead from Read {
        /// The conversation read.
        conversation_id: Str = "conversation_id",
    }
}

owned_object! {
    /// `conversation:created`, owned ([`ConversationCreated`]).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedConversationCreated;
    /// let created = OwnedConversationCreated { id: Some("c9".into()) };
    /// assert_eq!(serde_json::to_string(&created)?, r#"{"id":"c9"}"#);
    /// assert_eq!(serde_json::to_string(&OwnedConversationCreated::default())?, "{}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedConversationCreated from ConversationCreated {
        /// The new conversation's id.
        id: Str = "id",
    }
}

owned_object! {
    /// `conversation:updated`, owned ([`ConversationUpdated`]).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedConversationUpdated;
    /// let updated: OwnedConversationUpdated =
    ///     serde_json::from_str(r#"{"id":"c9","updates":{"status":"closed"}}"#)?;
    /// assert_eq!(updated.id.as_deref(), Some("c9"));
    /// assert_eq!(updated.updates.map(|u| u.into_string()).as_deref(), Some(r#"{"status":"closed"}"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedConversationUpdated from ConversationUpdated {
        /// The conversation's id.
        id: Str = "id",
        /// The changed conversation fields, as received.
        updates: Obj = "updates",
    }
}

owned_object! {
    /// `replay:event:emitted`, owned ([`ReplayEvent`]).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedReplayEvent;
    /// let replay: OwnedReplayEvent = serde_json::from_str(r#"{"event":{"type":3,"ts":1}}"#)?;
    /// assert_eq!(replay.event.as_ref().map(|e| e.as_str()), Some(r#"{"type":3,"ts":1}"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedReplayEvent from ReplayEvent {
        /// The recorded event, as received.
        event: Obj = "event",
    }
}

owned_object! {
    /// An issue, owned ([`Issue`]).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedIssue;
    /// let issue = OwnedIssue { title: Some("Widget blank".into()), state: Some("open".into()), ..Default::default() };
    /// assert_eq!(serde_json::to_string(&issue)?, r#"{"title":"Widget blank","state":"open"}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedIssue from Issue {
        /// The issue's id.
        id: Str = "id",
        /// Its title.
        title: Str = "title",
        /// Its description.
        body: Str = "body",
        /// Its state.
        state: Str = "state",
        /// The linked GitHub issue.
        github_issue_url: Str = "github_issue_url",
        /// The account's id.
        account_id: Str = "account_id",
        /// Creation time.
        created_at: Str = "created_at",
        /// Last update.
        updated_at: Str = "updated_at",
    }
}

owned_object! {
    /// An agent, owned ([`User`]).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedUser;
    /// let user: OwnedUser = serde_json::from_str(r#"{"id":8,"email":"a@example.com","role":"admin"}"#)?;
    /// assert_eq!(user.id, Some(8));
    /// assert_eq!(user.role.as_deref(), Some("admin"));
    /// assert_eq!(user.full_name, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedUser from User {
        /// The user's id.
        id: Int = "id",
        /// `"user"`.
        object: Str = "object",
        /// Email address.
        email: Str = "email",
        /// Full name.
        full_name: Str = "full_name",
        /// Display name.
        display_name: Str = "display_name",
        /// Avatar URL.
        profile_photo_url: Str = "profile_photo_url",
        /// Creation time.
        created_at: Str = "created_at",
        /// When the user was disabled.
        disabled_at: Str = "disabled_at",
        /// When the user was archived.
        archived_at: Str = "archived_at",
        /// Role.
        role: Str = "role",
    }
}

owned_object! {
    /// A customer, owned ([`Customer`]).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedCustomer;
    /// let customer: OwnedCustomer =
    ///     serde_json::from_str(r#"{"id":"c1","name":"Ada","metadata":{"plan":"pro"}}"#)?;
    /// assert_eq!(customer.name.as_deref(), Some("Ada"));
    /// assert_eq!(customer.metadata.as_ref().map(|m| m.as_str()), Some(r#"{"plan":"pro"}"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedCustomer from Customer {
        /// The customer's id.
        id: Str = "id",
        /// `"customer"`.
        object: Str = "object",
        /// Name.
        name: Str = "name",
        /// Email address.
        email: Str = "email",
        /// Phone number.
        phone: Str = "phone",
        /// The id in the account's own system.
        external_id: Str = "external_id",
        /// Avatar URL.
        profile_photo_url: Str = "profile_photo_url",
        /// The company's id.
        company_id: Str = "company_id",
        /// Host the widget ran on.
        host: Str = "host",
        /// Path the widget ran on.
        pathname: Str = "pathname",
        /// Full URL the widget ran on.
        current_url: Str = "current_url",
        /// Browser name.
        browser: Str = "browser",
        /// Operating system.
        os: Str = "os",
        /// Free-form metadata, as received.
        metadata: Obj = "metadata",
        /// Creation time.
        created_at: Str = "created_at",
        /// Last update.
        updated_at: Str = "updated_at",
        /// Title shown in the dashboard.
        title: Str = "title",
    }
}

owned_object! {
    /// A file attached to a message, owned ([`Attachment`]).
    ///
    /// ```
    /// use phx_codec_std::typed::{OwnedAttachment, OwnedFileId};
    /// let file: OwnedAttachment = serde_json::from_str(r#"{"id":3,"filename":"a.png"}"#)?;
    /// assert_eq!(file.id, Some(OwnedFileId::Int(3)));
    /// assert_eq!(file.filename.as_deref(), Some("a.png"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedAttachment from Attachment {
        /// The file's id.
        id: Id = "id",
        /// `"file"`.
        object: Str = "object",
        /// Where to download it.
        file_url: Str = "file_url",
        /// MIME type.
        content_type: Str = "content_type",
        /// File name.
        filename: Str = "filename",
    }
}

owned_object! {
    /// `shout`, owned ([`Shout`]).
    ///
    /// ```
    /// use phx_codec_std::typed::{OwnedShout, OwnedUser};
    /// let shout = OwnedShout {
    ///     body: Some("On it!".into()),
    ///     user: Some(OwnedUser { id: Some(8), ..Default::default() }),
    ///     ..Default::default()
    /// };
    /// assert_eq!(serde_json::to_string(&shout)?, r#"{"body":"On it!","user":{"id":8}}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub struct OwnedShout from Shout {
        /// The message id.
        id: Str = "id",
        /// `"message"`.
        object: Str = "object",
        /// The text.
        body: Str = "body",
        /// `"reply"`, `"note"`, `"bot"`...
        message_type: Str = "type",
        /// Content type.
        content_type: Str = "content_type",
        /// Whether it is an internal note.
        private: Bool = "private",
        /// `"chat"`, `"slack"`, `"email"`...
        source: Str = "source",
        /// Creation time.
        created_at: Str = "created_at",
        /// When it was sent.
        sent_at: Str = "sent_at",
        /// When it was seen.
        seen_at: Str = "seen_at",
        /// The conversation's id.
        conversation_id: Str = "conversation_id",
        /// The account's id.
        account_id: Str = "account_id",
        /// The customer who wrote it.
        customer_id: Str = "customer_id",
        /// The agent who wrote it.
        user_id: Int = "user_id",
        /// The agent, embedded.
        user: OwnedUser = "user",
        /// The customer, embedded.
        customer: OwnedCustomer = "customer",
        /// Attached files.
        attachments: AttachmentList = "attachments",
        /// Free-form metadata, as received.
        metadata: Obj = "metadata",
        /// Files uploaded for this message.
        file_ids: IdList = "file_ids",
        /// Agents mentioned.
        mentioned_user_ids: IntList = "mentioned_user_ids",
    }
}

impl OwnedShout {
    /// Written by a customer: `customer_id` is set.
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedShout;
    /// let shout = OwnedShout { customer_id: Some("c1".into()), ..Default::default() };
    /// assert!(shout.is_from_customer());
    /// assert!(!shout.is_from_agent());
    /// ```
    pub fn is_from_customer(&self) -> bool {
        self.customer_id.is_some()
    }

    /// Written by an agent: `user_id` is set.
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedShout;
    /// let shout = OwnedShout { user_id: Some(8), ..Default::default() };
    /// assert!(shout.is_from_agent());
    /// assert!(!shout.is_from_customer());
    /// ```
    pub fn is_from_agent(&self) -> bool {
        self.user_id.is_some()
    }
}

/// A reply's status, owned ([`ReplyStatus`]); serializes as its string.
///
/// ```
/// use phx_codec_std::typed::OwnedReplyStatus;
/// let status: OwnedReplyStatus = serde_json::from_str(r#""ok""#)?;
/// assert_eq!(status, OwnedReplyStatus::Ok);
/// let other: OwnedReplyStatus = serde_json::from_str(r#""timeout""#)?;
/// assert_eq!(other, OwnedReplyStatus::Other("timeout".into()));
/// assert_eq!(serde_json::to_string(&other)?, r#""timeout""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OwnedReplyStatus {
    /// `"ok"`.
    Ok,
    /// `"error"`.
    Error,
    /// Any other string.
    Other(String),
}

impl OwnedReplyStatus {
    /// The status as a string.
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedReplyStatus;
    /// assert_eq!(OwnedReplyStatus::Error.as_str(), "error");
    /// assert_eq!(OwnedReplyStatus::Other("timeout".into()).as_str(), "timeout");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Other(s) => s,
        }
    }

    fn parse(s: String) -> Self {
        match s.as_str() {
            "ok" => Self::Ok,
            "error" => Self::Error,
            _ => Self::Other(s),
        }
    }
}

impl IntoOwned for ReplyStatus<'_> {
    type Owned = OwnedReplyStatus;
    fn into_owned(self) -> OwnedReplyStatus {
        match self {
            ReplyStatus::Ok => OwnedReplyStatus::Ok,
            ReplyStatus::Error => OwnedReplyStatus::Error,
            ReplyStatus::Other(s) => OwnedReplyStatus::Other(s.into_string()),
        }
    }
}

impl Serialize for OwnedReplyStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OwnedReplyStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::parse)
    }
}

/// A reply's response, owned ([`Response`]).
///
/// ```
/// use phx_codec_std::typed::{OwnedJson, OwnedReply, OwnedReplyStatus, OwnedResponse};
/// let reply = OwnedReply {
///     status: Some(OwnedReplyStatus::Ok),
///     response: Some(OwnedResponse::Json(OwnedJson::parse(r#"{"id":7}"#)?)),
/// };
/// assert_eq!(serde_json::to_string(&reply)?, r#"{"status":"ok","response":{"id":7}}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnedResponse {
    /// A JSON response, as received.
    Json(OwnedJson),
    /// The bytes of a binary reply (serialized as an array of bytes, read back as JSON).
    Binary(Vec<u8>),
}

/// `phx_reply`, owned ([`Reply`]).
///
/// ```
/// use phx_codec_std::typed::{IntoOwned, OwnedMessage, OwnedReplyStatus};
/// let frame = phx_codec::decode_text(br#"["1","1","room:1","phx_reply",{"response":{"reason":"unauthorized"},"status":"error"}]"#)?;
/// let OwnedMessage::Reply(reply) = frame.message()?.into_owned() else { unreachable!() };
/// assert_eq!(reply.status, Some(OwnedReplyStatus::Error));
/// assert_eq!(reply.reason().as_deref(), Some("unauthorized"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedReply {
    /// The status; `None` when absent or null (serialized as `null`, as the core does).
    pub status: Option<OwnedReplyStatus>,
    /// The response; `None` when absent or null.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "ser_response",
        deserialize_with = "de_response"
    )]
    pub response: Option<OwnedResponse>,
}

#[allow(clippy::ref_option)] // the signature serde's `serialize_with` calls
fn ser_response<S: Serializer>(
    response: &Option<OwnedResponse>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match response {
        Some(OwnedResponse::Json(json)) => json.serialize(serializer),
        Some(OwnedResponse::Binary(bytes)) => serializer.serialize_bytes(bytes),
        None => serializer.serialize_none(),
    }
}

fn de_response<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<OwnedResponse>, D::Error> {
    let json = OwnedJson::deserialize(deserializer)?;
    Ok((json.as_str() != "null").then_some(OwnedResponse::Json(json)))
}

impl OwnedReply {
    /// Whether the status is `"ok"`.
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedReply;
    /// let reply: OwnedReply = serde_json::from_str(r#"{"status":"ok","response":{}}"#)?;
    /// assert!(reply.is_ok());
    /// assert!(!reply.is_error());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_ok(&self) -> bool {
        self.status == Some(OwnedReplyStatus::Ok)
    }

    /// Whether the status is `"error"`.
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedReply;
    /// let reply: OwnedReply = serde_json::from_str(r#"{"status":"error","response":{}}"#)?;
    /// assert!(reply.is_error());
    /// assert!(!reply.is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_error(&self) -> bool {
        self.status == Some(OwnedReplyStatus::Error)
    }

    /// `response.reason` when the response is an object whose `reason` is a string.
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedReply;
    /// let denied: OwnedReply = serde_json::from_str(r#"{"status":"error","response":{"reason":"unauthorized"}}"#)?;
    /// assert_eq!(denied.reason().as_deref(), Some("unauthorized"));
    /// let numeric: OwnedReply = serde_json::from_str(r#"{"status":"error","response":{"reason":5}}"#)?;
    /// assert_eq!(numeric.reason(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reason(&self) -> Option<String> {
        match &self.response {
            Some(OwnedResponse::Json(json)) => json
                .as_raw_json()
                .ok()?
                .get("reason")?
                .as_json_str()
                .map(string),
            _ => None,
        }
    }
}

impl IntoOwned for Reply<'_> {
    type Owned = OwnedReply;
    fn into_owned(self) -> OwnedReply {
        OwnedReply {
            status: self.status().map(IntoOwned::into_owned),
            response: match self.response() {
                Response::Json(raw) => Some(OwnedResponse::Json(OwnedJson::from(raw))),
                Response::Binary(bytes) => Some(OwnedResponse::Binary(bytes.to_vec())),
                Response::Absent => None,
            },
        }
    }
}

/// `ping`, owned ([`Ping`]): the payload to echo.
///
/// ```
/// use phx_codec_std::typed::{IntoOwned, OwnedJson, OwnedMessage, OwnedPing};
/// let frame = phx_codec::decode_text(br#"[null,"4","conversation:1","ping",{"t":1}]"#)?;
/// let OwnedMessage::Ping(ping) = frame.message()?.into_owned() else { unreachable!() };
/// assert_eq!(ping, OwnedPing::Json(OwnedJson::parse(r#"{"t":1}"#)?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnedPing {
    /// A JSON payload, as received.
    Json(OwnedJson),
    /// A binary payload (serialized as an array of bytes, read back as JSON).
    Binary(Vec<u8>),
}

impl IntoOwned for Ping<'_> {
    type Owned = OwnedPing;
    fn into_owned(self) -> OwnedPing {
        match self.payload() {
            Payload::Json(raw) => OwnedPing::Json(OwnedJson::from(raw)),
            Payload::Binary(bytes)
            | Payload::BinaryReply {
                response: bytes, ..
            } => OwnedPing::Binary(bytes.to_vec()),
        }
    }
}

impl Serialize for OwnedPing {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Json(json) => json.serialize(serializer),
            Self::Binary(bytes) => serializer.serialize_bytes(bytes),
        }
    }
}

impl<'de> Deserialize<'de> for OwnedPing {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        OwnedJson::deserialize(deserializer).map(Self::Json)
    }
}

// ---------------------------------------------------------------------------------------------
// Presence

/// A presence key, owned ([`PresenceKey`]); serializes as the key string
/// (`"user:7"`, `"customer:<uuid>"`).
///
/// ```
/// use phx_codec_std::typed::OwnedPresenceKey;
/// let key: OwnedPresenceKey = serde_json::from_str(r#""user:7""#)?;
/// assert_eq!(key, OwnedPresenceKey::User(7));
/// assert_eq!(key.to_string(), "user:7");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OwnedPresenceKey {
    /// `user:<integer>`.
    User(i64),
    /// `customer:<id>`.
    Customer(String),
    /// Any other key, whole.
    Other(String),
}

impl OwnedPresenceKey {
    /// Parses a key as [`PresenceKey::parse`] does.
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedPresenceKey;
    /// assert_eq!(OwnedPresenceKey::parse("customer:c1"), OwnedPresenceKey::Customer("c1".into()));
    /// assert_eq!(OwnedPresenceKey::parse("lobby"), OwnedPresenceKey::Other("lobby".into()));
    /// ```
    pub fn parse(key: &str) -> Self {
        PresenceKey::parse(JsonStr::literal(key)).into_owned()
    }
}

impl fmt::Display for OwnedPresenceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::User(id) => write!(f, "user:{id}"),
            Self::Customer(id) => write!(f, "customer:{id}"),
            Self::Other(key) => f.write_str(key),
        }
    }
}

impl IntoOwned for PresenceKey<'_> {
    type Owned = OwnedPresenceKey;
    fn into_owned(self) -> OwnedPresenceKey {
        match self {
            PresenceKey::User(id) => OwnedPresenceKey::User(id),
            PresenceKey::Customer(id) => OwnedPresenceKey::Customer(id.into_string()),
            PresenceKey::Other(key) => OwnedPresenceKey::Other(key.into_string()),
        }
    }
}

impl Serialize for OwnedPresenceKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OwnedPresenceKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|key| Self::parse(&key))
    }
}

owned_object! {
    /// One presence of a key, owned ([`Meta`]).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedMeta;
    /// let meta: OwnedMeta = serde_json::from_str(r#"{"phx_ref":"F1","online_at":"1700000000","user_id":8}"#)?;
    /// assert_eq!(meta.phx_ref.as_deref(), Some("F1"));
    /// assert_eq!(meta.user_id, Some(8));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct OwnedMeta from Meta {
        /// This presence's ref.
        phx_ref: Str = "phx_ref",
        /// The ref this presence replaces.
        phx_ref_prev: Str = "phx_ref_prev",
        /// When it came online (a string of Unix seconds).
        online_at: Str = "online_at",
        /// The agent's id.
        user_id: Int = "user_id",
        /// The customer's id.
        customer_id: Str = "customer_id",
    }
}

/// The metas of one presence key: `{"metas": [..]}`.
///
/// ```
/// use phx_codec_std::typed::OwnedPresence;
/// let presence: OwnedPresence = serde_json::from_str(r#"{"metas":[{"phx_ref":"a"},{"phx_ref":"b"}]}"#)?;
/// assert_eq!(presence.metas.len(), 2);
/// assert_eq!(presence.metas[1].phx_ref.as_deref(), Some("b"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedPresence {
    /// Each presence (tab, device) of the key.
    #[serde(default)]
    pub metas: Vec<OwnedMeta>,
}

/// A presence map, `{KEY: {"metas": [..]}}`, ordered by key. A key received twice keeps
/// its last entry, as `JSON.parse` does.
pub type OwnedPresenceMap = BTreeMap<OwnedPresenceKey, OwnedPresence>;

fn presence_map(entries: Entries<'_>) -> OwnedPresenceMap {
    entries
        .map(|(key, metas)| {
            (
                key.into_owned(),
                OwnedPresence {
                    metas: metas.map(IntoOwned::into_owned).collect(),
                },
            )
        })
        .collect()
}

/// `presence_state`, owned ([`PresenceState`]): every key present.
///
/// ```
/// use phx_codec_std::typed::{IntoOwned, OwnedMessage, OwnedPresenceKey};
/// let frame = phx_codec::decode_text(
///     br#"[null,null,"conversation:1","presence_state",{"user:7":{"metas":[{"phx_ref":"F1"}]}}]"#,
/// )?;
/// let OwnedMessage::PresenceState(state) = frame.message()?.into_owned() else { unreachable!() };
/// let metas = &state.entries[&OwnedPresenceKey::User(7)].metas;
/// assert_eq!(metas[0].phx_ref.as_deref(), Some("F1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OwnedPresenceState {
    /// The keys and their metas.
    pub entries: OwnedPresenceMap,
}

impl IntoOwned for PresenceState<'_> {
    type Owned = OwnedPresenceState;
    fn into_owned(self) -> OwnedPresenceState {
        OwnedPresenceState {
            entries: presence_map(self.entries()),
        }
    }
}

/// `presence_diff`, owned ([`PresenceDiff`]).
///
/// ```
/// use phx_codec_std::typed::{OwnedPresenceDiff, OwnedPresenceKey};
/// let diff: OwnedPresenceDiff =
///     serde_json::from_str(r#"{"joins":{"customer:c1":{"metas":[{"phx_ref":"a"}]}},"leaves":{}}"#)?;
/// assert!(diff.joins.contains_key(&OwnedPresenceKey::Customer("c1".into())));
/// assert!(diff.leaves.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedPresenceDiff {
    /// The keys that joined (or updated).
    #[serde(default)]
    pub joins: OwnedPresenceMap,
    /// The keys that left (or updated).
    #[serde(default)]
    pub leaves: OwnedPresenceMap,
}

impl IntoOwned for PresenceDiff<'_> {
    type Owned = OwnedPresenceDiff;
    fn into_owned(self) -> OwnedPresenceDiff {
        OwnedPresenceDiff {
            joins: presence_map(self.joins()),
            leaves: presence_map(self.leaves()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The message

/// A typed message, owned ([`Message`]). Serializes as the core's `Message` does:
/// `{"message": <name>, "payload": {..}}`, and deserializes from that (the `message` key
/// first, as it is written).
///
/// ```
/// use phx_codec_std::typed::{OwnedMessage, OwnedRead};
/// let json = r#"{"message":"read","payload":{"conversation_id":"c1"}}"#;
/// let message: OwnedMessage = serde_json::from_str(json)?;
/// assert_eq!(message, OwnedMessage::Read(OwnedRead { conversation_id: Some("c1".into()) }));
/// assert_eq!(serde_json::to_string(&message)?, json);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "message", content = "payload")]
#[non_exhaustive]
pub enum OwnedMessage {
    /// `phx_join`.
    #[serde(rename = "phx_join")]
    Join(OwnedJoin),
    /// `phx_reply`.
    #[serde(rename = "phx_reply")]
    Reply(OwnedReply),
    /// `phx_leave`.
    #[serde(rename = "phx_leave")]
    Leave,
    /// `phx_close`.
    #[serde(rename = "phx_close")]
    Close,
    /// `phx_error`.
    #[serde(rename = "phx_error")]
    Error(OwnedPhxError),
    /// `heartbeat` on topic `phoenix`.
    #[serde(rename = "heartbeat")]
    Heartbeat,
    /// `shout`.
    #[serde(rename = "shout")]
    Shout(Box<OwnedShout>),
    /// `messages:seen`.
    #[serde(rename = "messages:seen")]
    MessagesSeen,
    /// `read`.
    #[serde(rename = "read")]
    Read(OwnedRead),
    /// `ping`.
    #[serde(rename = "ping")]
    Ping(OwnedPing),
    /// `presence_state`.
    #[serde(rename = "presence_state")]
    PresenceState(OwnedPresenceState),
    /// `presence_diff`.
    #[serde(rename = "presence_diff")]
    PresenceDiff(OwnedPresenceDiff),
    /// `conversation:created`.
    #[serde(rename = "conversation:created")]
    ConversationCreated(OwnedConversationCreated),
    /// `conversation:updated`.
    #[serde(rename = "conversation:updated")]
    ConversationUpdated(OwnedConversationUpdated),
    /// `issue:created`.
    #[serde(rename = "issue:created")]
    IssueCreated(OwnedIssue),
    /// `issue:updated`.
    #[serde(rename = "issue:updated")]
    IssueUpdated(OwnedIssue),
    /// `replay:event:emitted`.
    #[serde(rename = "replay:event:emitted")]
    ReplayEventEmitted(OwnedReplayEvent),
    /// `session:active`.
    #[serde(rename = "session:active")]
    SessionActive,
    /// `session:inactive`.
    #[serde(rename = "session:inactive")]
    SessionInactive,
    /// Anything without a typed message (and any message a newer core adds).
    #[serde(rename = "other")]
    Other,
}

impl OwnedMessage {
    /// Reads a frame's typed message and copies it ([`Frame::message`], then
    /// [`IntoOwned::into_owned`]).
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedMessage;
    /// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
    /// assert_eq!(OwnedMessage::from_frame(&frame)?, OwnedMessage::Heartbeat);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_frame(frame: &Frame<'_>) -> Result<Self, MessageError> {
        frame.message().map(IntoOwned::into_owned)
    }

    /// The payload that carries this message, to send it: a JSON payload (`{}` for messages
    /// without fields), or binary for a binary ping or reply.
    ///
    /// ```
    /// use phx_codec_std::{OwnedFrame, OwnedPayload};
    /// use phx_codec_std::typed::{OwnedMessage, OwnedRead};
    /// let read = OwnedMessage::Read(OwnedRead { conversation_id: Some("c1".into()) });
    /// let frame = OwnedFrame::new("notification:a", read.name(), read.to_payload()?);
    /// assert_eq!(frame.payload, OwnedPayload::Json(r#"{"conversation_id":"c1"}"#.into()));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn to_payload(&self) -> Result<OwnedPayload, serde_json::Error> {
        fn json<T: Serialize>(value: &T) -> Result<OwnedPayload, serde_json::Error> {
            OwnedPayload::json(value)
        }
        match self {
            Self::Join(v) => json(v),
            Self::Reply(OwnedReply {
                status,
                response: Some(OwnedResponse::Binary(bytes)),
            }) => Ok(OwnedPayload::BinaryReply {
                status: status
                    .as_ref()
                    .map_or_else(String::new, |s| s.as_str().to_owned()),
                response: bytes.clone(),
            }),
            Self::Reply(v) => json(v),
            Self::Error(v) => json(v),
            Self::Shout(v) => json(v),
            Self::Read(v) => json(v),
            Self::Ping(OwnedPing::Binary(bytes)) => Ok(OwnedPayload::Binary(bytes.clone())),
            Self::Ping(v) => json(v),
            Self::PresenceState(v) => json(v),
            Self::PresenceDiff(v) => json(v),
            Self::ConversationCreated(v) => json(v),
            Self::ConversationUpdated(v) => json(v),
            Self::IssueCreated(v) | Self::IssueUpdated(v) => json(v),
            Self::ReplayEventEmitted(v) => json(v),
            Self::Leave
            | Self::Close
            | Self::Heartbeat
            | Self::MessagesSeen
            | Self::SessionActive
            | Self::SessionInactive
            | Self::Other => Ok(OwnedPayload::Json("{}".to_owned())),
        }
    }

    /// The message's name, as [`Message::name`].
    ///
    /// ```
    /// use phx_codec_std::typed::OwnedMessage;
    /// assert_eq!(OwnedMessage::MessagesSeen.name(), "messages:seen");
    /// assert_eq!(OwnedMessage::Other.name(), "other");
    /// ```
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
            Self::SessionActive => "session:active",
            Self::SessionInactive => "session:inactive",
            Self::Other => "other",
        }
    }
}

impl IntoOwned for Message<'_> {
    type Owned = OwnedMessage;
    fn into_owned(self) -> OwnedMessage {
        match self {
            Message::Join(v) => OwnedMessage::Join(v.into_owned()),
            Message::Reply(v) => OwnedMessage::Reply(v.into_owned()),
            Message::Leave => OwnedMessage::Leave,
            Message::Close => OwnedMessage::Close,
            Message::Error(v) => OwnedMessage::Error(v.into_owned()),
            Message::Heartbeat => OwnedMessage::Heartbeat,
            Message::Shout(v) => OwnedMessage::Shout(Box::new(v.into_owned())),
            Message::MessagesSeen => OwnedMessage::MessagesSeen,
            Message::Read(v) => OwnedMessage::Read(v.into_owned()),
            Message::Ping(v) => OwnedMessage::Ping(v.into_owned()),
            Message::PresenceState(v) => OwnedMessage::PresenceState(v.into_owned()),
            Message::PresenceDiff(v) => OwnedMessage::PresenceDiff(v.into_owned()),
            Message::ConversationCreated(v) => OwnedMessage::ConversationCreated(v.into_owned()),
            Message::ConversationUpdated(v) => OwnedMessage::ConversationUpdated(v.into_owned()),
            Message::IssueCreated(v) => OwnedMessage::IssueCreated(v.into_owned()),
            Message::IssueUpdated(v) => OwnedMessage::IssueUpdated(v.into_owned()),
            Message::ReplayEventEmitted(v) => OwnedMessage::ReplayEventEmitted(v.into_owned()),
            Message::SessionActive => OwnedMessage::SessionActive,
            Message::SessionInactive => OwnedMessage::SessionInactive,
            Message::Other => OwnedMessage::Other,
        }
    }
}

impl From<&Message<'_>> for OwnedMessage {
    fn from(message: &Message<'_>) -> Self {
        message.into_owned()
    }
}

impl From<Message<'_>> for OwnedMessage {
    fn from(message: Message<'_>) -> Self {
        message.into_owned()
    }
}
