//! Chat: `shout` (with its embedded user, customer and attachments) and `read`.

use crate::message::error::MessageError;
use crate::message::view::{TypedObject, typed_object, wrong_type};
use crate::raw::{ArrayItems, JsonKind, RawJson};
use crate::string::JsonStr;

typed_object! {
    /// An agent, as embedded in a message (`"object": "user"`).
    pub struct User in "user." {
        /// The user's id (an integer).
        id: Int = "id",
        /// `"user"`.
        object: Str = "object",
        /// Email address.
        email: Str = "email",
        /// Full name (absent when the user has no profile).
        full_name: Str = "full_name",
        /// Display name (absent when the user has no profile).
        display_name: Str = "display_name",
        /// Avatar URL (absent when the user has no profile).
        profile_photo_url: Str = "profile_photo_url",
        /// Creation time (ISO 8601, no zone).
        created_at: Str = "created_at",
        /// When the user was disabled.
        disabled_at: Str = "disabled_at",
        /// When the user was archived.
        archived_at: Str = "archived_at",
        /// Role (`"admin"`, `"user"`).
        role: Str = "role",
    }
}

typed_object! {
    /// A customer, as embedded in a message (`"object": "customer"`).
    pub struct Customer in "customer." {
        /// The customer's id (UUID).
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
        /// Free-form metadata, kept raw.
        metadata: Obj = "metadata",
        /// Creation time (ISO 8601, no zone).
        created_at: Str = "created_at",
        /// Last update.
        updated_at: Str = "updated_at",
        /// Title shown in the dashboard.
        title: Str = "title",
    }
}

typed_object! {
    /// A file attached to a message (`"object": "file"`).
    pub struct Attachment in "attachments[]." {
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

typed_object! {
    /// `shout`: a chat message, either the client's push (`body`, `customer_id`, `sent_at`,
    /// `file_ids`...) or the server's formatted message (`id`, `user`, `customer`,
    /// `attachments`...). Every field is optional: a server may re-broadcast the raw push.
    pub struct Shout in "" {
        /// The message id (UUID).
        id: Str = "id",
        /// `"message"`.
        object: Str = "object",
        /// The text.
        body: Str = "body",
        /// `"reply"`, `"note"`, `"bot"`...
        message_type: Str = "type",
        /// Content type (`"text"`...).
        content_type: Str = "content_type",
        /// Whether it is an internal note.
        private: Bool = "private",
        /// `"chat"`, `"slack"`, `"email"`...
        source: Str = "source",
        /// Creation time (ISO 8601, no zone).
        created_at: Str = "created_at",
        /// When it was sent (ISO 8601, `Z`).
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
        user: User = "user",
        /// The customer, embedded.
        customer: Customer = "customer",
        /// Attached files.
        attachments: AttachmentList = "attachments",
        /// Free-form metadata, kept raw.
        metadata: Obj = "metadata",
        /// Files uploaded for this message (client push).
        file_ids: IdList = "file_ids",
        /// Agents mentioned (client push on `notification:`).
        mentioned_user_ids: IntList = "mentioned_user_ids",
    }
}

impl Shout<'_> {
    /// Written by a customer: `customer_id` is set.
    pub fn is_from_customer(&self) -> bool {
        self.customer_id.is_present()
    }

    /// Written by an agent: `user_id` is set.
    pub fn is_from_agent(&self) -> bool {
        self.user_id.is_present()
    }

    /// Written by a bot: `type` is `"bot"`.
    pub fn is_bot(&self) -> bool {
        self.message_type().is_some_and(|t| t == "bot")
    }
}

typed_object! {
    /// `read` payload: an agent read a conversation.
    pub struct Read in "" {
        /// The conversation read.
        conversation_id: Str = "conversation_id",
    }
}

/// A message's attachments, walked lazily. Created by [`Shout::attachments`].
#[derive(Clone, Debug, Default)]
pub struct Attachments<'a> {
    pub(crate) items: Option<ArrayItems<'a>>,
    pub(crate) plain: bool,
}

impl<'a> Iterator for Attachments<'a> {
    type Item = Attachment<'a>;

    fn next(&mut self) -> Option<Attachment<'a>> {
        loop {
            let raw = self.items.as_mut()?.next()?;
            // Checked when the message was read, so this only fails for items that were not.
            if let Ok(Some(attachment)) =
                Attachment::from_value(raw, "attachments[]", raw.as_str(), self.plain)
            {
                return Some(attachment);
            }
        }
    }
}

pub(crate) fn check_attachment_item<'a>(
    v: RawJson<'a>,
    field: &'static str,
    base: &'a str,
) -> Result<(), MessageError> {
    match Attachment::from_value(v, field, base, false)? {
        Some(_) => Ok(()),
        None => Err(wrong_type(field, JsonKind::Object, v, base)),
    }
}
